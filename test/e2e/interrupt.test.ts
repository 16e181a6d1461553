// Ctrl-C at odd moments, against the built CLI: while the SAM image builds,
// during the initial sync, while the emulator starts, during the first
// deploy, and while `dsync logs` follows. Each time dsync must stop promptly
// with the documented status, leave nothing running that it started, and
// lose nothing: the next `up` converges.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, runCli, startUp } from '../helpers/cli.js';
import { SAM_BASE } from '../helpers/emulator-run.js';
import { DEBIAN_IMAGE, engineClient, expectTreesEqual, tempProject } from '../helpers/real-docker.js';

const example = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples/shop-api');
const samEnv = { DSYNC_SAM_BASE_IMAGE: SAM_BASE };
const cleanup: string[] = [];
afterAll(() => {
  for (const dir of cleanup) runCli(['down', '--purge', '--cwd', dir]);
});

function copyExample(): string {
  const dir = path.join(tempProject('interrupt'), 'shop-api');
  fs.cpSync(example, dir, { recursive: true });
  cleanup.push(dir);
  return dir;
}

/** Processes in the project's container whose command line matches `pattern`. */
function containerProcesses(dir: string, pattern: string): string[] {
  const r = runCli(['exec', '--cwd', dir, '--', 'sh', '-c', `ps -eo args | grep -F -- ${JSON.stringify(pattern)} | grep -v grep || true`]);
  return r.stdout.split('\n').filter(Boolean);
}

describe('Ctrl-C at any moment', () => {
  it('while the SAM image builds: exits 130 within seconds', async () => {
    const dir = copyExample();
    // A certificate only this run has makes a new image tag, so a build really starts.
    const cert = path.join(tempProject('cert'), 'one-off.crt');
    const pem = execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', '/dev/null', '-days', '1', '-subj', `/CN=dsync-interrupt-${Date.now()}`], {
      encoding: 'utf8',
    });
    fs.writeFileSync(cert, pem);
    const up = startUp(['--emulator', '--cwd', dir], { ...samEnv, DSYNC_EXTRA_CA_CERTS: cert });
    await up.waitFor('progress', 120_000, (e) => String(e.message).includes('building the SAM image'));
    const t0 = Date.now();
    expect(await up.stop()).toBe(130);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(up.events.at(-1)).toMatchObject({ type: 'stopped', interrupted: true });
  });

  it('during the initial sync: exits 130, and the next up converges', async () => {
    const dir = tempProject('interrupt-sync');
    cleanup.push(dir);
    for (let i = 0; i < 40; i++) {
      fs.mkdirSync(path.join(dir, `d${i}`));
      for (let j = 0; j < 50; j++) fs.writeFileSync(path.join(dir, `d${i}`, `f${j}.bin`), Buffer.alloc(40_000, i + j));
    }
    const args = ['--sync-only', '--cwd', dir, '--image', DEBIAN_IMAGE];
    const up = startUp(args);
    await up.waitFor('progress', 60_000, (e) => String(e.message).includes('comparing host and container'));
    expect(await up.stop()).toBe(130);
    expect(up.events.some((e) => e.type === 'watching')).toBe(false);
    const again = startUp(args);
    const initial = await again.waitFor('initial-sync', 120_000);
    await expectTreesEqual(engineClient(), String(initial.containerId), dir);
    expect(await again.stop()).toBe(0);
  });

  it('while the emulator starts, and during the first deploy', async () => {
    const dir = copyExample();
    const first = startUp(['--emulator', '--cwd', dir], samEnv);
    await first.waitFor('progress', 300_000, (e) => String(e.message).includes('starting the AWS emulator'));
    expect(await first.stop()).toBe(130);

    // The first deploy runs after dsync is watching: Ctrl-C then lets the SAM step finish, and exits 0.
    const second = startUp(['--emulator', '--cwd', dir], samEnv);
    await second.waitFor('deploy-started', 300_000);
    expect(await second.stop()).toBe(0);
    const types = second.events.map((e) => e.type);
    expect(types.indexOf('deploy-result')).toBeGreaterThan(types.indexOf('deploy-started'));
    expect(types.at(-1)).toBe('stopped');
    // Nothing dsync started for the run is left behind in the container (the emulator stays for the next
    // run); the SAM worker ends when its stdin closes, which may take it a moment while it is still loading.
    const gone = Date.now() + 20_000;
    while (Date.now() < gone && containerProcesses(dir, 'sam_worker.py').length > 0) await new Promise((r) => setTimeout(r, 250));
    expect(containerProcesses(dir, 'sam sync')).toEqual([]);
    expect(containerProcesses(dir, 'sam_worker.py')).toEqual([]);
  });

  it('dsync logs stops its own sam logs process in the container, and exits 0', async () => {
    const dir = copyExample();
    const up = startUp(['--emulator', '--cwd', dir], samEnv);
    await up.waitFor('live', 300_000);
    const { spawn } = await import('node:child_process');
    const logs = spawn(process.execPath, [CLI, 'logs', '--cwd', dir], { env: { ...process.env, CI: '1' } });
    const exited = new Promise<number | null>((r) => logs.on('exit', r));
    const deadline = Date.now() + 60_000;
    while (containerProcesses(dir, 'sam logs').length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(containerProcesses(dir, 'sam logs')).toHaveLength(1);
    logs.kill('SIGINT');
    expect(await exited).toBe(0);
    const gone = Date.now() + 10_000;
    while (containerProcesses(dir, 'sam logs').length > 0 && Date.now() < gone) await new Promise((r) => setTimeout(r, 200));
    expect(containerProcesses(dir, 'sam logs')).toEqual([]);
    expect(await up.stop()).toBe(0);
  });

  it('a fatal error on a terminal stops the spinner: the error is the last thing printed', () => {
    const dir = tempProject('interrupt-tty');
    const typescript = path.join(os.tmpdir(), `dsync-tty-${process.pid}.txt`);
    // `script` gives dsync a real terminal (120 columns), so the ora spinner
    // is used. The preloaded timer stands for anything that keeps the
    // process alive for a moment after the error (a socket, a child): the
    // spinner must not draw over and under the error meanwhile.
    const linger = 'data:text/javascript,setTimeout(()=>{},3000)';
    const command = `stty cols 120 rows 40; ${process.execPath} --import '${linger}' ${CLI} up --emulator --cwd ${dir}`;
    const env: Record<string, string | undefined> = { ...process.env, DSYNC_SAM_BASE_IMAGE: 'dsync-local/no-such-base:1', TERM: 'xterm' };
    delete env.CI; // ora draws only where CI is not set at all
    const r = spawnSync('script', ['-qfec', command, typescript], {
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status).toBe(3);
    const out = fs.readFileSync(typescript, 'utf8');
    const errorAt = out.indexOf('dsync: The base image dsync-local/no-such-base:1');
    expect(errorAt).toBeGreaterThan(0);
    // After the error and its hint, nothing is drawn again: no spinner frame, no progress text.
    const after = out
      .slice(errorAt)
      .split('\n')
      .slice(2)
      .filter((l) => !l.startsWith('Script done'))
      .join('\n');
    expect(after.replace(/\x1b\[\?25h/g, '').trim()).toBe('');
  }, 120_000);
});
