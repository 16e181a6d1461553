// npm run bench:invoke: how fast the emulator runs the code a person just
// saved, measured from outside, as a person with curl sees it.
//
// - save -> first HTTP response showing the new behaviour: the handler is
//   edited on the host, and its API URL (from `dsync status --json`) is polled
//   every 20 ms until the answer carries the new text; EDITS edits.
// - cold start: the duration of that first request with the new code (a new
//   Node.js instance: spawn, load the handler, run it), and the function's own
//   Init Duration from its REPORT line.
// - warm request: WARM sequential requests to the same warm instance, from
//   this machine through the published port.
// - the alternative: per-request containers (`sam local start-api`) are not
//   possible here, so: a fresh `node` process per request, in the same
//   container, loading the same deployed handler and running it once.
// - the same figures for a Python 3.13 function of the same app (its
//   edits go through SAM's build: no shortcut for pip yet; its instance runs
//   on the emulator's Lambda Runtime API), and a fresh python3.13 process per
//   request as its alternative.
// Figures are printed, never asserted.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { cli, firstDeploy, fmt, percentile } from './lib.mjs';

const EDITS = Number(process.env.EDITS ?? 20);
const WARM = Number(process.env.WARM ?? 200);
const env = { ...process.env, CI: '1', DSYNC_SAM_BASE_IMAGE: process.env.DSYNC_SAM_BASE_IMAGE ?? 'dsync-local/debian:bookworm' };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const line = (label, values) => `${label.padEnd(52)} p50 ${fmt(percentile(values, 50)).padStart(9)}   p95 ${fmt(percentile(values, 95)).padStart(9)}   (n=${values.length})`;

function app() {
  const root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-invoke-')), 'invoke-bench');
  fs.mkdirSync(path.join(root, 'src'), { recursive: true });
  fs.writeFileSync(
    path.join(root, 'template.yaml'),
    `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: nodejs22.x
      Events:
        Hello:
          Type: Api
          Properties: { Path: /hello, Method: get }
  PyFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: py/
      Handler: app.handler
      Runtime: python3.13
      Events:
        Hello:
          Type: Api
          Properties: { Path: /py, Method: get }
`,
  );
  fs.writeFileSync(path.join(root, 'src', 'package.json'), JSON.stringify({ name: 'hello', version: '1.0.0', private: true }));
  fs.mkdirSync(path.join(root, 'py'));
  fs.writeFileSync(path.join(root, 'py', 'requirements.txt'), '');
  FUNCTIONS.node.write(root, 0);
  FUNCTIONS.python.write(root, 0);
  return root;
}

const FUNCTIONS = {
  node: {
    label: 'Node.js 22',
    id: 'HelloFunction',
    route: '/hello',
    write: (root, n) => fs.writeFileSync(path.join(root, 'src', 'app.js'), `exports.handler = async () => ({ statusCode: 200, body: JSON.stringify({ edit: ${n} }) });\n`),
    fresh: (edits) => `
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const dirs = fs.readdirSync('/tmp/dsync-lambda').filter((d) => d.includes('HelloFunction')).map((d) => '/tmp/dsync-lambda/' + d + '/task');
const task = dirs.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
const out = [];
for (let i = 0; i < ${edits}; i++) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/opt/node/bin/node', ['-e', "require(process.argv[1] + '/app.js').handler({}).then((x) => process.stdout.write(JSON.stringify(x)))", task]);
  if (r.status !== 0) throw new Error(String(r.stderr));
  out.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
console.log(JSON.stringify(out));`,
  },
  python: {
    label: 'Python 3.13',
    id: 'PyFunction',
    route: '/py',
    write: (root, n) =>
      fs.writeFileSync(
        path.join(root, 'py', 'app.py'),
        `import json\n\n\ndef handler(event, context):\n    return {"statusCode": 200, "body": json.dumps({"edit": ${n}}, separators=(",", ":"))}\n`,
      ),
    fresh: (edits) => `
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const dirs = fs.readdirSync('/tmp/dsync-lambda').filter((d) => d.includes('PyFunction')).map((d) => '/tmp/dsync-lambda/' + d + '/task');
const task = dirs.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
const out = [];
for (let i = 0; i < ${edits}; i++) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('python3.13', ['-c', 'import sys, json; sys.path.insert(0, sys.argv[1]); import app; print(json.dumps(app.handler({}, None)))', task]);
  if (r.status !== 0) throw new Error(String(r.stderr));
  out.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
console.log(JSON.stringify(out));`,
  },
};

