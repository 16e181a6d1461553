// The sync core against a real Docker engine: every case is checked by
// hashing the container's tree and comparing it with the host's.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEBIAN_IMAGE, EXPECTED_WATCHER, containerTree, defaultSkip, expectTreesEqual, removeProjectResources, tempProject, testSession } from '../helpers/real-docker.js';
import type { RunningSync } from '../../src/session/types.js';

const outsideDir = tempProject('outside');
fs.writeFileSync(path.join(outsideDir, 'secret.txt'), 'must never reach the container');

function writeFixture(root: string) {
  const w = (rel: string, content: string | Buffer, mode?: number) => {
    const abs = path.join(root, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content);
    if (mode !== undefined) fs.chmodSync(abs, mode);
  };
  w('template.yaml', 'Resources: {}\n');
  w('src/handlers/hello.js', 'exports.handler = async () => "hi";\n');
  w('src/with space/ünïcødé 文件.js', 'module.exports = "unicode";\n');
  w('src/empty.txt', '');
  w('scripts/build.sh', '#!/bin/sh\necho build\n', 0o755);
  w('private.key', 'mode 600', 0o600);
  w('a/b/c/d/e/f/g/h/i/j/deep.txt', 'deep');
  fs.mkdirSync(path.join(root, 'empty-dir/nested-empty'), { recursive: true });
  w('node_modules/left-pad/index.js', 'ignored by default');
  w('.gitignore', 'dist/\n*.log\n');
  w('dist/bundle.js', 'ignored by .gitignore');
  w('debug.log', 'ignored by .gitignore');
  w('functions/api/.gitignore', 'generated.json\n');
  w('functions/api/generated.json', 'ignored by nested .gitignore');
  w('functions/api/index.js', 'kept');
  w('.dsyncignore', 'local-only/\n!keep.log\n');
  w('local-only/notes.md', 'ignored by .dsyncignore');
  w('keep.log', 'un-ignored by .dsyncignore');
  w('.handler.js.swp', 'vim swap');
  fs.symlinkSync('src/handlers/hello.js', path.join(root, 'link-inside'));
  fs.symlinkSync('../handlers', path.join(root, 'src/with space/dirlink'));
  fs.symlinkSync(path.join(outsideDir, 'secret.txt'), path.join(root, 'link-outside'));
  fs.symlinkSync('../../..', path.join(root, 'src/handlers/escape-up'));
}

const IGNORED = new Set(['dist', 'debug.log', 'functions/api/generated.json', 'local-only', 'link-outside', 'src/handlers/escape-up']);
const skip = (rel: string) => defaultSkip(rel) || IGNORED.has(rel);

