import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planBatch } from '../../../src/sync/batch-plan.js';
import type { DescribeContext } from '../../../src/sync/describe.js';
import type { HostFs, HostStat } from '../../../src/sync/host-fs.js';
import { preflight } from '../../../src/sync/preflight.js';
import { hostPlatform } from '../../../src/base/platform.js';
import { IgnoreRules } from '../../../src/sync/ignore-rules.js';
import { walkHost } from '../../../src/sync/host-walk.js';

type Node = { kind: 'file'; content: string; error?: string } | { kind: 'dir' } | { kind: 'link'; target: string };

/** An in-memory Windows file system: case-insensitive lookups, case-preserving listings. */
function winFs(root: string, tree: Record<string, Node>): HostFs {
  const w = path.win32;
  const key = (p: string) => w.relative(root, p).toLowerCase();
  const find = (p: string) => Object.entries(tree).find(([k]) => k.toLowerCase().split('/').join('\\') === key(p));
  const stat = (node: Node): HostStat => ({
    isFile: () => node.kind === 'file',
    isDirectory: () => node.kind === 'dir',
    isSymbolicLink: () => node.kind === 'link',
    mode: node.kind === 'dir' ? 0o40777 : 0o100666,
    size: node.kind === 'file' ? node.content.length : 0,
    mtimeMs: 1_700_000_000_000,
  });
  const enoent = (p: string) => Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' });
  return {
    async lstat(p) {
      const hit = find(p);
      if (!hit) throw enoent(p);
      return stat(hit[1]);
    },
    async readdir(p) {
      const prefix = key(p);
      return Object.keys(tree)
        .filter((k) => {
          const parent = path.posix.dirname(k).toLowerCase().split('/').join('\\');
          return prefix === '' ? parent === '.' : parent === prefix;
        })
        .map((k) => path.posix.basename(k));
    },
    async readlink(p) {
      const hit = find(p);
      if (!hit || hit[1].kind !== 'link') throw enoent(p);
      return hit[1].target;
    },
    async readFile(p) {
      const hit = find(p);
      if (!hit || hit[1].kind !== 'file') throw enoent(p);
      return hit[1].content;
    },
    async readHead(p, n) {
      const hit = find(p);
      if (!hit || hit[1].kind !== 'file') throw enoent(p);
      if (hit[1].error) throw Object.assign(new Error(hit[1].error), { code: hit[1].error });
      return new TextEncoder().encode(hit[1].content.slice(0, n));
    },
  };
}

function context(tree: Record<string, Node>, warnings: string[] = []): DescribeContext {
  const root = 'C:\\Users\\dev\\app';
  return {
    root,
    fs: winFs(root, tree),
    platform: hostPlatform('win32'),
    gitModes: new Map([['scripts/run.sh', 0o755]]),
    maxFileSize: 1000,
    warn: (_key, message) => warnings.push(message),
  };
}

