// `dsync up --emulator` end to end: the built binary, the real SAM CLI in the
// image built from docker/Dockerfile, and the real moto server. Every check
// reads what the emulator really holds: function lists, and the deployed
// code itself, unzipped.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readZip } from '../helpers/zip.js';
import { DEBIAN_IMAGE } from '../helpers/real-docker.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.resolve(here, '../../bin/dsync.js');
const example = path.resolve(here, '../../examples/shop-api');
const BASE = process.env.DSYNC_SAM_BASE_IMAGE ?? DEBIAN_IMAGE;
const env = { ...process.env, CI: '1', DSYNC_SAM_BASE_IMAGE: BASE };
const REGION = 'us-east-1';
const STACK = 'shop-api';

// A project path with spaces and non-ASCII characters.
const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'dsync e2e ü-'));
const root = path.join(parent, 'shop api ñ');

function cliRun(args: string[], extra: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...env, ...extra }, timeout: 900_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

type Event = Record<string, unknown> & { type: string };
let child: ReturnType<typeof spawn>;
const events: Event[] = [];
let stderr = '';
let endpoint = '';

const write = (rel: string, text: string) => fs.writeFileSync(path.join(root, rel), text);
/** Files a test broke on purpose: put back if the test failed before fixing them, so one failure does not cascade. */
const broken = new Map<string, { bad: string; good: string }>();
const breakFile = (rel: string, bad: string) => {
  broken.set(rel, { bad, good: fs.readFileSync(path.join(root, rel), 'utf8') });
  write(rel, bad);
};
const read = (rel: string) => fs.readFileSync(path.join(root, rel), 'utf8');
const edit = (rel: string, from: string | RegExp, to: string) => {
  const before = read(rel);
  const after = before.replace(from, to);
  if (after === before) throw new Error(`edit of ${rel} changed nothing`);
  write(rel, after);
};

