// npm run bench:sync: figures for the sync core on this machine.
//  1. save-to-visible-in-container latency over single-file edits (p50/p95)
//  2. initial sync of a generated 5,000-file / 50 MB tree
//  3. `dsync up` with nothing changed
// "Visible" is observed from inside the container: a probe process there
// polls the file every millisecond and reports the content it sees over the
// exec stream; the host times from its write to that report.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import Docker from 'dockerode';
import { startUp, summary, fmt, cli } from './lib.mjs';
import { spawnSync } from 'node:child_process';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const IMAGE = process.env.DSYNC_BENCH_IMAGE ?? 'dsync-local/debian:bookworm';
const EDITS = Number(process.env.DSYNC_BENCH_EDITS ?? 120);
const FILES = 5000;
const TOTAL_BYTES = 50 * 1024 * 1024;
const docker = new Docker();

async function requireImage() {
  try {
    await docker.getImage(IMAGE).inspect();
  } catch {
    console.error(`bench: image ${IMAGE} is missing; run docker/base/build-local-bases.sh first`);
    process.exit(2);
  }
}

function tempProject(name) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `dsync-bench-${name}-`));
}

function down(dir) {
  spawnSync(process.execPath, [cli, 'down', '--purge', '--cwd', dir], { stdio: 'ignore' });
}

/** A process in the container that prints the file's content whenever it changes. */
async function startProbe(containerId, file) {
  const script = `$|=1; my $last=""; while (1) { if (open(my $f, "<", "${file}")) { local $/; my $c=<$f>; close $f; if (defined $c && $c ne $last) { print "$c\\n"; $last=$c; } } select(undef,undef,undef,0.001); }`;
  const exec = await docker.getContainer(containerId).exec({ Cmd: ['perl', '-e', script], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const { PassThrough } = await import('node:stream');
  const out = new PassThrough();
  docker.modem.demuxStream(stream, out, process.stderr);
  const seen = new Map();
  const waiters = new Map();
  createInterface({ input: out }).on('line', (line) => {
    const t = performance.now();
    seen.set(line, t);
    waiters.get(line)?.(t);
  });
  return {
    waitFor(content, timeoutMs = 10_000) {
      if (seen.has(content)) return Promise.resolve(seen.get(content));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`probe never saw ${content}`)), timeoutMs);
        waiters.set(content, (t) => (clearTimeout(timer), resolve(t)));
      });
    },
    stop: () => stream.destroy(),
  };
}

