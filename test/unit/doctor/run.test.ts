// `dsync doctor` over fake probes: every check passing, each one's failure
// with its fix, skips when the engine or the container is missing, time
// limits, and the command's exit code and --json shape (engine unreachable).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DsyncError } from '../../../src/base/errors.js';
import { main } from '../../../src/cli/main.js';
import { formatChecks } from '../../../src/cli/commands/doctor.js';
import { runDoctor, type CheckResult } from '../../../src/doctor/run.js';
import { runCheck } from '../../../src/doctor/check.js';
import { fakeEngine, fakeInput, fakeProbes, REPO_DIGEST, RUNNING, TEMPLATE, unreachable } from '../../helpers/doctor-fakes.js';

const byId = (results: CheckResult[]) => Object.fromEntries(results.map((r) => [r.id, r]));

describe('runDoctor', () => {
  it('passes every check on a healthy, pinned project', async () => {
    const results = await runDoctor(fakeInput({}, { imageDigest: REPO_DIGEST, samVersion: '^1.140.0' }), fakeProbes());
    expect(results.map((r) => r.id)).toEqual(['config', 'engine', 'image', 'sam', 'clock', 'proxy', 'credentials', 'template', 'crlf', 'exec-bits', 'watchers', 'disk']);
    expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
    const r = byId(results);
    expect(r.engine!.message).toBe('Docker Engine 27.3.1 (API 1.47, linux/amd64) at unix:///var/run/docker.sock (default)');
    expect(r.image!.message).toContain('public.ecr.aws/sam/build-nodejs22.x');
    expect(r.sam!.message).toBe('SAM CLI 1.142.1 meets the pin ^1.140.0');
    expect(r.template!.message).toBe('template.yaml: 2 functions, 3 resources');
    expect(r.disk!.message).toBe('32.3 GiB free on the workspace volume (/dsync)');
    expect(r.credentials!.message).toBe('AWS credentials from profile "dev" (from --profile) (long-lived keys)');
  });

  it('reports an unreachable engine with its fix and skips what needs it, without throwing', async () => {
    const results = await runDoctor(fakeInput(), fakeProbes({ engine: fakeEngine({}, { ping: () => Promise.reject(unreachable()) }) }));
    const r = byId(results);
    expect(r.engine).toEqual({
      id: 'engine',
      status: 'fail',
      message: 'Cannot reach the Docker engine at unix:///var/run/docker.sock: ENOENT',
      fix: 'start Docker Desktop or dockerd, or point DOCKER_HOST / DOCKER_CONTEXT at a running engine',
    });
    for (const id of ['image', 'sam', 'clock', 'proxy', 'disk']) expect(r[id]).toEqual({ id, status: 'skip', message: 'the Docker engine is not reachable (see engine)' });
    // Host-only checks still run.
    expect(r.template!.status).toBe('pass');
    expect(r.credentials!.status).toBe('pass');
  });

  it('fails the engine check with the context error when the endpoint cannot even be resolved', async () => {
    const error = new DsyncError('CONFIG', 'Docker context "gone" was not found', {
      hint: 'run `docker context ls` to see the contexts, or unset DOCKER_CONTEXT',
    });
    const r = byId(await runDoctor(fakeInput(), fakeProbes({ connectError: error })));
    expect(r.engine).toMatchObject({
      status: 'fail',
      message: 'Docker context "gone" was not found',
      fix: 'run `docker context ls` to see the contexts, or unset DOCKER_CONTEXT',
    });
    expect(r.disk!.status).toBe('skip');
  });

  it('bounds an engine that never answers', async () => {
    const hung = fakeEngine({}, { ping: () => new Promise(() => undefined) });
    const started = Date.now();
    const r = byId(await runDoctor(fakeInput({ timeouts: { engine: 50 } }), fakeProbes({ engine: hung })));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(r.engine).toMatchObject({ status: 'fail', message: 'The Docker engine at unix:///var/run/docker.sock did not answer within 0.05 s' });
    expect(r.image!.status).toBe('skip');
  });

  it('skips container checks until `dsync up` created the container, and when it is stopped', async () => {
    const none = byId(await runDoctor(fakeInput(), fakeProbes({ container: undefined })));
    for (const id of ['sam', 'clock', 'proxy', 'disk'])
      expect(none[id]).toMatchObject({ status: 'skip', message: 'no dsync container for this project yet (run `dsync up` first)' });
    expect(none.image!.status).toBe('warn'); // on the engine, not pinned: the image needs no container
    const stopped = byId(await runDoctor(fakeInput(), fakeProbes({ container: { ...RUNNING, state: 'exited' } })));
    expect(stopped.sam).toMatchObject({ status: 'skip', message: 'the container dsync-app-1234 is exited (run `dsync up` to start it)' });
  });

  it('reports a broken dsync.json and runs the rest on the defaults', async () => {
    const configError = new DsyncError('CONFIG', '/work/app/dsync.json is not valid JSON: Unexpected token');
    const r = byId(await runDoctor(fakeInput({ configError }), fakeProbes()));
    expect(r.config).toMatchObject({
      status: 'fail',
      message: '/work/app/dsync.json is not valid JSON: Unexpected token',
      fix: 'fix dsync.json (the other checks ran on the defaults)',
    });
    expect(r.engine!.status).toBe('pass');
  });

  it("skips credentials in emulator mode and chooses dsync's SAM image there", async () => {
    const engine = fakeEngine({}, { inspectImage: async () => undefined });
    const r = byId(await runDoctor(fakeInput({ mode: 'emulator' }), fakeProbes({ engine })));
    expect(r.credentials).toEqual({ id: 'credentials', status: 'skip', message: '--emulator uses fixed local keys' });
    expect(r.image).toMatchObject({
      status: 'warn',
      message: expect.stringMatching(/^dsync\/sam:[0-9a-f]{12} is not on the engine yet$/),
      fix: expect.stringContaining('dsync image'),
    });
  });

  it('fails a check whose probe throws something unexpected, with no stack', async () => {
    const engine = fakeEngine({}, { exec: () => Promise.reject(new TypeError('socket hang up\n    at Foo (x.js:1:1)')) });
    const r = byId(await runDoctor(fakeInput(), fakeProbes({ engine })));
    expect(r.disk).toMatchObject({ status: 'fail', message: 'socket hang up' });
    expect(r.disk!.fix).toBeTruthy();
  });
});