describe('planBatch on a Windows host', () => {
  it('sends files git records as symlinks (core.symlinks=false) as the symlinks they are, if they stay inside', async () => {
    const warnings: string[] = [];
    const ctx = {
      ...context(
        {
          lib: { kind: 'dir' },
          'lib/real.js': { kind: 'file', content: 'x' },
          'lib/current': { kind: 'file', content: 'real.js' },
          'lib/shared': { kind: 'file', content: '../lib' },
          'lib/escape': { kind: 'file', content: '../../../etc/passwd' },
          'lib/not-a-link.txt': { kind: 'file', content: 'plain text file' },
        },
        warnings,
      ),
      gitSymlinks: new Set(['lib/current', 'lib/shared', 'lib/escape']),
    };
    const { plan } = await planBatch(ctx, new IgnoreRules(), ['lib']);
    const byPath = Object.fromEntries(plan.send.map((e) => [e.path, e.type === 'symlink' ? `-> ${e.target}` : e.type]));
    expect(byPath).toEqual({ lib: 'dir', 'lib/current': '-> real.js', 'lib/shared': '-> .', 'lib/not-a-link.txt': 'file', 'lib/real.js': 'file' });
    expect(warnings).toEqual([expect.stringContaining('not sending lib/escape: git records it as a symlink to "../../../etc/passwd"')]);
  });

  it('treats a case-only rename as removing the old spelling and sending the new one', async () => {
    const ctx = context({ src: { kind: 'dir' }, 'src/foo.js': { kind: 'file', content: 'x' } });
    const { plan } = await planBatch(ctx, new IgnoreRules(), ['src/Foo.js', 'src/foo.js']);
    expect(plan.remove).toEqual(['src/Foo.js']);
    expect(plan.send.map((e) => e.path)).toEqual(['src/foo.js']);
  });

  it('takes modes from the git index, then the shebang rule', async () => {
    const ctx = context({
      scripts: { kind: 'dir' },
      'scripts/run.sh': { kind: 'file', content: 'echo' },
      'scripts/tool': { kind: 'file', content: '#!/bin/sh\n' },
      'scripts/data.txt': { kind: 'file', content: 'plain' },
    });
    const { plan } = await planBatch(ctx, new IgnoreRules(), ['scripts']);
    const modes = Object.fromEntries(plan.send.map((e) => [e.path, e.mode.toString(8)]));
    expect(modes).toEqual({ scripts: '755', 'scripts/run.sh': '755', 'scripts/tool': '755', 'scripts/data.txt': '644' });
  });

  it('sends a moved-in folder with everything below it, minus ignored parts', async () => {
    const ctx = context({
      lib: { kind: 'dir' },
      'lib/a.js': { kind: 'file', content: 'a' },
      'lib/deep': { kind: 'dir' },
      'lib/deep/b.js': { kind: 'file', content: 'b' },
      'lib/node_modules': { kind: 'dir' },
      'lib/node_modules/x.js': { kind: 'file', content: 'x' },
    });
    const { plan } = await planBatch(ctx, new IgnoreRules(), ['lib']);
    expect(plan.send.map((e) => e.path)).toEqual(['lib', 'lib/a.js', 'lib/deep', 'lib/deep/b.js']);
  });

  it('removes what is gone, and never sends a symlink that leaves the project', async () => {
    const warnings: string[] = [];
    const ctx = context({ escape: { kind: 'link', target: 'C:\\Windows\\System32' }, inside: { kind: 'link', target: 'src' } }, warnings);
    const { plan } = await planBatch(ctx, new IgnoreRules(), ['gone.js', 'escape', 'inside']);
    expect(plan.send.map((e) => [e.path, e.target])).toEqual([['inside', 'src']]);
    expect(plan.remove).toEqual(['escape', 'gone.js']);
    expect(warnings.join('\n')).toMatch(/not sending symlink escape/);
  });

  it('skips files over the size limit with a warning', async () => {
    const warnings: string[] = [];
    const ctx = context({ 'big.bin': { kind: 'file', content: 'x'.repeat(2000) } }, warnings);
    const { plan } = await planBatch(ctx, new IgnoreRules(), ['big.bin']);
    expect(plan.send).toEqual([]);
    expect(warnings[0]).toMatch(/over the 1000 B limit/);
  });
});

describe('preflight', () => {
  it('takes locked files out of the plan and reports them for retry', async () => {
    const warnings: string[] = [];
    const ctx = context(
      {
        'locked.db': { kind: 'file', content: 'x', error: 'EBUSY' },
        'ok.js': { kind: 'file', content: 'x' },
        'run.sh': { kind: 'file', content: '#!/bin/sh\r\necho hi\r\n' },
      },
      warnings,
    );
    const batch = await planBatch(ctx, new IgnoreRules(), ['locked.db', 'ok.js', 'run.sh', 'vanished.js']);
    const checked = await preflight(ctx, batch.plan);
    expect(checked.plan.send.map((e) => e.path)).toEqual(['ok.js', 'run.sh']);
    // On Windows the mode rule already opens the file, so the lock shows up while planning.
    expect([...batch.unreadable, ...checked.unreadable]).toEqual([['locked.db', 'EBUSY']]);
    expect(batch.plan.remove).toEqual(['vanished.js']);
    expect(warnings.some((w) => w.includes('CRLF'))).toBe(true);
  });
});

describe('walkHost when a folder goes away or cannot be read mid-walk', () => {
  const fail = (code: string) => Object.assign(new Error(code), { code });
  /** The Windows tree, but listing `broken` fails with `code` (it was described as a folder a moment before). */
  function ctxWith(code: string): DescribeContext {
    const base = context({
      keep: { kind: 'dir' },
      'keep/a.js': { kind: 'file', content: 'a' },
      broken: { kind: 'dir' },
      'broken/x.js': { kind: 'file', content: 'x' },
    });
    return {
      ...base,
      fs: {
        ...base.fs,
        readdir: (p) => (p.toLowerCase().endsWith('\\broken') ? Promise.reject(fail(code)) : base.fs.readdir(p)),
      },
    };
  }

  it('a folder gone since it was described holds nothing: it is not unreadable, so the diff removes what the container has below it', async () => {
    for (const code of ['ENOENT', 'ENOTDIR']) {
      const walk = await walkHost(ctxWith(code));
      expect([...walk.manifest.keys()].sort()).toEqual(['broken', 'keep', 'keep/a.js']);
      expect([...walk.unreadable]).toEqual([]);
    }
  });

  it('a folder that cannot be listed (permission) is unreadable: the diff keeps the container’s copy of what is below it', async () => {
    const walk = await walkHost(ctxWith('EACCES'));
    expect([...walk.unreadable]).toEqual([['broken', 'EACCES']]);
  });
});