const AUTH = (service: string) => ({ authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${REGION}/${service}/aws4_request, SignedHeaders=host, Signature=0` });

async function lambdaGet(p: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${endpoint}${p}`, { headers: AUTH('lambda') });
  if (!res.ok) throw new Error(`GET ${p}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

async function functions(): Promise<Array<{ FunctionName: string; Layers?: Array<{ Arn: string }> }>> {
  return (await lambdaGet('/2015-03-31/functions/')).Functions as Array<{ FunctionName: string }>;
}

async function functionNamed(logicalId: string): Promise<string | undefined> {
  return (await functions()).find((f) => f.FunctionName.startsWith(`${STACK}-${logicalId}-`))?.FunctionName;
}

async function deployedFile(logicalId: string, file: string): Promise<string> {
  const name = await functionNamed(logicalId);
  if (!name) return '';
  const res = await fetch(`${endpoint}/_dsync/lambda/${REGION}/${name}/code`);
  if (!res.ok) return '';
  return readZip(Buffer.from(await res.arrayBuffer())).get(file)?.toString('utf8') ?? '';
}

async function latestLayerFile(layerName: string, file: string): Promise<{ version: number; text: string }> {
  const versions = (await lambdaGet(`/2018-10-31/layers/${layerName}/versions`)).LayerVersions as Array<{ Version: number }>;
  const version = Math.max(0, ...versions.map((v) => v.Version));
  const res = await fetch(`${endpoint}/_dsync/lambda/${REGION}/layers/${layerName}/${version}/code`);
  return { version, text: res.ok ? (readZip(Buffer.from(await res.arrayBuffer())).get(file)?.toString('utf8') ?? '') : '' };
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (child.exitCode !== null) throw new Error(`dsync up exited ${child.exitCode} while waiting for ${what}: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last events: ${JSON.stringify(events.slice(-8))}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Wait for the first event after `from` matching `match`. */
function nextEvent(from: number, match: (e: Event) => boolean, what: string): Promise<Event> {
  return until(what, async () => events.slice(from).find(match));
}

/** Wait until every started deploy has its result and nothing new happened for a while. */
async function quiet(ms = 2500): Promise<void> {
  let seen = -1;
  let since = Date.now();
  await until('the loop to go quiet', async () => {
    if (events.length !== seen) {
      seen = events.length;
      since = Date.now();
      return false;
    }
    const started = events.filter((e) => e.type === 'deploy-started').length;
    const finished = events.filter((e) => e.type === 'deploy-result').length;
    return started === finished && Date.now() - since >= ms;
  });
}

const deployOk = (e: Event) => e.type === 'deploy-result' && e.ok === true;
const deployFailed = (e: Event) => e.type === 'deploy-result' && e.ok === false;

beforeAll(async () => {
  fs.cpSync(example, root, { recursive: true, filter: (src) => !/node_modules|\.aws-sam/.test(src) });
  // The image is built once per engine (CI builds it before the tests with the same command).
  const built = cliRun(['image', '--base', BASE]);
  if (built.code !== 0) throw new Error(`dsync image failed: ${built.stderr}`);
  child = spawn(process.execPath, [cli, 'up', '--emulator', '--json', '--cwd', root], { env });
  child.stderr!.on('data', (c) => (stderr += c));
  createInterface({ input: child.stdout! }).on('line', (l) => events.push(JSON.parse(l) as Event));
  await nextEvent(0, (e) => e.type === 'deploy-result', 'the first deploy');
  const status = cliRun(['status', '--json', '--cwd', root]);
  endpoint = (JSON.parse(status.stdout) as { endpoint: string }).endpoint;
}, 900_000);

afterEach(() => {
  for (const [rel, { bad, good }] of broken) if (read(rel) === bad) write(rel, good);
  broken.clear();
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
  }
  cliRun(['down', '--purge', '--cwd', root]);
  fs.rmSync(parent, { recursive: true, force: true });
});

describe('dsync up --emulator on the example app', () => {
  it('deploys all five functions and the layer, and publishes the endpoint on loopback only', async () => {
    expect(events.find((e) => e.type === 'deploy-result')).toMatchObject({ ok: true, kind: 'infra' });
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const names = (await functions()).map((f) => f.FunctionName);
    for (const id of ['ListProductsFunction', 'GetProductFunction', 'CreateOrderFunction', 'OrderStatsFunction', 'HealthFunction']) {
      expect(names.some((n) => n.startsWith(`${STACK}-${id}-`)), `${id} in ${names.join(', ')}`).toBe(true);
    }
    expect(await deployedFile('ListProductsFunction', 'node_modules/ms/package.json')).toContain('"name": "ms"');
    expect(await deployedFile('OrderStatsFunction', 'app.js')).toContain('stats-v1');
    const layer = await latestLayerFile('shop-common-dev', 'nodejs/common.js');
    expect(layer.text).toContain('layer-v1');
    const health = (await functions()).find((f) => f.FunctionName.includes('HealthFunction'));
    expect(health?.Layers?.[0]?.Arn).toMatch(new RegExp(`:layer:shop-common-dev:${layer.version}$`));
  });

  it('pushes an edit to an npm-built function (a non-handler file) into the deployed code', async () => {
    const from = events.length;
    edit('src/list-products/catalog.js', "'Head lamp'", "'Head lamp e2e-list-1'");
    await until('the catalog edit in the emulator', async () => (await deployedFile('ListProductsFunction', 'catalog.js')).includes('e2e-list-1'));
    const done = await nextEvent(from, deployOk, 'deploy-result');
    expect(done).toMatchObject({ kind: 'code', resources: ['ListProductsFunction'] });
    // Only that function was rebuilt.
    expect(events.slice(from).filter((e) => e.type === 'build-started').flatMap((e) => e.resources as string[])).toEqual(['ListProductsFunction']);
  });

  it('pushes an edit to the TypeScript function through esbuild', async () => {
    edit('src/order-stats/stats.ts', 'return { items, revenueCents };', "return { items, revenueCents, marker: 'e2e-ts-1' } as never;");
    await until('the esbuild bundle with the edit', async () => (await deployedFile('OrderStatsFunction', 'app.js')).includes('e2e-ts-1'));
  });

  it('pushes an edit to another npm function and keeps its dependency', async () => {
    edit('src/get-product/app.js', "'get-v1'", "'get-e2e-2'");
    await until('the get-product edit', async () => (await deployedFile('GetProductFunction', 'app.js')).includes('get-e2e-2'));
    expect(await deployedFile('GetProductFunction', 'node_modules/ms/index.js')).toContain('module.exports');
  });

  it('publishes a new layer version on a layer edit and points its function at it', async () => {
    const before = await latestLayerFile('shop-common-dev', 'nodejs/common.js');
    edit('layers/common/nodejs/common.js', "'layer-v1'", "'layer-e2e-3'");
    const after = await until('a new layer version with the edit', async () => {
      const l = await latestLayerFile('shop-common-dev', 'nodejs/common.js');
      return l.version > before.version && l.text.includes('layer-e2e-3') ? l : undefined;
    });
    // The helper publishes the version first, then updates the stack and the function: wait for the whole deploy.
    await until('HealthFunction on the new layer version', async () => {
      const health = (await functions()).find((f) => f.FunctionName.includes('HealthFunction'));
      return health?.Layers?.[0]?.Arn.endsWith(`:layer:shop-common-dev:${after.version}`);
    });
  });

  it('deploys a function added to the template, and removes it when it is removed', async () => {
    fs.mkdirSync(path.join(root, 'src/ping'), { recursive: true });
    write('src/ping/app.js', "exports.handler = async () => ({ statusCode: 200, body: 'pong-e2e' });\n");
    const original = read('template.yaml');
    const added = original.replace(
      '\nOutputs:',
      `  PingFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/ping/\n      Handler: app.handler\n\nOutputs:`,
    );
    write('template.yaml', added);
    await until('PingFunction in the emulator', async () => (await deployedFile('PingFunction', 'app.js')).includes('pong-e2e'));
    write('template.yaml', original);
    await until('PingFunction removed', async () => (await functionNamed('PingFunction')) === undefined);
  });

  it('reports a YAML syntax error in the template and recovers on the next good save', async () => {
 const original = read('template.yaml');
    await quiet();
    const from = events.length;
    breakFile('template.yaml', original.replace('Resources:', 'Resources:\n  Broken: [unclosed'));
    const error = await nextEvent(from, (e) => e.type === 'error' && e.stage === 'template', 'a template error');
    expect(error.message).toMatch(/template\.yaml is not valid YAML \(line \d+, column \d+\)/);
    const recovered = events.length;
    write('template.yaml', original);
    await nextEvent(recovered, (e) => deployOk(e) && e.kind === 'infra', 'a redeploy after the fix');
  });

  it('reports an unknown resource type and recovers', async () => {
    const original = read('template.yaml');
    await quiet();
    const from = events.length;
    breakFile('template.yaml', original.replace('Type: AWS::Serverless::HttpApi', 'Type: AWS::Serverless::HttpAPI'));
    const error = await nextEvent(from, (e) => e.type === 'error' && e.stage === 'template', 'a template error');
    expect(error.message).toContain('template.yaml: resource ShopApi has an unknown type AWS::Serverless::HttpAPI');
    const recovered = events.length;
    write('template.yaml', original);
    await nextEvent(recovered, (e) => deployOk(e) && e.kind === 'infra', 'a redeploy after the fix');
  });

  it('reports a stack the emulator refuses to deploy, and recovers', async () => {
    const original = read('template.yaml');
    await quiet();
    const from = events.length;
    breakFile('template.yaml', original.replace('!GetAtt GetProductFunction.Arn', '!GetAtt NoSuchThing.Arn'));
    const failed = await nextEvent(from, deployFailed, 'a refused stack update');
    expect(failed.cause).toMatch(/UpdateStack.*Fn::GetAtt references undefined resource NoSuchThing/);
    const recovered = events.length;
    write('template.yaml', original);
    await nextEvent(recovered, (e) => deployOk(e) && e.kind === 'infra', 'a redeploy after the fix');
  });

  it('reports a TypeScript syntax error from esbuild with its cause, and recovers', async () => {
    await quiet();
    const from = events.length;
    const good = read('src/order-stats/app.ts');
    breakFile('src/order-stats/app.ts', `${good}\nexport const broken = ;\n`);
    const failed = await nextEvent(from, deployFailed, 'a failed build');
    expect(String(failed.cause)).toMatch(/esbuild|Expected|Unexpected|Build/i);
    write('src/order-stats/app.ts', good.replace("'stats-v1'", "'stats-e2e-fixed'"));
    await until('the fixed bundle', async () => (await deployedFile('OrderStatsFunction', 'app.js')).includes('stats-e2e-fixed'));
  });

  it('reports a broken package.json and recovers', async () => {
    await quiet();
    const from = events.length;
    const good = read('src/create-order/package.json');
    breakFile('src/create-order/package.json', '{ "name": "create-order", "dependencies": { ');
    const failed = await nextEvent(from, deployFailed, 'a failed npm build');
    expect(failed.resources).toContain('CreateOrderFunction');
    expect(String(failed.cause)).toMatch(/EJSONPARSE|JSON/);
    write('src/create-order/package.json', good);
    edit('src/create-order/app.js', "'create-v1'", "'create-e2e-fixed'");
    await until('the fixed function', async () => (await deployedFile('CreateOrderFunction', 'app.js')).includes('create-e2e-fixed'));
  });

  it('reports a CodeUri that does not exist and an unsupported runtime, and recovers', async () => {
    const original = read('template.yaml');
    await quiet();
    let from = events.length;
    breakFile('template.yaml', original.replace('CodeUri: src/get-product/', 'CodeUri: src/no-such-folder/'));
    let failed = await nextEvent(from, deployFailed, 'a failed deploy for a missing CodeUri');
    expect(failed.cause).toBe('GetProductFunction: its CodeUri src/no-such-folder does not exist in the project');
    await quiet();
    from = events.length;
    breakFile('template.yaml', original.replace('Runtime: nodejs22.x', 'Runtime: nodejs4.3'));
    failed = await nextEvent(from, deployFailed, 'a failed deploy for an unsupported runtime');
    expect(failed.cause).toBe("'nodejs4.3' runtime is not supported");
    from = events.length;
    write('template.yaml', original);
    await nextEvent(from, (e) => deployOk(e) && e.kind === 'infra', 'a redeploy after the fix');
  });

  it('never creates .aws-sam on the host', () => {
    expect(fs.existsSync(path.join(root, '.aws-sam'))).toBe(false);
    const found = spawnSync('find', [root, '-name', '.aws-sam'], { encoding: 'utf8' }).stdout.trim();
    expect(found).toBe('');
  });

  it('stops on SIGINT after the step in flight, with exit code 0', async () => {
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).toBe(0);
    expect(events.at(-1)?.type).toBe('stopped');
  });
});

describe('dsync up without SAM in the image', () => {
  it('says so in one line with a hint (exit 3)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-nosam-'));
    fs.writeFileSync(path.join(dir, 'template.yaml'), 'Resources: {}\n');
    try {
      const r = cliRun(['up', '--image', DEBIAN_IMAGE, '--cwd', dir, '--stack-name', 's', '--region', 'us-east-1'], {
        AWS_ACCESS_KEY_ID: 'x',
        AWS_SECRET_ACCESS_KEY: 'y',
      });
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('The container image has no `sam` command');
      expect(r.stderr).toContain('hint:');
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      cliRun(['down', '--purge', '--cwd', dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
