import { describe, expect, it } from 'vitest';
import { diffManifests } from '../../../src/sync/diff.js';
import type { Manifest, ManifestEntry } from '../../../src/sync/manifest.js';
import { IgnoreRules } from '../../../src/sync/ignore-rules.js';
import { parseRemoteListing, remoteListScript } from '../../../src/sync/remote-manifest.js';

const file = (path: string, extra: Partial<ManifestEntry> = {}): ManifestEntry => ({ path, type: 'file', mode: 0o644, size: 10, mtime: 1000, ...extra });
const dir = (path: string, extra: Partial<ManifestEntry> = {}): ManifestEntry => ({ path, type: 'dir', mode: 0o755, size: 0, mtime: 1000, ...extra });
const manifest = (...entries: ManifestEntry[]): Manifest => new Map(entries.map((e) => [e.path, e]));
const rules = new IgnoreRules();
const opts = { isIgnored: (p: string, d: boolean) => rules.isIgnored(p, d) };

describe('diffManifests', () => {
  it('sends nothing when the trees match', () => {
    const m = manifest(dir('src'), file('src/a.js'));
    expect(diffManifests(m, manifest(dir('src'), file('src/a.js')), opts)).toEqual({ send: [], remove: [] });
  });

  it('sends new and changed files, parents first', () => {
    const host = manifest(file('src/b.js'), dir('src'), file('src/a.js', { size: 11 }), file('x.sh', { mode: 0o755 }));
    const remote = manifest(dir('src'), file('src/a.js'), file('x.sh'));
    expect(diffManifests(host, remote, opts).send.map((e) => e.path)).toEqual(['src/a.js', 'src/b.js', 'x.sh']);
  });

  it('detects a content change through mtime even at equal size', () => {
    const plan = diffManifests(manifest(file('a', { mtime: 1001 })), manifest(file('a')), opts);
    expect(plan.send.map((e) => e.path)).toEqual(['a']);
  });

  it('sends what an event named (and what is below a named folder) even when size and mtime match: a same-second edit keeps both', () => {
    const host = manifest(dir('src'), file('src/a.js'), file('src/b.js'), dir('lib'), file('lib/c.js'), file('other.js'));
    const remote = manifest(dir('src'), file('src/a.js'), file('src/b.js'), dir('lib'), file('lib/c.js'), file('other.js'));
    const plan = diffManifests(host, remote, { ...opts, changed: new Set(['src/a.js', 'lib', 'gone.js']) });
    expect(plan.send.map((e) => e.path)).toEqual(['lib/c.js', 'src/a.js']);
    expect(diffManifests(host, remote, { ...opts, changed: new Set() })).toEqual({ send: [], remove: [] });
  });

  it('removes only the outermost path of what the host no longer has', () => {
    const host = manifest(dir('keep'));
    const remote = manifest(dir('keep'), dir('gone'), dir('gone/deep'), file('gone/deep/x'), file('stale.js'));
    expect(diffManifests(host, remote, opts).remove).toEqual(['gone', 'stale.js']);
  });

  it('leaves ignored container paths alone (build output, caches)', () => {
    const remote = manifest(dir('node_modules'), file('node_modules/x.js'), dir('.aws-sam'), file('debug.swp'));
    expect(diffManifests(manifest(), remote, opts).remove).toEqual([]);
  });

  it('keeps the container copy of files the host could not read', () => {
    const plan = diffManifests(manifest(), manifest(file('locked.db'), dir('private'), file('private/x')), {
      ...opts,
      keep: new Set(['locked.db', 'private']),
    });
    expect(plan.remove).toEqual([]);
  });

  it('replaces a folder that became a file (and back) by removing it first', () => {
    const plan = diffManifests(manifest(file('a'), dir('b'), file('b/x')), manifest(dir('a'), file('a/old'), file('b')), opts);
    expect(plan.remove).toEqual(['a', 'b']);
    expect(plan.send.map((e) => e.path)).toEqual(['a', 'b', 'b/x']);
  });

  it('updates symlinks whose target changed', () => {
    const link = (target: string): ManifestEntry => ({ path: 'l', type: 'symlink', mode: 0o777, size: 0, mtime: 1, target });
    expect(diffManifests(manifest(link('a')), manifest(link('a')), opts).send).toEqual([]);
    expect(diffManifests(manifest(link('b')), manifest(link('a')), opts).send.map((e) => e.target)).toEqual(['b']);
  });
});

describe('remote listing', () => {
  it('parses busybox and GNU stat output, including odd names', () => {
    const output = [
      'directory\t755\t4096\t1700000000\t./src',
      'regular file\t644\t12\t1700000001\t./src/a b.js',
      'regular empty file\t600\t0\t1700000002\t./empty',
      'symbolic link\t777\t5\t1700000003\t./link',
      'regular file\t755\t3\t1700000004\t./tab\there',
      'regular file\t644\t3\t1700000004\t./ü/ñ.txt',
      'fifo\t644\t0\t1\t./pipe',
      '--dsync-links--',
      './link\tsrc/a b.js',
      '',
    ].join('\n');
    const m = parseRemoteListing(output);
    expect([...m.keys()].sort()).toEqual(['empty', 'link', 'src', 'src/a b.js', 'tab\there', 'ü/ñ.txt']);
    expect(m.get('src/a b.js')).toMatchObject({ type: 'file', size: 12, mode: 0o644, mtime: 1700000001 });
    expect(m.get('empty')).toMatchObject({ type: 'file', size: 0, mode: 0o600 });
    expect(m.get('link')).toMatchObject({ type: 'symlink', target: 'src/a b.js' });
  });

  it("parses GNU find's one-pass NUL-separated listing, including names with tabs and newlines and link targets", () => {
    const records = [
      ['d', '755', '4096', '1700000000.5000000000', './src', ''],
      ['f', '644', '12', '1700000001.9999999990', './src/a b.js', ''],
      ['f', '600', '0', '1700000002.0000000000', './empty', ''],
      ['l', '777', '10', '1700000003.1000000000', './link', 'src/a\tb.js'],
      ['f', '755', '3', '1700000004.0000000000', './tab\there', ''],
      ['f', '644', '3', '1700000004.0000000000', './ü/ñ.txt', ''],
      ['p', '644', '0', '1.0', './pipe', ''],
    ];
    const output = `--dsync-gnu--\n${records.map((r) => r.join('\0') + '\0').join('')}`;
    const m = parseRemoteListing(output);
    expect([...m.keys()].sort()).toEqual(['empty', 'link', 'src', 'src/a b.js', 'tab\there', 'ü/ñ.txt']);
    expect(m.get('src/a b.js')).toMatchObject({ type: 'file', size: 12, mode: 0o644, mtime: 1700000001 });
    expect(m.get('src')).toMatchObject({ type: 'dir', mode: 0o755, mtime: 1700000000 });
    expect(m.get('link')).toMatchObject({ type: 'symlink', target: 'src/a\tb.js' });
  });

  it('quotes the workspace path in the script', () => {
    expect(remoteListScript("/w/it's")).toContain(`'/w/it'\\''s'`);
  });
});
