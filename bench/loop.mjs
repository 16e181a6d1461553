// npm run bench:loop: save-to-live latency of dsync against plain
// `sam sync --watch`, on the 5-function example app and a generated
// 50-function app, against the embedded emulator, in the same container.
//
// "Live" is observed from outside: after each save the script polls the
// emulator for the function's deployed zip until it contains the new text.
// dsync: the file is written on the host; dsync syncs it and runs SAM.
// plain: the same file is written inside the container (no transfer at all),
// where `sam sync --watch --code` is watching. (--code because moto has no SAM
// transform: plain `sam sync --watch` would first deploy the SAM template
// through CloudFormation, which moto turns into a stack without functions.)
// Figures are printed, never asserted.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { cli, percentile } from './lib.mjs';
import { readZipEntry } from './zip.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const EDITS = Number(process.env.EDITS ?? 20);
const WARMUP = 2;
const env = { ...process.env, CI: '1', DSYNC_SAM_BASE_IMAGE: process.env.DSYNC_SAM_BASE_IMAGE ?? 'dsync-local/debian:bookworm' };
const REGION = 'us-east-1';
const AUTH = { authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${REGION}/lambda/aws4_request, SignedHeaders=host, Signature=0` };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = percentile;
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;

/** The example app, copied. */
function exampleApp() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-loop-5-'));
  fs.cpSync(path.resolve(here, '../examples/shop-api'), root, { recursive: true, filter: (p) => !/node_modules|\.aws-sam/.test(p) });
  return { root, stack: 'shop-api', fn: 'ListProductsFunction', file: 'src/list-products/catalog.js', functions: 5 };
}

/** 50 npm-built functions sharing the `ms` dependency, one HTTP API. */
function generatedApp(n = 50) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-loop-50-'));
  let resources = '  Api:\n    Type: AWS::Serverless::HttpApi\n';
  for (let i = 1; i <= n; i++) {
    const id = `Fn${String(i).padStart(2, '0')}Function`;
    const dir = path.join(root, 'src', `fn${i}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `fn${i}`, version: '1.0.0', private: true, main: 'app.js', dependencies: { ms: '2.1.3' } }, null, 2));
    fs.writeFileSync(path.join(dir, 'catalog.js'), `exports.items = ['Head lamp'];\n`);
    fs.writeFileSync(
      path.join(dir, 'app.js'),
      `const ms = require('ms');\nconst { items } = require('./catalog.js');\nexports.handler = async () => ({ statusCode: 200, body: JSON.stringify({ fn: ${i}, items, ttl: ms('5m') }) });\n`,
    );
    resources += `  ${id}:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/fn${i}/\n      Handler: app.handler\n      Events:\n        Get:\n          Type: HttpApi\n          Properties: { ApiId: !Ref Api, Path: /fn${i}, Method: GET }\n`;
  }
  fs.writeFileSync(
    path.join(root, 'template.yaml'),
    `AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n    Runtime: nodejs22.x\n    Timeout: 10\nResources:\n${resources}`,
  );
  fs.writeFileSync(path.join(root, 'samconfig.toml'), 'version = 0.1\n[default.global.parameters]\nstack_name = "app50"\n');
  return { root, stack: 'app50', fn: 'Fn07Function', file: 'src/fn7/catalog.js', functions: n };
}

const names = new Map();
async function deployedText(endpoint, stack, fn, file) {
  // Look the physical name up once: listing 50 functions on every poll would load the emulator.
  if (!names.has(`${endpoint}/${fn}`)) {
    const list = await (await fetch(`${endpoint}/2015-03-31/functions/`, { headers: AUTH })).json();
    const found = list.Functions.find((f) => f.FunctionName.startsWith(`${stack}-${fn}-`))?.FunctionName;
    if (!found) return '';
    names.set(`${endpoint}/${fn}`, found);
  }
  const name = names.get(`${endpoint}/${fn}`);
  const res = await fetch(`${endpoint}/_dsync/lambda/${REGION}/${name}/code`);
  return res.ok ? readZipEntry(Buffer.from(await res.arrayBuffer()), file) : '';
}

async function waitLive(endpoint, app, marker, timeoutMs = 120_000) {
  const deadline = performance.now() + timeoutMs;
  const inZip = path.posix.relative(app.file.split('/').slice(0, -1).join('/'), app.file);
  while (performance.now() < deadline) {
    if ((await deployedText(endpoint, app.stack, app.fn, inZip).catch(() => '')).includes(marker)) return performance.now();
    await sleep(25);
  }
  throw new Error(`${marker} never went live`);
}

const content = (marker) => `exports.items = ['Head lamp ${marker}'];\n`;

