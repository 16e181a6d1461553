// The README's quick start on a machine whose Docker engine already runs:
// it must use that engine as it is (same dockerd process, no new listener)
// and get the example app live in the emulator.
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const example = path.join(repo, 'examples/shop-api');

function dockerdPids(): string[] {
  try {
    return execFileSync('pgrep', ['-x', 'dockerd'], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
  } catch {
    return [];
  }
}

/** TCP ports dockerd listens on. */
function dockerdListeners(): string[] {
  const out = execFileSync('ss', ['-Hltnp'], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.includes('"dockerd"'))
    .map((l) => l.split(/\s+/)[3]!)
    .sort();
}

afterAll(() => runCli(['down', '--purge', '--cwd', example]));

describe('scripts/quickstart.sh on a machine with a running engine', () => {
  it('neither restarts the engine nor adds a listener, and the example goes live', async () => {
    const pids = dockerdPids();
    const listeners = dockerdListeners();
    expect(pids.length).toBeGreaterThan(0);
    const child = spawn('bash', ['scripts/quickstart.sh', '--json'], { cwd: repo, env: { ...process.env, CI: '1' } });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const events: Array<Record<string, unknown>> = [];
    createInterface({ input: child.stdout }).on('line', (l) => {
      if (l.startsWith('{')) events.push(JSON.parse(l) as Record<string, unknown>);
    });
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    const deadline = Date.now() + 600_000;
    while (!events.some((e) => e.type === 'live') && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(
      events.find((e) => e.type === 'live'),
      stderr,
    ).toMatchObject({ ok: true });
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).toContain('[docker] using the running engine');
    expect(dockerdPids()).toEqual(pids);
    expect(dockerdListeners()).toEqual(listeners);
  }, 900_000);
});
