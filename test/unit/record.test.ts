import { describe, expect, it } from 'vitest';
import type { Manifest, ManifestEntry } from '../../src/sync/manifest.js';
import { matchesRecord, parseRecord, recordAfterFullSync, serialiseRecord, toRecordEntry, updateRecord, type SyncRecord } from '../../src/sync/record.js';

const file = (path: string, extra: Partial<ManifestEntry> = {}): ManifestEntry => ({ path, type: 'file', mode: 0o644, size: 10, mtime: 1000, ...extra });
const dir = (path: string): ManifestEntry => ({ path, type: 'dir', mode: 0o755, size: 0, mtime: 1000 });
const link = (path: string, target: string): ManifestEntry => ({ path, type: 'symlink', mode: 0o777, size: 0, mtime: 1000, target });
const manifest = (...entries: ManifestEntry[]): Manifest => new Map(entries.map((e) => [e.path, e]));
const record = (...entries: ManifestEntry[]): SyncRecord => new Map(entries.map((e) => [e.path, toRecordEntry(e)!]));

describe('the record', () => {
  it('holds files and links, not folders; a mode change alone still matches', () => {
    expect(toRecordEntry(dir('d'))).toBeUndefined();
    expect(matchesRecord(file('a', { mode: 0o755 }), toRecordEntry(file('a')))).toBe(true);
    expect(matchesRecord(file('a', { mtime: 1001 }), toRecordEntry(file('a')))).toBe(false);
    expect(matchesRecord(link('l', 'x'), toRecordEntry(link('l', 'y')))).toBe(false);
    expect(matchesRecord(file('a'), undefined)).toBe(false);
  });

  it('after a full sync is the host manifest, with what the archive really carried, and keeps the old entry of what did not reach the container', () => {
    const previous = record(file('locked.js', { size: 3 }), file('old-only.js'));
    const host = manifest(dir('src'), file('src/a.js'), file('changed.js', { size: 5 }), file('locked.js', { size: 4 }), file('new-locked.js'), link('l', 'src/a.js'));
    const next = recordAfterFullSync(previous, host, new Set(['locked.js', 'new-locked.js']), new Map([['changed.js', { size: 6, mtime: 1002 }]]));
    expect(Object.fromEntries(next)).toEqual({
      'src/a.js': { type: 'file', size: 10, mtime: 1000 },
      'changed.js': { type: 'file', size: 6, mtime: 1002 },
      'locked.js': { type: 'file', size: 3, mtime: 1000 },
      l: { type: 'symlink', size: 0, mtime: 0, target: 'src/a.js' },
    });
  });

  it('a live batch removes whole subtrees and records what it sent', () => {
    const r = record(file('gone/a'), file('gone/deep/b'), file('gone-not'), file('x'), file('y'));
    updateRecord(r, [file('x', { size: 1, mtime: 2 }), file('new'), dir('y')], ['gone'], new Map([['new', { size: 7, mtime: 3 }]]));
    expect(Object.fromEntries(r)).toEqual({
      'gone-not': { type: 'file', size: 10, mtime: 1000 },
      x: { type: 'file', size: 1, mtime: 2 },
      new: { type: 'file', size: 7, mtime: 3 },
    });
  });

  it('serialises deterministically and parses back, hostile names included', () => {
    const names = ['b', 'a', "it's", 'new\nline', 'tab\there', 'ünï 文件', '-rf'];
    const r = record(...names.map((n, i) => file(n, { size: i })), link('lnk', '../x'));
    const text = serialiseRecord(r);
    expect(serialiseRecord(new Map([...r].reverse()))).toBe(text);
    expect(parseRecord(text)).toEqual(r);
  });

  it('a half-written or foreign record is no record', () => {
    expect(parseRecord('{"version":1,"entries":[["a","f",1')).toBeUndefined();
    expect(parseRecord('{"version":2,"entries":[]}')).toBeUndefined();
    expect(parseRecord('{"version":1,"entries":[["a","x",1,2]]}')).toBeUndefined();
    expect(parseRecord('{"version":1,"entries":[]}')).toEqual(new Map());
  });
});
