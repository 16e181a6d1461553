// How long one edit takes to reach the emulator, and where the time goes.
// Runs `dsync up --emulator --json` on a copy of examples/shop-api, edits
// one function N times (waiting for each to go live), and prints the
// median and p95 of save-to-live, split into sync (save -> files in the
// container) and SAM (`sam sync --code` for that one function). It also
// times the SAM CLI's bare start-up in the same container. Figures are
// printed, never asserted.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { cli, percentile } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const N = Number(process.env.EDITS ?? 7);
const env = { ...process.env, CI: '1', DSYNC_SAM_BASE_IMAGE: process.env.DSYNC_SAM_BASE_IMAGE ?? 'dsync-local/debian:bookworm' };
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-bench-emu-'));
fs.cpSync(path.resolve(here, '../examples/shop-api'), root, { recursive: true });

const events = [];
const child = spawn(process.execPath, [cli, 'up', '--emulator', '--json', '--cwd', root], { env, stdio: ['ignore', 'pipe', 'inherit'] });
createInterface({ input: child.stdout }).on('line', (l) => events.push({ ...JSON.parse(l), at: performance.now() }));
const waitFor = async (from, match) => {
  for (;;) {
    const e = events.slice(from).find(match);
    if (e) return e;
    if (child.exitCode !== null) throw new Error('dsync up exited');
    await new Promise((r) => setTimeout(r, 10));
  }
};
const pct = percentile;
const ms = (x) => `${Math.round(x)} ms`;

try {
  const t0 = performance.now();
  const first = await waitFor(0, (e) => e.type === 'deploy-result');
  console.log(`first up (container, sync, emulator start, stack deploy): ${ms(first.at - t0)}; stack deploy alone ${ms(first.ms)}`);
  await new Promise((r) => setTimeout(r, 1500));
  const total = [],
    sync = [],
    sam = [];
  const file = path.join(root, 'src/list-products/catalog.js');
  for (let i = 0; i < N; i++) {
    const from = events.length;
    const saved = performance.now();
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/Head lamp[^']*'/, `Head lamp ${i}'`));
    const synced = await waitFor(from, (e) => e.type === 'sync');
    const live = await waitFor(from, (e) => e.type === 'deploy-result');
    if (!live.ok) throw new Error(`deploy failed: ${live.cause}`);
    if (i === N - 1) {
      // The timeline of the last edit: where inside `sam sync --code` the time goes.
      const started = events.slice(from).find((e) => e.type === 'deploy-started');
      const keys = [/Syncing Lambda Function/, /Building codeuri/, /NpmPack/, /LockfileCleanUp/, /Finished syncing/];
      const marks = keys.map((k) => events.slice(from).find((e) => e.type === 'sam-output' && k.test(e.line)));
      console.log('  timeline of the last edit (ms after the SAM command started):');
      for (const m of marks) if (m) console.log(`    ${String(Math.round(m.at - started.at)).padStart(5)}  ${m.line.trim().slice(0, 70)}`);
      console.log(`    ${String(Math.round(live.at - started.at)).padStart(5)}  command finished (deploy-result)`);
    }
    total.push(live.at - saved);
    sync.push(synced.at - saved);
    sam.push(live.ms);
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log(`one-function edit to emulator, ${N} edits: p50 ${ms(pct(total, 50))}, p95 ${ms(pct(total, 95))}`);
  console.log(`  save -> files in container: p50 ${ms(pct(sync, 50))}`);
  console.log(`  sam sync --code (build + update): p50 ${ms(pct(sam, 50))}`);
  const id = JSON.parse(spawnSync(process.execPath, [cli, 'status', '--json', '--cwd', root], { env, encoding: 'utf8' }).stdout).container.id;
  const startup = [];
  for (let i = 0; i < 3; i++) {
    const s = performance.now();
    spawnSync('docker', ['exec', id, 'sam', '--version']);
    startup.push(performance.now() - s);
  }
  console.log(`  of which SAM CLI start-up alone (docker exec sam --version): p50 ${ms(pct(startup, 50))}`);
} finally {
  child.kill('SIGINT');
  await new Promise((r) => child.once('exit', r));
  spawnSync(process.execPath, [cli, 'down', '--purge', '--cwd', root], { env });
  fs.rmSync(root, { recursive: true, force: true });
}