describe('runCheck', () => {
  it('turns a check that runs out of time into a warning (or a failure when asked)', async () => {
    const never = () => new Promise<CheckResult>(() => undefined);
    expect(await runCheck({ id: 'slow', timeoutMs: 20, run: never })).toMatchObject({ status: 'warn', message: 'could not check: no answer within 0 s' });
    expect(await runCheck({ id: 'slow', timeoutMs: 20, onTimeout: 'fail', timeoutFix: 'do X', run: never })).toEqual({
      id: 'slow',
      status: 'fail',
      message: 'no answer within 0 s',
      fix: 'do X',
    });
  });
});

describe('formatChecks', () => {
  const results: CheckResult[] = [
    { id: 'engine', status: 'pass', message: 'Docker Engine 27 at unix:///x' },
    { id: 'sam', status: 'warn', message: 'SAM CLI 1.142.1 (no version pinned)', fix: 'add "samVersion"' },
    { id: 'disk', status: 'fail', message: 'only 50 MiB free', fix: 'free space' },
    { id: 'clock', status: 'skip', message: 'no container' },
  ];
  it('prints words without a terminal and symbols on one, each fix on its own line', () => {
    expect(formatChecks(results, false)).toBe(
      [
        'pass engine  Docker Engine 27 at unix:///x',
        'warn sam     SAM CLI 1.142.1 (no version pinned)',
        '             fix: add "samVersion"',
        'fail disk    only 50 MiB free',
        '             fix: free space',
        'skip clock   no container',
        '',
        '1 check passed, 1 warning, 1 failure, 1 skipped',
        '',
      ].join('\n'),
    );
    const tty = formatChecks(results, true);
    expect(tty).toContain('✔ engine  ');
    expect(tty).toContain('! sam     ');
    expect(tty).toContain('✖ disk    ');
    expect(tty).toContain('- clock   ');
  });
});

/** The command through main(), with an engine address where nothing listens: no Docker needed. */
function runMain(args: string[], env: Record<string, string | undefined> = {}) {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c) => (stdout += c));
  err.on('data', (c) => (stderr += c));
  const io = {
    stdout: out as unknown as NodeJS.WriteStream,
    stderr: err as unknown as NodeJS.WriteStream,
    env: { DOCKER_HOST: 'unix:///nonexistent/dsync-doctor.sock', ...env },
  };
  return main(args, io).then((code) => ({ code, stdout, stderr }));
}

describe('dsync doctor (command)', () => {
  const project = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-doctor-unit-'));
    fs.writeFileSync(path.join(dir, 'template.yaml'), TEMPLATE);
    return dir;
  };

  it('exits 5 when a check fails, and --json prints one object with every check', async () => {
    const dir = project();
    const { code, stdout, stderr } = await runMain(['doctor', '--json', '--emulator', '--cwd', dir]);
    expect(code).toBe(5);
    expect(stderr).toBe('');
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]!) as { type: string; ok: boolean; checks: CheckResult[] };
    expect(report).toMatchObject({ type: 'doctor', ok: false });
    for (const c of report.checks) {
      expect(Object.keys(c).sort()).toEqual(c.fix === undefined ? ['id', 'message', 'status'] : ['fix', 'id', 'message', 'status']);
      expect(['pass', 'warn', 'fail', 'skip']).toContain(c.status);
    }
    const r = byId(report.checks);
    expect(r.engine).toMatchObject({
      status: 'fail',
      message: 'Cannot reach the Docker engine at unix:///nonexistent/dsync-doctor.sock (from DOCKER_HOST): ENOENT',
    });
    expect(r.engine!.fix).toContain('DOCKER_HOST');
    expect(r.disk).toMatchObject({ status: 'skip' });
    expect(r.template).toMatchObject({ status: 'pass', message: 'template.yaml: 2 functions, 3 resources' });
  });

  it('prints one line per check without a terminal, with the fix under each failure', async () => {
    const dir = project();
    fs.writeFileSync(path.join(dir, 'dsync.json'), '{ "samVersion": ');
    const { code, stdout } = await runMain(['doctor', '--emulator', '--cwd', dir]);
    expect(code).toBe(5);
    expect(stdout).toMatch(/^fail config {7}.*dsync\.json:1:\d+: not valid JSON/m);
    expect(stdout).toMatch(/^fail engine {7}Cannot reach the Docker engine/m);
    expect(stdout).toMatch(/^ {18}fix: start Docker Desktop or dockerd/m);
    expect(stdout).toMatch(/^skip disk {9}the Docker engine is not reachable \(see engine\)$/m);
    expect(stdout).not.toMatch(/\n\s+at /);
  });

  it('has a --help naming every check', async () => {
    const { code, stdout } = await runMain(['doctor', '--help']);
    expect(code).toBe(0);
    for (const id of ['engine', 'image', 'sam', 'clock', 'proxy', 'credentials', 'template', 'crlf', 'exec-bits', 'watchers', 'disk']) expect(stdout).toContain(`  ${id}`);
  });
});
