// The built `dsync` binary, run the way a user runs it.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { BUSYBOX_IMAGE, DEBIAN_IMAGE, engineClient, expectTreesEqual, tempProject } from '../helpers/real-docker.js';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/dsync.js');
// A loopback TCP door to the test engine, opened by the global set-up (test/setup/engine.ts).
const TCP_HOST = inject('tcpHost');

function run(args: string[], env: Record<string, string | undefined> = {}) {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, CI: '1', ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function up(args: string[], env: Record<string, string | undefined> = {}) {
  const child = spawn(process.execPath, [cli, 'up', '--sync-only', '--json', ...args], { env: { ...process.env, CI: '1', ...env } });
  const events: Array<Record<string, unknown>> = [];
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  createInterface({ input: child.stdout }).on('line', (l) => events.push(JSON.parse(l)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return {
    events,
    async waitFor(type: string, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const found = events.find((e) => e.type === type);
        if (found) return found;
        if (child.exitCode !== null) throw new Error(`dsync up exited ${child.exitCode}: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no ${type} event; stderr: ${stderr}`);
    },
    async stop() {
      child.kill('SIGINT');
      return exited;
    },
  };
}

async function waitForFile(args: string[], file: string, content: string, env: Record<string, string | undefined> = {}) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = run(['exec', ...args, '--', 'cat', file], env);
    if (r.code === 0 && r.stdout === content) return;
    if (Date.now() > deadline) throw new Error(`${file} never had ${JSON.stringify(content)}: ${r.stdout}${r.stderr}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

const cleanup: string[][] = [];
afterAll(() => {
  for (const args of cleanup) run(['down', '--purge', ...args]);
});

describe('dsync CLI', () => {
  it('prints help and version, and rejects unknown commands and flags with a hint', () => {
    expect(run(['--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage: dsync <command>') });
    expect(run(['up', '--help']).stdout).toContain('--sync-only');
    expect(run(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const bad = run(['frobnicate']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('dsync: unknown command "frobnicate"\nhint: commands: up, status, exec, logs, invoke, trigger, debug, image, init, down, doctor; see `dsync --help`\n');
    const flag = run(['status', '--bogus']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/^dsync: status: Unknown option '--bogus'/);
  });

  it('names the endpoint when the engine is unreachable, without a stack trace', () => {
    const dir = tempProject('noengine');
    const r = run(['status', '--cwd', dir], { DOCKER_HOST: 'unix:///tmp/dsync-no-such.sock' });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('Cannot reach the Docker engine at unix:///tmp/dsync-no-such.sock (from DOCKER_HOST)');
    expect(r.stderr).toContain('hint:');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('explains a missing project folder and a missing image', () => {
    const missing = run(['up', '--sync-only', '--cwd', '/no/such/project']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Project folder /no/such/project does not exist');
    const dir = tempProject('noimage');
    cleanup.push(['--cwd', dir]);
    const noImage = run(['up', '--sync-only', '--cwd', dir, '--image', 'dsync-local/does-not-exist:1']);
    expect(noImage.code).toBe(3);
    expect(noImage.stderr).toContain('Image dsync-local/does-not-exist:1 is not on the engine and could not be pulled');
  });

  it('up, exec, status and down work end to end over TCP (no local socket, no shared files)', async () => {
    const dir = tempProject('tcp e2e ü');
    fs.mkdirSync(path.join(dir, 'src'));
    fs.writeFileSync(path.join(dir, 'src/app.js'), 'v1');
    const args = ['--cwd', dir, '--image', DEBIAN_IMAGE];
    const env = { DOCKER_HOST: TCP_HOST };
    cleanup.push(args);
    const session = up(args, env);
    try {
      await session.waitFor('watching');
      const sentinel = `sentinel-${Date.now()}`;
      fs.writeFileSync(path.join(dir, 'src/app.js'), sentinel);
      await waitForFile(args, 'src/app.js', sentinel, env);

      const exec = run(['exec', ...args, '--', 'sh', '-c', 'pwd; echo to-stderr >&2; exit 7'], env);
      expect(exec.code).toBe(7);
      expect(exec.stdout.trim()).toBe('/dsync/workspace');
      expect(exec.stderr.trim()).toBe('to-stderr');

      const status = JSON.parse(run(['status', '--json', ...args], env).stdout);
      expect(status).toMatchObject({ workspace: '/dsync/workspace', inSync: true, engine: expect.stringContaining(TCP_HOST) });
      expect(status.container.state).toBe('running');
    } finally {
      expect(await session.stop()).toBe(0);
    }
    // After Ctrl-C the container stays; an edit made while dsync was stopped shows as drift.
    fs.writeFileSync(path.join(dir, 'src/offline.js'), 'edited while dsync was not running');
    const drift = JSON.parse(run(['status', '--json', ...args], env).stdout);
    expect(drift.inSync).toBe(false);
    expect(drift.drift.toSend).toEqual(['src/offline.js']);
    // The next up sends exactly that file.
    const again = up(args, env);
    const initial = await again.waitFor('initial-sync');
    expect(initial).toMatchObject({ sent: 1, removed: 0 });
    await again.stop();

    const down = run(['down', '--purge', ...args], env);
    expect(down.code).toBe(0);
    expect(run(['status', '--json', ...args], env).stdout).toContain('"container":null');
    expect(run(['exec', ...args, '--', 'true'], env).code).toBe(4);
  });

  it('works with a busybox-only image', async () => {
    const dir = tempProject('busybox');
    fs.mkdirSync(path.join(dir, 'lib/deep'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'lib/deep/x.js'), 'x');
    fs.writeFileSync(path.join(dir, 'run.sh'), '#!/bin/sh\necho ok\n', { mode: 0o755 });
    const args = ['--cwd', dir, '--image', BUSYBOX_IMAGE];
    cleanup.push(args);
    const session = up(args);
    try {
      const started = await session.waitFor('initial-sync');
      fs.writeFileSync(path.join(dir, 'lib/new.js'), 'new');
      fs.rmSync(path.join(dir, 'lib/deep'), { recursive: true });
      await waitForFile(args, 'lib/new.js', 'new');
      await expectTreesEqual(engineClient(), String(started.containerId), dir);
      expect(run(['exec', ...args, '--', './run.sh']).stdout).toBe('ok\n');
    } finally {
      await session.stop();
    }
  });
});
