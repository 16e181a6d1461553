// Shared helpers for the benchmark scripts: run the built CLI, read its JSON
// events, and summarise timings. Benchmarks print figures; they assert nothing.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const cli = path.join(repoRoot, 'bin', 'dsync.js');

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function summary(values) {
  return {
    n: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

export function fmt(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

/** Start `dsync up` with --json; returns helpers to wait for events and stop it. */
export function startUp(args, env = process.env) {
  const started = performance.now();
  const child = spawn(process.execPath, [cli, 'up', '--sync-only', '--json', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const events = [];
  const waiters = [];
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  createInterface({ input: child.stdout }).on('line', (line) => {
    let event;
    try {
      event = JSON.parse(line);
    } catch {
      return;
    }
    event.receivedAt = performance.now();
    events.push(event);
    for (const w of [...waiters]) {
      if (w.match(event)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(event);
      }
    }
  });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    started,
    events,
    child,
    waitFor(match, timeoutMs = 60_000) {
      const found = events.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for an event; stderr: ${stderr.slice(-2000)}`)), timeoutMs);
        waiters.push({ match, resolve: (e) => (clearTimeout(timer), resolve(e)) });
        exited.then((code) => reject(new Error(`dsync up exited with ${code}: ${stderr.slice(-2000)}`)));
      });
    },
    async stop() {
      child.kill('SIGINT');
      return exited;
    },
  };
}

/** Wait until an `up --emulator --json` run has deployed once and said its APIs; its `apis` event. Throws when it exits or the deploy fails. */
export async function firstDeploy(child, events, timeoutMs = 1_200_000) {
  const t0 = performance.now();
  for (;;) {
    const apis = events.find((e) => e.type === 'apis');
    if (apis) return apis;
    if (child.exitCode !== null) throw new Error(`dsync up exited ${child.exitCode}`);
    const failed = events.find((e) => e.type === 'deploy-result' && e.ok === false);
    if (failed) throw new Error(`the first deploy failed: ${failed.cause}`);
    if (performance.now() - t0 > timeoutMs) throw new Error('no first deploy');
    await new Promise((r) => setTimeout(r, 100));
  }
}
