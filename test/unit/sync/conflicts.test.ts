import { describe, expect, it } from 'vitest';
import { conflictStamp, findConflicts } from '../../../src/sync/conflicts.js';
import { IgnoreRules } from '../../../src/sync/ignore-rules.js';
import type { Manifest, ManifestEntry } from '../../../src/sync/manifest.js';
import { toRecordEntry, type SyncRecord } from '../../../src/sync/record.js';

const file = (path: string, extra: Partial<ManifestEntry> = {}): ManifestEntry => ({ path, type: 'file', mode: 0o644, size: 10, mtime: 1000, ...extra });
const dir = (path: string): ManifestEntry => ({ path, type: 'dir', mode: 0o755, size: 0, mtime: 1000 });
const link = (path: string, target: string): ManifestEntry => ({ path, type: 'symlink', mode: 0o777, size: 0, mtime: 1000, target });
const manifest = (...entries: ManifestEntry[]): Manifest => new Map(entries.map((e) => [e.path, e]));
const record = (...entries: ManifestEntry[]): SyncRecord => new Map(entries.map((e) => [e.path, toRecordEntry(e)!]));
const rules = new IgnoreRules();
const isIgnored = (p: string, d: boolean) => rules.isIgnored(p, d);
const paths = (c: ReturnType<typeof findConflicts>) => c.map((x) => `${x.entry.path}${x.removed ? ' (removed)' : ''}`);

describe('findConflicts', () => {
  it('finds nothing when the container holds what dsync wrote', () => {
    const remote = manifest(dir('src'), file('src/a.js'), link('l', 'src/a.js'));
    const plan = { send: [file('src/a.js', { size: 11, mtime: 2000 }), link('l', 'src/b.js')], remove: [] };
    expect(findConflicts(plan, remote, record(file('src/a.js'), link('l', 'src/a.js')), isIgnored)).toEqual([]);
  });

  it('a file changed inside (size, mtime) or replaced (type, link target) and about to be overwritten is a conflict', () => {
    const remote = manifest(file('size', { size: 12 }), file('mtime', { mtime: 1001 }), file('was-link'), link('link', 'elsewhere'));
    const rec = record(file('size'), file('mtime'), link('was-link', 'x'), link('link', 'x'));
    const plan = { send: [file('size', { mtime: 3000 }), file('mtime', { mtime: 3000 }), file('was-link', { mtime: 3000 }), link('link', 'y')], remove: [] };
    expect(paths(findConflicts(plan, remote, rec, isIgnored))).toEqual(['link', 'mtime', 'size', 'was-link']);
  });

  it('a file made inside (not in the record) that the host now creates or removes is a conflict', () => {
    const remote = manifest(file('made-inside.js'), file('also-inside.js'));
    const plan = { send: [file('made-inside.js', { mtime: 3000 })], remove: ['also-inside.js'] };
    expect(paths(findConflicts(plan, remote, record(), isIgnored))).toEqual(['also-inside.js (removed)', 'made-inside.js']);
  });

  it('a path the plan creates that the container does not have is no conflict', () => {
    expect(findConflicts({ send: [file('new.js')], remove: [] }, manifest(), record(), isIgnored)).toEqual([]);
  });

  it('a container file already equal to what the host sends loses nothing', () => {
    const remote = manifest(file('same.js', { mtime: 3000 }));
    expect(findConflicts({ send: [file('same.js', { mtime: 3000 })], remove: [] }, remote, record(), isIgnored)).toEqual([]);
  });

  it('looks at every file below a removed folder, not only the folder itself', () => {
    const remote = manifest(dir('gone'), dir('gone/deep'), file('gone/deep/known.js'), file('gone/deep/made-inside.js'), file('gone/edited.js', { size: 1 }), file('kept.js'));
    const rec = record(file('gone/deep/known.js'), file('gone/edited.js'), file('kept.js'));
    expect(paths(findConflicts({ send: [], remove: ['gone'] }, remote, rec, isIgnored))).toEqual(['gone/deep/made-inside.js (removed)', 'gone/edited.js (removed)']);
  });

  it('a file or link sent where the container has a folder replaces everything in that folder', () => {
    const remote = manifest(dir('x'), file('x/inside.txt'));
    expect(paths(findConflicts({ send: [file('x')], remove: [] }, remote, record(), isIgnored))).toEqual(['x/inside.txt (removed)']);
  });

  it('never saves ignored paths, even below a removed folder', () => {
    const remote = manifest(file('debug.swp'), dir('gone'), file('gone/cache.tmp'), file('gone/real.js'));
    const plan = { send: [file('debug.swp')], remove: ['gone'] };
    expect(paths(findConflicts(plan, remote, record(), isIgnored))).toEqual(['gone/real.js (removed)']);
  });

  it('handles hostile names as plain strings', () => {
    // A backslash is part of a POSIX name; on Windows it separates folders, so that name cannot exist there.
    const names = ['it\'s "quoted"', '-rf', 'sp ace/ünï 文件', ...(process.platform === 'win32' ? [] : ['..\\..\\x'])];
    const remote = manifest(...names.map((n) => file(n, { size: 1 })));
    const plan = { send: names.map((n) => file(n, { mtime: 5 })), remove: [] };
    expect(findConflicts(plan, remote, record(...names.map((n) => file(n))), isIgnored).map((c) => c.entry.path)).toEqual([...names].sort());
  });
});

describe('conflictStamp', () => {
  it('is the UTC time as a folder name', () => {
    expect(conflictStamp(new Date('2026-11-27T13:45:01.789Z'))).toBe('20261127T134501Z');
  });
});
