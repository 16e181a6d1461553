import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContentFilter } from '../../src/loop/change-filter.js';
import { percentile, summarizeChanges } from '../../src/loop/change-log.js';
import type { ChangeReport } from '../../src/loop/deployer.js';
import { describeApis, servedApi } from '../../src/loop/emulator-apis.js';
import { samImageTag } from '../../src/loop/image.js';
import { nodeHostFs } from '../../src/sync/host-fs.js';

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

describe('change summary', () => {
  const change = (seq: number, latencyMs: number, kind: ChangeReport['kind'] = 'code', ok = true): ChangeReport => ({ seq, kind, ok, latencyMs, resources: kind === 'none' ? [] : ['A'], stages: { detectMs: 10, syncMs: 5 } });

  it('computes p50/p95 over changes that went live, and keeps the last ones', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([3, 1, 2], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 100], 95)).toBe(100);
    const s = summarizeChanges([change(1, 900), change(2, 1100), change(3, 50, 'none'), change(4, 3000, 'code', false), change(5, 1000)], 'start');
    expect(s).toMatchObject({ count: 3, p50Ms: 1000, p95Ms: 1100 });
    expect(s.last.map((c) => c.seq)).toEqual([1, 2, 4, 5]);
  });
});

describe('SAM image tag', () => {
  it('changes with the Dockerfile, the base image and the extra CAs, and only then', () => {
    const base = { dockerfile: 'FROM x', baseImage: 'debian:bookworm-slim', caCertificates: [] };
    const tag = samImageTag(base);
    expect(tag).toMatch(/^dsync\/sam:[0-9a-f]{12}$/);
    expect(samImageTag({ ...base })).toBe(tag);
    expect(samImageTag({ ...base, dockerfile: 'FROM y' })).not.toBe(tag);
    expect(samImageTag({ ...base, baseImage: 'dsync-local/debian:bookworm' })).not.toBe(tag);
    expect(samImageTag({ ...base, caCertificates: [{ name: 'corp.crt', pem: '-----BEGIN CERTIFICATE-----' }] })).not.toBe(tag);
  });
});

describe('the APIs the emulator serves', () => {
  const published = { 5001: 32791, 5002: 32790 };

  it('gives a REST API its named stage (not the deployment stage SAM also creates) and an HTTP API its root', () => {
    expect(servedApi({ id: 'ServerlessRestApi', type: 'REST', stack: 's', port: 5001, stages: ['Prod', 'Stage'] }, published)).toEqual({
      id: 'ServerlessRestApi',
      type: 'REST',
      url: 'http://127.0.0.1:32791/Prod',
    });
    expect(servedApi({ id: 'ServerlessHttpApi', type: 'HTTP', stack: 's', port: 5002, stages: ['$default'] }, published).url).toBe('http://127.0.0.1:32790');
    expect(servedApi({ id: 'Api', type: 'HTTP', stack: 's', port: 5002, stages: ['api'] }, published).url).toBe('http://127.0.0.1:32790/api');
  });

  it('says when an API got no port', () => {
    const api = servedApi({ id: 'Eleventh', type: 'REST', stack: 's', port: null, stages: ['Prod'] }, published);
    expect(api).toEqual({ id: 'Eleventh', type: 'REST' });
    expect(describeApis([api])).toEqual(['REST API Eleventh: not served (the emulator serves 10 APIs per stack)']);
  });
});
