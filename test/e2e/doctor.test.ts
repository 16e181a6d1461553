// `dsync doctor --json --emulator` on a fixture app, the built CLI against
// the real engine: before `dsync up` the container's checks are skipped
// (saying to run up), after it they really ran in the container and pass.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startUp, type UpProcess } from '../helpers/cli.js';
import { SAM_BASE } from '../helpers/emulator-run.js';
import { engineClient, tempProject } from '../helpers/real-docker.js';

const fixture = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/apps/hello-world-rest');
// The proxy check compares the host's proxy variables with the container's;
// this run sets none on either side, so the check's answer does not depend
// on the machine the tests run on.
const env = { DSYNC_SAM_BASE_IMAGE: SAM_BASE, HTTP_PROXY: '', HTTPS_PROXY: '', NO_PROXY: '', http_proxy: '', https_proxy: '', no_proxy: '' };

interface Check {
  id: string;
  status: string;
  message: string;
  fix?: string;
}

function doctor(dir: string): { code: number | null; checks: Record<string, Check>; raw: string } {
  const r = runCli(['doctor', '--json', '--emulator', '--cwd', dir], env);
  const lines = r.stdout.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  const report = JSON.parse(lines[0]!) as { type: string; ok: boolean; checks: Check[] };
  expect(report.type).toBe('doctor');
  return { code: r.code, checks: Object.fromEntries(report.checks.map((c) => [c.id, c])), raw: r.stdout };
}

let up: UpProcess | undefined;
let dir = '';
afterAll(async () => {
  await up?.stop();
  if (dir) runCli(['down', '--purge', '--cwd', dir], env);
});

describe('dsync doctor against the real engine', () => {
  it('skips the container checks before `up` and runs them in the container after it', async () => {
    dir = path.join(tempProject('doctor'), 'hello-world-rest');
    fs.cpSync(fixture, dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'dsync.json'), JSON.stringify({ samVersion: '>=1.0.0' }));
    const endpoint = engineClient().endpoint;

    const before = doctor(dir);
    expect(before.code, before.raw).toBe(0);
    expect(before.checks.config).toMatchObject({ status: 'pass', message: 'dsync.json, pins: samVersion >=1.0.0' });
    expect(before.checks.engine!.status).toBe('pass');
    expect(before.checks.engine!.message).toMatch(/^Docker Engine \S+ \(API [\d.]+, linux\/\w+\) at /);
    expect(before.checks.engine!.message).toContain(endpoint);
    for (const id of ['sam', 'clock', 'proxy', 'disk']) {
      expect(before.checks[id], id).toEqual({ id, status: 'skip', message: 'no dsync container for this project yet (run `dsync up` first)' });
    }
    expect(before.checks.credentials).toMatchObject({ status: 'skip', message: '--emulator uses fixed local keys' });
    expect(before.checks.template).toMatchObject({ status: 'pass', message: 'template.yaml: 1 function, 1 resource' });
    for (const id of ['crlf', 'exec-bits', 'watchers']) expect(before.checks[id]!.status, id).toBe('pass');

    up = startUp(['--emulator', '--cwd', dir], env);
    await up.waitFor('watching', 600_000);

    const after = doctor(dir);
    expect(after.code, after.raw).toBe(0);
    // The image up built and runs the container on, found on the engine (not pinned: a warning with the digest to pin).
    expect(after.checks.image).toMatchObject({
      status: 'warn',
      message: expect.stringMatching(/^dsync\/sam:\S+ \(id [0-9a-f]{12}\) is on the engine but not pinned by digest$/),
      fix: expect.stringMatching(/^add "imageDigest": "sha256:[0-9a-f]{64}"/),
    });
    expect(after.checks.sam).toMatchObject({ status: 'pass', message: expect.stringMatching(/^SAM CLI \d+\.\d+\.\d+ meets the pin >=1\.0\.0$/) });
    expect(after.checks.clock).toMatchObject({ status: 'pass', message: expect.stringMatching(/^the container's clock is within [\d.]+ s of the host's$/) });
    expect(after.checks.proxy).toEqual({ id: 'proxy', status: 'pass', message: 'no proxy set on the host or in the container' });
    expect(after.checks.disk).toMatchObject({ status: 'pass', message: expect.stringMatching(/^[\d.]+ GiB free on the workspace volume \(\/dsync\)$/) });
    expect(after.checks.engine!.status).toBe('pass');

    // A pin the container's SAM does not meet fails the run.
    fs.writeFileSync(path.join(dir, 'dsync.json'), JSON.stringify({ samVersion: '<1.0.0' }));
    const pinned = doctor(dir);
    expect(pinned.code).toBe(5);
    expect(pinned.checks.sam).toMatchObject({ status: 'fail', message: expect.stringContaining('does not meet the pin <1.0.0') });
  }, 900_000);
});
