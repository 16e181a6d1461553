// `dsync up --emulator` end to end: the built binary, the real SAM CLI in the
// image built from docker/Dockerfile, and the real moto server. Every check
// reads what the emulator really holds: function lists, and the deployed
// code itself, unzipped.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cliRun, deployFailed, deployOk, EmulatorRun, type Event } from '../helpers/emulator-run.js';
import { DEBIAN_IMAGE } from '../helpers/real-docker.js';

const example = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples/shop-api');

// A project path with spaces and non-ASCII characters.
const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'dsync e2e ü-'));
const root = path.join(parent, 'shop api ñ');
const run = new EmulatorRun(root, 'shop-api');
const { events, until, nextEvent, quiet, functions, functionNamed, deployedFile, latestLayerFile } = run;

const write = (rel: string, text: string) => fs.writeFileSync(path.join(root, rel), text);
const read = (rel: string) => fs.readFileSync(path.join(root, rel), 'utf8');
/** Files a test broke on purpose: put back if the test failed before fixing them, so one failure does not cascade. */
const broken = new Map<string, { bad: string; good: string }>();
const breakFile = (rel: string, bad: string) => {
  broken.set(rel, { bad, good: read(rel) });
  write(rel, bad);
};
const edit = (rel: string, from: string | RegExp, to: string) => {
  const before = read(rel);
  const after = before.replace(from, to);
  if (after === before) throw new Error(`edit of ${rel} changed nothing`);
  write(rel, after);
};

/**
 * Break the template with `bad(original)`, wait for the first event after
 * that matches `failure` and return it; then put the original back and wait
 * for the stack to deploy again.
 */
async function breakTemplateThenRecover(bad: (original: string) => string, failure: (e: Event) => boolean, what: string): Promise<Event> {
  const original = read('template.yaml');
  await quiet();
  const from = events.length;
  breakFile('template.yaml', bad(original));
  const event = await nextEvent(from, failure, what);
  const recovered = events.length;
  write('template.yaml', original);
  await nextEvent(recovered, (e) => deployOk(e) && e.kind === 'infra', 'a redeploy after the fix');
  return event;
}

const templateError = (e: Event) => e.type === 'error' && e.stage === 'template';

beforeAll(async () => {
  fs.cpSync(example, root, { recursive: true, filter: (src) => !/node_modules|\.aws-sam/.test(src) });
  // The image is built once per engine (CI builds it before the tests with the same command).
  await run.start();
}, 900_000);

afterEach(() => {
  for (const [rel, { bad, good }] of broken) if (read(rel) === bad) write(rel, good);
  broken.clear();
});

afterAll(async () => {
  await run.cleanUp();
  fs.rmSync(parent, { recursive: true, force: true });
});

describe('dsync up --emulator on the example app', () => {
  it('deploys all five functions and the layer, and publishes the endpoint on loopback only', async () => {
    expect(events.find((e) => e.type === 'deploy-result')).toMatchObject({ ok: true, kind: 'infra' });
    expect(run.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const names = (await functions()).map((f) => f.FunctionName);
    for (const id of ['ListProductsFunction', 'GetProductFunction', 'CreateOrderFunction', 'OrderStatsFunction', 'HealthFunction']) {
      expect(
        names.some((n) => n.startsWith(`${run.stack}-${id}-`)),
        `${id} in ${names.join(', ')}`,
      ).toBe(true);
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
    expect(
      events
        .slice(from)
        .filter((e) => e.type === 'build-started')
        .flatMap((e) => e.resources as string[]),
    ).toEqual(['ListProductsFunction']);
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
    const error = await breakTemplateThenRecover((t) => t.replace('Resources:', 'Resources:\n  Broken: [unclosed'), templateError, 'a template error');
    expect(error.message).toMatch(/template\.yaml is not valid YAML \(line \d+, column \d+\)/);
  });

  it('reports an unknown resource type and recovers', async () => {
    const error = await breakTemplateThenRecover((t) => t.replace('Type: AWS::Serverless::HttpApi', 'Type: AWS::Serverless::HttpAPI'), templateError, 'a template error');
    expect(error.message).toContain('template.yaml: resource ShopApi has an unknown type AWS::Serverless::HttpAPI');
  });

  it('reports a stack the emulator refuses to deploy, and recovers', async () => {
    const failed = await breakTemplateThenRecover((t) => t.replace('!GetAtt GetProductFunction.Arn', '!GetAtt NoSuchThing.Arn'), deployFailed, 'a refused stack update');
    expect(failed.cause).toMatch(/UpdateStack.*Fn::GetAtt references undefined resource NoSuchThing/);
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
    const code = await run.stop();
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
