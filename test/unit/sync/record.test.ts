import { describe, expect, it } from 'vitest';
import type { Manifest, ManifestEntry } from '../../../src/sync/manifest.js';
import { matchesRecord, parseRecord, recordAfterFailure, recordAfterFullSync, serialiseRecord, toRecordEntry, updateRecord, type SyncRecord } from '../../../src/sync/record.js';

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

  it('after a full sync follows the container: what it sent as written, what it left alone as listed when equal to the host, and the old entry of what did not reach the container', () => {
    const previous = record(file('locked.js', { size: 3 }), file('old-only.js'));
    const host = manifest(dir('src'), file('src/a.js'), file('changed.js', { size: 5 }), file('locked.js', { size: 4 }), file('new-locked.js'), link('l', 'src/a.js'));
    const remote = manifest(dir('src'), file('src/a.js'), file('changed.js', { size: 1 }), file('locked.js', { size: 3 }));
    const plan = { send: [file('changed.js', { size: 5 }), file('locked.js', { size: 4 }), file('new-locked.js'), link('l', 'src/a.js')], remove: [] };
    const next = recordAfterFullSync(previous, {
      host,
      remote,
      plan,
      left: new Set(['locked.js', 'new-locked.js']),
      written: new Map([['changed.js', { size: 6, mtime: 1002 }]]),
    });
    expect(Object.fromEntries(next)).toEqual({
      'src/a.js': { type: 'file', size: 10, mtime: 1000 },
      'changed.js': { type: 'file', size: 6, mtime: 1002 },
      'locked.js': { type: 'file', size: 3, mtime: 1000 },
      l: { type: 'symlink', size: 0, mtime: 0, target: 'src/a.js' },
    });
  });

  it('after a full sync keeps the record of what the container keeps for a folder the host could not read (issue 32: a folder gone mid-walk)', () => {
    const previous = record(file('d/sub/inside.txt', { size: 20, mtime: 1042 }), file('d/edited-inside.txt', { size: 1 }));
    const host = manifest(dir('d'), dir('d/sub'));
    // The container still has both; the diff keeps them (the walk could not list d/sub), so neither is removed.
    const remote = manifest(dir('d'), dir('d/sub'), file('d/sub/inside.txt', { size: 20, mtime: 1042 }), file('d/edited-inside.txt', { size: 2 }));
    const next = recordAfterFullSync(previous, { host, remote, plan: { send: [], remove: [] }, left: new Set(), written: new Map() });
    expect(Object.fromEntries(next)).toEqual({
      'd/sub/inside.txt': { type: 'file', size: 20, mtime: 1042 },
      // Changed inside and left alone: still recorded as dsync wrote it, so a later overwrite saves the change.
      'd/edited-inside.txt': { type: 'file', size: 1, mtime: 1000 },
    });
  });

  it('after a full sync forgets what it removed, and what was below a folder a file replaced', () => {
    const previous = record(file('gone.js'), file('x/in.js'), file('keep.js'));
    const host = manifest(file('keep.js'), file('x', { size: 3 }));
    const remote = manifest(file('gone.js'), file('keep.js'), dir('x'), file('x/in.js'));
    const plan = { send: [file('x', { size: 3 })], remove: ['gone.js', 'x'] };
    const next = recordAfterFullSync(previous, { host, remote, plan, left: new Set(), written: new Map([['x', { size: 3, mtime: 1000 }]]) });
    expect(Object.fromEntries(next)).toEqual({ 'keep.js': { type: 'file', size: 10, mtime: 1000 }, x: { type: 'file', size: 3, mtime: 1000 } });
  });

  it('after a failed transfer takes what the container holds at the sent paths, and forgets removed paths no longer there', () => {
    const r = record(file('a.js', { size: 1 }), file('b.js', { size: 1 }), file('gone/x'), file('gone/y'), file('was-file'));
    const plan = { send: [file('a.js', { size: 9 }), file('b.js', { size: 9 }), file('c.js'), dir('was-file')], remove: ['gone'] };
    // a.js landed, b.js was cut short while written, c.js never arrived, gone/y survived a failed rm.
    const seen = manifest(file('a.js', { size: 9, mtime: 1005 }), file('b.js', { size: 4, mtime: 1006 }), file('gone/y'));
    recordAfterFailure(r, plan, seen);
    expect(Object.fromEntries(r)).toEqual({
      'a.js': { type: 'file', size: 9, mtime: 1005 },
      'b.js': { type: 'file', size: 4, mtime: 1006 },
      'gone/y': { type: 'file', size: 10, mtime: 1000 },
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