async function benchLatency() {
  const dir = tempProject('latency');
  fs.mkdirSync(path.join(dir, 'src'));
  for (let i = 0; i < 50; i++) fs.writeFileSync(path.join(dir, 'src', `f${i}.js`), `export const v${i} = ${i};\n`);
  const target = path.join(dir, 'src', 'handler.js');
  fs.writeFileSync(target, 'start\n');
  const up = startUp(['--cwd', dir, '--image', IMAGE]);
  try {
    await up.waitFor((e) => e.type === 'watching');
    const { containerId } = await up.waitFor((e) => e.type === 'initial-sync');
    const probe = await startProbe(containerId, '/dsync/workspace/src/handler.js');
    await probe.waitFor('start');
    const latencies = [];
    for (let i = 0; i < EDITS; i++) {
      const content = `edit-${i}-${Math.random().toString(36).slice(2)}`;
      const t0 = performance.now();
      fs.writeFileSync(target, `${content}\n`);
      const t1 = await probe.waitFor(`${content}`);
      latencies.push(t1 - t0);
      await new Promise((r) => setTimeout(r, 30 + Math.random() * 70));
    }
    probe.stop();
    return summary(latencies.slice(EDITS > 110 ? 10 : 0)); // first edits warm up the engine connection
  } finally {
    await up.stop();
    down(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function generateTree(dir) {
  const per = Math.floor(TOTAL_BYTES / FILES);
  const chunk = Buffer.alloc(per);
  for (let i = 0; i < FILES; i++) {
    const sub = path.join(dir, `pkg${i % 50}`, `mod${Math.floor(i / 50) % 10}`);
    fs.mkdirSync(sub, { recursive: true });
    for (let j = 0; j < per; j += 64) chunk.write(`${i}:${j}`.padEnd(64, '.'), j);
    fs.writeFileSync(path.join(sub, `file${i}.js`), chunk);
  }
}

async function benchInitialAndNoChange() {
  const dir = tempProject('tree');
  generateTree(dir);
  try {
    // Create the container first so the figure is the sync, not image start-up.
    spawnSync(process.execPath, [cli, 'exec', '--cwd', dir, '--image', IMAGE, '--', 'true'], { stdio: 'ignore' });
    const first = startUp(['--cwd', dir, '--image', IMAGE]);
    const initial = await first.waitFor((e) => e.type === 'initial-sync', 120_000);
    const firstReady = await first.waitFor((e) => e.type === 'watching');
    await first.stop();
    const again = [];
    const againSync = [];
    for (let i = 0; i < 5; i++) {
      const up = startUp(['--cwd', dir, '--image', IMAGE]);
      const sync = await up.waitFor((e) => e.type === 'initial-sync', 60_000);
      const ready = await up.waitFor((e) => e.type === 'watching');
      if (sync.sent + sync.removed !== 0) throw new Error(`no-change up transferred ${sync.sent} files`);
      again.push(ready.receivedAt - up.started);
      againSync.push(sync.ms);
      await up.stop();
    }
    return { initial, firstWall: firstReady.receivedAt - first.started, again: summary(again), againSync: summary(againSync) };
  } finally {
    down(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** CPU seconds (user + system) and RSS of a process, from /proc (Linux). */
function processUsage(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const rss = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  return { cpuS: ticks / 100, rss };
}

/** The idle watcher on a generated 50,000-file project: time to ready (warm volume), then CPU and RSS over IDLE_S seconds of nothing happening. */
async function benchIdle() {
  const IDLE_FILES = Number(process.env.DSYNC_BENCH_IDLE_FILES ?? 50_000);
  const IDLE_S = Number(process.env.DSYNC_BENCH_IDLE_S ?? 60);
  const dir = tempProject('idle');
  for (let i = 0; i < IDLE_FILES; i++) {
    const sub = path.join(dir, `pkg${i % 100}`, `mod${Math.floor(i / 100) % 20}`);
    if (i < 2000) fs.mkdirSync(sub, { recursive: true });
    fs.writeFileSync(path.join(sub, `file${i}.js`), `module.exports = ${i};\n`);
  }
  try {
    // The first run fills the volume; the figure is a start on a project already synced, as every day after the first.
    const first = startUp(['--cwd', dir, '--image', IMAGE]);
    await first.waitFor((e) => e.type === 'watching', 600_000);
    await first.stop();
    const up = startUp(['--cwd', dir, '--image', IMAGE]);
    const ready = await up.waitFor((e) => e.type === 'watching', 600_000);
    const readyMs = ready.receivedAt - up.started;
    await sleep(2000);
    const before = processUsage(up.child.pid);
    let peak = before.rss;
    const t0 = performance.now();
    while (performance.now() - t0 < IDLE_S * 1000) {
      await sleep(1000);
      peak = Math.max(peak, processUsage(up.child.pid).rss);
    }
    const after = processUsage(up.child.pid);
    const wall = (performance.now() - t0) / 1000;
    await up.stop();
    return {
      files: IDLE_FILES,
      readyMs,
      cpuPct: ((after.cpuS - before.cpuS) / wall) * 100,
      rssMb: after.rss / 1024 / 1024,
      peakMb: peak / 1024 / 1024,
      seconds: IDLE_S,
    };
  } finally {
    down(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await requireImage();
console.log(`dsync bench:sync on ${os.cpus().length} cores, image ${IMAGE}, node ${process.version}`);
const latency = await benchLatency();
console.log(
  `save-to-visible latency (${latency.n} single-file edits): p50 ${fmt(latency.p50)}  p95 ${fmt(latency.p95)}  min ${fmt(latency.min)}  max ${fmt(latency.max)}   [targets: p50 <= 50 ms, p95 <= 150 ms]`,
);
const tree = await benchInitialAndNoChange();
console.log(
  `initial sync, ${FILES} files / ${(TOTAL_BYTES / 1024 / 1024).toFixed(0)} MB: sync ${fmt(tree.initial.ms)} (${tree.initial.sent} entries sent); whole \`up\` until watching ${fmt(tree.firstWall)}   [target: <= 3 s]`,
);
console.log(
  `no-change \`up\` (${tree.again.n} runs): until watching p50 ${fmt(tree.again.p50)} max ${fmt(tree.again.max)}; diff itself p50 ${fmt(tree.againSync.p50)}   [target: <= 1 s]`,
);
if (process.env.DSYNC_BENCH_SKIP_IDLE !== '1') {
  const idle = await benchIdle();
  console.log(
    `idle watcher, ${idle.files} files: \`up\` until watching ${fmt(idle.readyMs)} [target <= 5 s]; over ${idle.seconds} s idle: CPU ${idle.cpuPct.toFixed(2)} % of a core [target <= 1 %], RSS ${idle.rssMb.toFixed(0)} MB (peak ${idle.peakMb.toFixed(0)} MB) [target <= 150 MB]`,
  );
}