async function timedGet(url) {
  const t0 = performance.now();
  const body = await fetch(url).then(
    (r) => r.text(),
    () => '',
  );
  return { body, ms: performance.now() - t0, at: performance.now() };
}

async function measure(fn, url) {
  await timedGet(url); // the first instance
  const saveToAnswer = [];
  const cold = [];
  for (let i = 1; i <= EDITS; i++) {
    await sleep(300);
    const saved = performance.now();
    fn.write(root, i);
    for (;;) {
      const r = await timedGet(url);
      if (r.body.includes(`"edit":${i}`)) {
        saveToAnswer.push(r.at - saved);
        cold.push(r.ms);
        break;
      }
      if (performance.now() - saved > 120_000) throw new Error(`${fn.label}: edit ${i} never answered`);
      await sleep(20);
    }
  }
  const warm = [];
  for (let i = 0; i < WARM; i++) warm.push((await timedGet(url)).ms);
  // Init Duration, as the function's REPORT lines give it.
  const logs = spawnSync(process.execPath, [cli, 'logs', '--no-tail', fn.id, '--cwd', root], { env, encoding: 'utf8' }).stdout;
  const inits = [...logs.matchAll(/Init Duration: ([\d.]+) ms/g)].map((m) => Number(m[1]));
  // The alternative: a fresh process per request, in the same container, on the deployed code.
  const fresh = spawnSync(process.execPath, [cli, 'exec', '--cwd', root, '--', '/opt/node/bin/node', '-e', fn.fresh(EDITS)], { env, encoding: 'utf8' });
  const freshMs = fresh.status === 0 ? JSON.parse(fresh.stdout.trim().split('\n').pop()) : [];

  console.log(`\n${fn.label} (${fn.id}, ${url})`);
  console.log(line('save -> first HTTP response with the new code', saveToAnswer) + '   target p50 <= 1.5 s');
  console.log(line('cold start: that first request (new instance)', cold) + '   target <= 300 ms');
  if (inits.length > 0) console.log(line("  of it, the function's Init Duration (REPORT)", inits));
  console.log(line('warm request, host -> API -> function -> host', warm) + '   target <= 10 ms');
  if (freshMs.length > 0) {
    console.log(line('a fresh process per request (in the container)', freshMs));
    console.log(`warm request vs a fresh process per request: ${(percentile(freshMs, 50) / percentile(warm, 50)).toFixed(1)}x faster (p50)`);
  } else {
    console.log(`a fresh process per request: could not measure (${fresh.stderr.trim().split('\n').pop()})`);
  }
}

const root = app();
const child = spawn(process.execPath, [cli, 'up', '--emulator', '--json', '--cwd', root], { env, stdio: ['ignore', 'pipe', 'inherit'] });
const events = [];
createInterface({ input: child.stdout }).on('line', (l) => events.push(JSON.parse(l)));
try {
  const base = (await firstDeploy(child, events)).apis[0].url;
  console.log(`app: a Node.js 22 and a Python 3.13 function behind one REST API, ${base}`);
  for (const fn of Object.values(FUNCTIONS)) await measure(fn, `${base}${fn.route}`);
} finally {
  child.kill('SIGINT');
  await new Promise((r) => child.once('exit', r));
  spawnSync(process.execPath, [cli, 'down', '--purge', '--cwd', root], { env });
}
