// The Linux watcher (one inotify watch per folder) on a real folder: every
// kind of change names its path, new folders are watched before they are
// named, replaced and removed folders are handled, ignored folders are never
// watched. (Linux only: elsewhere dsync uses chokidar.)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Watcher, WatchEvent } from '../../../src/watch/watcher.js';
import { dirWatcherFactory } from '../../../src/watch/dir-watcher.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.runIf(process.platform === 'linux')('the folder watcher', () => {
  let watcher: Watcher | undefined;
  afterEach(async () => {
    await watcher?.close();
  });

  async function start(setup: (root: string) => void) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-dirwatch-'));
    setup(root);
    const events: WatchEvent[] = [];
    const errors: unknown[] = [];
    watcher = dirWatcherFactory()({
      root,
      ignored: (absolute) => /(^|\/)node_modules(\/|$)/.test(path.relative(root, absolute)),
      onEvent: (e) => events.push(e),
      onError: (e) => errors.push(e),
    });
    await watcher.ready;
    const seen = async (p: string, timeoutMs = 3000) => {
      const deadline = Date.now() + timeoutMs;
      while (!events.some((e) => e.path === p)) {
        if (Date.now() > deadline) throw new Error(`no event for ${p}; got ${JSON.stringify(events)}`);
        await sleep(10);
      }
    };
    return { root, events, errors, seen, write: (rel: string, text = 'x') => fs.writeFileSync(path.join(root, rel), text) };
  }

  it('names changed, new and removed files at any depth', async () => {
    const w = await start((root) => {
      fs.mkdirSync(path.join(root, 'src/deep/er'), { recursive: true });
      fs.writeFileSync(path.join(root, 'src/deep/er/a.js'), 'one');
      fs.writeFileSync(path.join(root, 'top.js'), 'one');
    });
    w.write('src/deep/er/a.js', 'two');
    await w.seen('src/deep/er/a.js');
    w.write('src/deep/new.js');
    await w.seen('src/deep/new.js');
    fs.rmSync(path.join(w.root, 'top.js'));
    await w.seen('top.js');
    expect(w.events.find((e) => e.path === 'top.js')?.kind).toBe('unlink');
    fs.renameSync(path.join(w.root, 'src/deep/new.js'), path.join(w.root, 'src/moved.js'));
    await w.seen('src/moved.js');
    expect(w.errors).toEqual([]);
  });

  it('watches a new folder before naming it, and everything later created in it', async () => {
    const w = await start(() => undefined);
    fs.mkdirSync(path.join(w.root, 'fresh/inner'), { recursive: true });
    fs.writeFileSync(path.join(w.root, 'fresh/inner/at-once.js'), 'x');
    await w.seen('fresh');
    expect(w.events.find((e) => e.path === 'fresh')?.kind).toBe('addDir');
    await sleep(50);
    w.write('fresh/inner/later.js');
    await w.seen('fresh/inner/later.js');
  });

  it('follows a folder removed, replaced by a file, and by a folder again', async () => {
    const w = await start((root) => {
      fs.mkdirSync(path.join(root, 'swap'));
      fs.writeFileSync(path.join(root, 'swap/a.js'), 'x');
    });
    fs.rmSync(path.join(w.root, 'swap'), { recursive: true });
    await w.seen('swap');
    expect(w.events.filter((e) => e.path === 'swap').map((e) => e.kind)).toContain('unlinkDir');
    fs.writeFileSync(path.join(w.root, 'swap'), 'now a file');
    await sleep(100);
    fs.rmSync(path.join(w.root, 'swap'));
    fs.mkdirSync(path.join(w.root, 'swap'));
    await sleep(200);
    const from = w.events.length;
    w.write('swap/b.js');
    await w.seen('swap/b.js');
    expect(w.events.slice(from).map((e) => e.path)).toContain('swap/b.js');
  });

  it('never watches an ignored folder', async () => {
    const w = await start((root) => fs.mkdirSync(path.join(root, 'node_modules/pkg'), { recursive: true }));
    w.write('node_modules/pkg/index.js');
    fs.mkdirSync(path.join(w.root, 'node_modules/other'));
    w.write('visible.js');
    await w.seen('visible.js');
    await sleep(200);
    expect(w.events.filter((e) => e.path.startsWith('node_modules'))).toEqual([]);
  });
});