describe('sync core against a real engine', () => {
  const root = tempProject('sync');
  writeFixture(root);
  const { session, reporter, client } = testSession(root, DEBIAN_IMAGE);
  let running: RunningSync;

  beforeAll(async () => {
    await removeProjectResources(session);
    running = await session.startLiveSync();
  });
  afterAll(async () => {
    await running?.stop();
    await removeProjectResources(session);
  });

  const settle = async () => {
    await running.idle();
    await expectTreesEqual(client, running.containerId, root, skip);
  };

  it('initial sync mirrors the tree exactly: modes, empty files and folders, unicode, deep paths, inside symlinks', async () => {
    expect(reporter.events.find((e) => e.type === 'watching')).toMatchObject({ watcher: EXPECTED_WATCHER });
    await expectTreesEqual(client, running.containerId, root, skip);
    const tree = await containerTree(client, running.containerId);
    expect(tree.some((l) => l.startsWith('scripts/build.sh|file|755|'))).toBe(true);
    expect(tree.some((l) => l.startsWith('private.key|file|600|'))).toBe(true);
    expect(tree).toContain('empty-dir/nested-empty|dir|755');
    expect(tree).toContain('link-inside|symlink|src/handlers/hello.js');
  });

  it('never sends anything from outside the project, and warns once per escaping symlink', async () => {
    const grep = await client.exec(running.containerId, { cmd: ['/bin/sh', '-c', 'grep -rl "must never reach" /dsync; echo "grep exit $?"'] });
    expect(grep.stdout.trim()).toBe('grep exit 1');
    const ls = await client.exec(running.containerId, { cmd: ['ls', '/dsync/workspace/link-outside', '/dsync/workspace/src/handlers/escape-up'] });
    expect(ls.exitCode).not.toBe(0);
    const warnings = reporter.events.filter((e) => e.type === 'warning' && String(e.message).includes('points outside the project'));
    expect(warnings.map((w) => w.message).sort()).toEqual([expect.stringContaining('link-outside'), expect.stringContaining('src/handlers/escape-up')]);
  });

  it('a second initial sync with nothing changed transfers nothing', async () => {
    await session.prepare();
    const initial = reporter.events.filter((e) => e.type === 'initial-sync');
    expect(initial.at(-1)).toMatchObject({ sent: 0, removed: 0 });
  });

  it('creates, modifies and deletes files, including empty ones', async () => {
    fs.writeFileSync(path.join(root, 'src/new.js'), 'new file');
    fs.writeFileSync(path.join(root, 'src/handlers/hello.js'), 'exports.handler = async () => "changed";\n');
    fs.writeFileSync(path.join(root, 'src/another-empty'), '');
    fs.rmSync(path.join(root, 'src/empty.txt'));
    await settle();
  });

  it('renames files and whole folders, and creates and removes empty folders', async () => {
    fs.renameSync(path.join(root, 'src/new.js'), path.join(root, 'src/renamed.js'));
    fs.renameSync(path.join(root, 'a/b'), path.join(root, 'a/moved-b'));
    fs.mkdirSync(path.join(root, 'brand-new-empty'));
    fs.rmSync(path.join(root, 'empty-dir'), { recursive: true });
    await settle();
  });

  it('handles an editor atomic save (write temp, rename over) and ignores the temp file', async () => {
    const target = path.join(root, 'src/handlers/hello.js');
    const tmp = `${target}.tmp`;
    fs.writeFileSync(tmp, 'exports.handler = async () => "atomically saved";\n');
    fs.renameSync(tmp, target);
    // JetBrains style: write to name___jb_tmp___, move the old one away, rename.
    const jbTmp = path.join(root, 'src/renamed.js___jb_tmp___');
    fs.writeFileSync(jbTmp, 'jetbrains save');
    fs.renameSync(path.join(root, 'src/renamed.js'), path.join(root, 'src/renamed.js___jb_old___'));
    fs.renameSync(jbTmp, path.join(root, 'src/renamed.js'));
    fs.rmSync(path.join(root, 'src/renamed.js___jb_old___'));
    // Temp files an editor leaves while it works (vim's swap file, a save in progress, a JetBrains
    // temp) are on the host while dsync syncs: they stay out of the container.
    const leftovers = ['src/handlers/.hello.js.swp', 'src/handlers/hello.js.tmp', 'src/other.js___jb_tmp___', 'src/handlers/hello.js~'];
    for (const p of leftovers) fs.writeFileSync(path.join(root, p), 'editor temp');
    fs.writeFileSync(path.join(root, 'src/sentinel-atomic.js'), 'flushed');
    await running.idle();
    await expectTreesEqual(client, running.containerId, root, (rel) => skip(rel) || leftovers.includes(rel));
    const inContainer = (await containerTree(client, running.containerId)).map((l) => l.slice(0, l.indexOf('|')));
    expect(inContainer).toContain('src/sentinel-atomic.js');
    expect(inContainer.filter((p) => leftovers.includes(p))).toEqual([]);
    for (const p of [...leftovers, 'src/sentinel-atomic.js']) fs.rmSync(path.join(root, p));
  });

  it('keeps the second of two quick saves (chokidar throttles change events for 50 ms)', async () => {
    const target = path.join(root, 'src/handlers/hello.js');
    for (let i = 0; i < 5; i++) {
      fs.writeFileSync(target, `first save ${i}`);
      await new Promise((r) => setTimeout(r, 15));
      fs.writeFileSync(target, `format-on-save ${i}: longer content`);
      await new Promise((r) => setTimeout(r, 80));
    }
    await settle();
  });

  it('copes with files that vanish between the event and the transfer', async () => {
    for (let i = 0; i < 20; i++) {
      const p = path.join(root, `flash-${i}.txt`);
      fs.writeFileSync(p, `short-lived ${i}`);
      if (i % 2 === 0) fs.rmSync(p);
    }
    await settle();
    expect(reporter.events.filter((e) => e.type === 'sync-failed')).toEqual([]);
  });

  it('sends a 100 MB file', async () => {
    const big = Buffer.alloc(100 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE(i, i);
    fs.writeFileSync(path.join(root, 'big.bin'), big);
    await settle();
  });

  it('turns a branch-switch sized burst into a full diff', async () => {
    const before = reporter.events.filter((e) => e.type === 'sync' && e.full).length;
    for (let i = 0; i < 600; i++) {
      fs.mkdirSync(path.join(root, `gen/m${i % 20}`), { recursive: true });
      fs.writeFileSync(path.join(root, `gen/m${i % 20}/f${i}.js`), `export default ${i};\n`);
    }
    await settle();
    fs.rmSync(path.join(root, 'gen'), { recursive: true });
    fs.rmSync(path.join(root, 'big.bin'));
    await settle();
    expect(reporter.events.filter((e) => e.type === 'sync' && e.full).length).toBeGreaterThan(before);
  });

  it('picks up ignore-file changes: newly ignored files stop flowing, un-ignored ones are sent', async () => {
    fs.appendFileSync(path.join(root, '.gitignore'), 'src/with space/\n');
    await settle();
    fs.writeFileSync(path.join(root, 'src/with space/after-ignore.js'), 'must not be sent');
    fs.writeFileSync(path.join(root, 'sentinel-1.txt'), 'flushed');
    await eventually(async () => (await containerTree(client, running.containerId)).some((l) => l.startsWith('sentinel-1.txt|')));
    await running.idle();
    const tree = await containerTree(client, running.containerId);
    expect(tree.some((l) => l.startsWith('src/with space/after-ignore.js'))).toBe(false);
    // Already-synced copies are left alone, like build output in ignored folders.
    expect(tree.some((l) => l.startsWith('src/with space/ünïcødé'))).toBe(true);
    fs.writeFileSync(path.join(root, '.gitignore'), 'dist/\n*.log\n');
    await settle();
  });

  it('recreates the container if it is removed while syncing, losing no edit', async () => {
    await client.removeContainer(running.containerId);
    fs.writeFileSync(path.join(root, 'after-removal.txt'), 'written while the container was gone');
    const current = await eventually(async () => (await client.findContainers(session.project.labels))[0]);
    expect(current!.id).not.toBe(running.containerId);
    await running.idle();
    await expectTreesEqual(client, current!.id, root, skip);
    expect(reporter.events.some((e) => e.type === 'container-created')).toBe(true);
  });

  it('saves no conflicts: nothing was changed inside the container, so every file there is one dsync wrote', () => {
    expect(reporter.events.filter((e) => e.type === 'conflict-saved')).toEqual([]);
  });
});

async function eventually<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
