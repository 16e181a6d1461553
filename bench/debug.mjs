// npm run bench:debug: what debugging costs, as a developer sees it.
//
// - `dsync up --emulator --debug Debugged` from process start (container
//   creation included when there is none) to debugger-ready: the function's
//   port answers /json/list with a target a debugger can attach to (which
//   starts its instance);
// - a warm request, host -> HTTP API -> function -> host, on two identical
//   Node.js functions of one stack in the same run: `Plain` (no debugger),
//   and `Debugged` with a debugger attached (the Chrome DevTools Protocol,
//   Debugger.enable, no breakpoint hit), and for reference with the
//   inspector on but nothing attached. RUNS each, after WARM warm-ups.
// Figures are printed, never asserted.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { cli, firstDeploy, fmt, percentile } from './lib.mjs';

const RUNS = Number(process.env.RUNS ?? 200);
const WARM = 20;
const env = { ...process.env, CI: '1', DSYNC_SAM_BASE_IMAGE: process.env.DSYNC_SAM_BASE_IMAGE ?? 'dsync-local/debian:bookworm' };
const line = (label, values) => `${label.padEnd(52)} p50 ${fmt(percentile(values, 50)).padStart(9)}   p95 ${fmt(percentile(values, 95)).padStart(9)}   (n=${values.length})`;

function app() {
  const root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-debug-bench-')), 'debug-bench');
  fs.mkdirSync(path.join(root, 'src'), { recursive: true });
  fs.writeFileSync(path.join(root, 'src', 'app.js'), 'exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ path: event.rawPath }) });\n');
  fs.writeFileSync(path.join(root, 'src', 'package.json'), JSON.stringify({ name: 'debug-bench', version: '1.0.0', private: true }));
  const fn = (name, route) => `  ${name}:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: nodejs22.x
      Events:
        Get: { Type: HttpApi, Properties: { Path: ${route}, Method: GET } }`;
  fs.writeFileSync(
    path.join(root, 'template.yaml'),
    `AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n${fn('Plain', '/plain')}\n${fn('Debugged', '/debugged')}\n`,
  );
  return root;
}

async function times(url, n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const res = await fetch(url);
    await res.text();
    out.push(performance.now() - t);
  }
  return out;
}

async function target(port, deadlineMs) {
  while (performance.now() < deadlineMs) {
    const res = await fetch(`http://127.0.0.1:${port}/json/list`).catch(() => undefined);
    if (res?.ok) {
      const list = await res.json();
      if (list.length) return list[0];
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`nothing answered on the debug port ${port}`);
}

const root = app();
const started = performance.now();
const child = spawn(process.execPath, [cli, 'up', '--emulator', '--debug', 'Debugged', '--json', '--cwd', root], { env, stdio: ['ignore', 'pipe', 'inherit'] });
const events = [];
createInterface({ input: child.stdout }).on('line', (l) => events.push({ ...JSON.parse(l), at: performance.now() }));
try {
  await firstDeploy(child, events);
  const debugEvent = events.find((e) => e.type === 'debug' && e.targets?.length);
  const port = debugEvent.targets.find((t) => t.function === 'Debugged').port;
  const found = await target(port, performance.now() + 60_000);
  const ready = performance.now() - started;
  const live = events.find((e) => e.type === 'live')?.at - started;
  const status = JSON.parse(spawnSync(process.execPath, [cli, 'status', '--json', '--cwd', root], { env, encoding: 'utf8' }).stdout);
  const api = status.apis.find((a) => a.id === 'ServerlessHttpApi').url;
  console.log(`app: two identical Node.js 22 functions behind an HTTP API; --debug Debugged (port ${port})`);
  console.log('');
  console.log(`up --emulator --debug -> first deploy live (from process start)      ${fmt(live)}`);
  console.log(`up --emulator --debug -> debugger-ready (its port has a target)      ${fmt(ready)}`);
  await times(`${api}/plain`, WARM);
  await times(`${api}/debugged`, WARM);
  const plain = await times(`${api}/plain`, RUNS);
  const unattached = await times(`${api}/debugged`, RUNS);
  const ws = new WebSocket(found.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
  ws.send(JSON.stringify({ id: 1, method: 'Debugger.enable' }));
  await new Promise((resolve) => ws.on('message', (m) => JSON.parse(String(m)).id === 1 && resolve()));
  await times(`${api}/debugged`, WARM);
  const attached = await times(`${api}/debugged`, RUNS);
  ws.close();
  console.log(line('warm request, Plain (no debugger)', plain));
  console.log(line('warm request, Debugged, inspector on, nothing attached', unattached));
  console.log(line('warm request, Debugged, debugger attached, no breakpoint', attached));
  console.log(`attached / plain, p50: ${(percentile(attached, 50) / percentile(plain, 50)).toFixed(2)}x   target <= 2x`);
} finally {
  child.kill('SIGINT');
  await new Promise((r) => child.on('exit', r));
  spawnSync(process.execPath, [cli, 'down', '--purge', '--cwd', root], { env, stdio: 'ignore' });
}