async function runDsync(app) {
  const events = [];
  const child = spawn(process.execPath, [cli, 'up', '--emulator', '--json', '--cwd', app.root], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  createInterface({ input: child.stdout }).on('line', (l) => events.push(JSON.parse(l)));
  const started = performance.now();
  while (!events.some((e) => e.type === 'live')) {
    if (child.exitCode !== null) throw new Error('dsync up exited');
    await sleep(50);
  }
  const first = events.find((e) => e.type === 'live');
  if (!first.ok) throw new Error(`first deploy failed: ${first.cause}`);
  const firstUp = performance.now() - started;
  const status = JSON.parse(spawnSync(process.execPath, [cli, 'status', '--json', '--cwd', app.root], { env, encoding: 'utf8' }).stdout);
  const times = [];
  const stages = [];
  for (let i = 0; i < WARMUP + EDITS; i++) {
    const marker = `dsync-${i}-${Date.now()}`;
    const from = events.length;
    const t0 = performance.now();
    fs.writeFileSync(path.join(app.root, app.file), content(marker));
    const t1 = await waitLive(status.endpoint, app, marker);
    while (!events.slice(from).some((e) => e.type === 'live' && e.kind === 'code')) await sleep(10);
    if (i >= WARMUP) {
      times.push(t1 - t0);
      stages.push(events.slice(from).find((e) => e.type === 'live' && e.kind === 'code').stages);
    }
    await sleep(300);
  }
  child.kill('SIGINT');
  await new Promise((r) => child.once('exit', r));
  return { times, stages, firstUp, endpoint: status.endpoint, container: status.container.id };
}

async function runPlain(app, endpoint, container) {
  const samEnv = [
    '-e',
    'AWS_ENDPOINT_URL=http://localhost:5000',
    '-e',
    'AWS_ACCESS_KEY_ID=testing',
    '-e',
    'AWS_SECRET_ACCESS_KEY=testing',
    '-e',
    `AWS_REGION=${REGION}`,
    '-e',
    'SAM_CLI_TELEMETRY=0',
  ];
  const cmd = `yes | sam sync --watch --code --template-file template.yaml --stack-name ${app.stack} --region ${REGION} --s3-bucket dsync-artifacts --no-dependency-layer > /tmp/plain-watch.log 2>&1`;
  spawnSync('docker', ['exec', '-d', ...samEnv, '-w', '/dsync/workspace', container, 'sh', '-c', cmd]);
  const deadline = performance.now() + 120_000;
  while (spawnSync('docker', ['exec', container, 'grep', '-q', 'Sync watch started', '/tmp/plain-watch.log']).status !== 0) {
    if (performance.now() > deadline) throw new Error('sam sync --watch did not start');
    await sleep(200);
  }
  await sleep(2000);
  const times = [];
  const target = `/dsync/workspace/${app.file}`;
  try {
    for (let i = 0; i < WARMUP + EDITS; i++) {
      const marker = `plain-${i}-${Date.now()}`;
      const t0 = performance.now();
      spawnSync('docker', ['exec', '-i', container, 'sh', '-c', `cat > '${target}'`], { input: content(marker) });
      const t1 = await waitLive(endpoint, app, marker).catch((error) => {
        const log = spawnSync('docker', ['exec', container, 'tail', '-n', '30', '/tmp/plain-watch.log'], { encoding: 'utf8' }).stdout;
        throw new Error(`${error.message}; sam sync --watch said:\n${log}`);
      });
      if (i >= WARMUP) times.push(t1 - t0);
      await sleep(300);
    }
  } finally {
    spawnSync('docker', ['exec', container, 'sh', '-c', 'pkill -INT -f "sam sync --watch" || true']);
  }
  return { times };
}

const results = [];
const which = (process.env.APPS ?? '5,50').split(',');
for (const make of [exampleApp, generatedApp].filter((_, i) => which.includes(['5', '50'][i]))) {
  const app = make();
  try {
    process.stderr.write(`\n[bench] ${app.functions}-function app: dsync up --emulator, ${EDITS} edits of ${app.file}\n`);
    const d = await runDsync(app);
    process.stderr.write(`[bench] ${app.functions}-function app: plain sam sync --watch --code in the same container\n`);
    const p = await runPlain(app, d.endpoint, d.container);
    results.push({ app, d, p });
  } finally {
    spawnSync(process.execPath, [cli, 'down', '--purge', '--cwd', app.root], { env });
    fs.rmSync(app.root, { recursive: true, force: true });
  }
}

console.log(`\nsave-to-live, one-file edit, ${EDITS} edits each (after ${WARMUP} warm-up edits), emulator on this machine`);
console.log('app            | dsync p50 | dsync p95 | plain p50 | plain p95 | plain/dsync (p50) | first up');
for (const { app, d, p } of results) {
  console.log(
    `${String(app.functions).padStart(2)} functions   | ${s(pct(d.times, 50)).padStart(9)} | ${s(pct(d.times, 95)).padStart(9)} | ${s(pct(p.times, 50)).padStart(9)} | ${s(pct(p.times, 95)).padStart(9)} | ${(pct(p.times, 50) / pct(d.times, 50)).toFixed(2).padStart(17)}x | ${s(d.firstUp)}`,
  );
}
const [small, large] = results;
if (small && large) console.log(`50-function p50 / 5-function p50 (dsync): ${(pct(large.d.times, 50) / pct(small.d.times, 50)).toFixed(2)}x`);
console.log(
  '\ndsync stage breakdown, median ms (detect = quiet period, sync = transfer, queue = waiting for a running step, build, update = upload + update, ready = SAM finishing)',
);
for (const { app, d } of results) {
  const keys = ['detectMs', 'syncMs', 'queueMs', 'buildMs', 'updateMs', 'readyMs'];
  console.log(
    `${String(app.functions).padStart(2)} functions: ${keys
      .map(
        (k) =>
          `${k.replace('Ms', '')} ${Math.round(
            pct(
              d.stages.map((x) => x[k] ?? 0),
              50,
            ),
          )}`,
      )
      .join(' · ')}`,
  );
}
