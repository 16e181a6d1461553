import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContentFilter } from '../../../src/samloop/change-filter.js';
import { nodeHostFs } from '../../../src/sync/host-fs.js';

describe('ContentFilter', () => {
  it('passes a path on when its bytes changed, and drops a re-send of the same bytes', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-filter-'));
    const filter = new ContentFilter(nodeHostFs, root, path);
    fs.writeFileSync(path.join(root, 'a.js'), 'one');
    expect(await filter.changed(['a.js'])).toEqual(['a.js']);
    expect(await filter.changed(['a.js'])).toEqual([]);
    fs.writeFileSync(path.join(root, 'a.js'), 'two');
    expect(await filter.changed(['a.js'])).toEqual(['a.js']);
    fs.rmSync(path.join(root, 'a.js'));
    expect(await filter.changed(['a.js'])).toEqual(['a.js']);
    fs.writeFileSync(path.join(root, 'a.js'), 'two');
    expect(await filter.changed(['a.js', 'missing.js'])).toEqual(['a.js', 'missing.js']);
    fs.rmSync(root, { recursive: true, force: true });
  });
});

describe('ContentFilter and file modes', () => {
  it.skipIf(process.platform === 'win32')('passes a path on when only its executable bit changed (not as win32: Windows files have no executable bit to change)', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-filter-'));
    const filter = new ContentFilter(nodeHostFs, root, path);
    fs.writeFileSync(path.join(root, 'a.js'), 'one');
    expect(await filter.changed(['a.js'])).toEqual(['a.js']);
    fs.chmodSync(path.join(root, 'a.js'), 0o755);
    expect(await filter.changed(['a.js'])).toEqual(['a.js']);
    expect(await filter.changed(['a.js'])).toEqual([]);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
