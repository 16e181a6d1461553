// The corpus of SAM apps (test/fixtures/apps, shaped like `sam init` and
// AWS's samples) through `dsync up --emulator`, the way a new user would try
// them: each deploys, then one code edit and one template edit go live. Every
// check reads what the emulator holds (the stack's resources, deployed zips,
// state machine definitions, API routes and stages, layer versions, tables,
// and what an Express machine answers to StartSyncExecution), never dsync's
// own report. Prints a table of the timings at the end.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { EmulatorApi } from '../helpers/emulator-api.js';
import { cliRun, deployOk, EmulatorRun, engineHasImage, freshBuildListing, zipListing, type Event } from '../helpers/emulator-run.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const appsDir = path.resolve(here, '../fixtures/apps');

interface Fixture {
  stack: string;
  template: string;
  functions: string[];
  layers: string[];
  stateMachines: Array<{ id: string; contains: string }>;
  restApis: Array<{ id: string; stage: string; routes: string[] }>;
  httpApis: Array<{ id: string; stage: string; routes: string[] }>;
  tables: string[];
  /** Resources the emulator cannot create: each must be reported once as an emulator gap, and listed by `status`. */
  standIns?: string[];
  codeEdit: { file: string; find: string; replace: string; function: string; deployedFile: string };
  /** A change of a dependency manifest (requirements.txt, package.json): the deployed zip then holds `contains` in `deployedFile`. */
  dependencyEdit?: { file: string; find: string; replace: string; function: string; deployedFile: string; contains: string };
  configEdit: { file: string; find: string; replace: string; check: { kind: string; id: string; name?: string; value: string } };
  /** Executions of an Express machine run with StartSyncExecution after the first deploy: their status, and part of the output or the error. */
  syncExecutions?: Array<{ stateMachine: string; input: object; status: string; output?: Record<string, unknown>; error?: string }>;
  /** An image the app's runtime is taken from (AWS's image for Python 3.10/3.12): without it on the engine, the app is skipped. */
  needsImage?: string;
}

const only = process.env.DSYNC_CORPUS?.split(',').filter(Boolean);
const apps = fs
  .readdirSync(appsDir)
  .filter((name) => fs.existsSync(path.join(appsDir, name, 'dsync-fixture.json')))
  .filter((name) => !only || only.includes(name))
  .sort();

const timings: Array<{ app: string; first?: number; code?: number; deps?: number; config?: number }> = [];
afterAll(() => {
  const s = (ms?: number) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);
  console.log(
    ['app | first deploy | code edit | dependency edit | template edit', ...timings.map((t) => `${t.app} | ${s(t.first)} | ${s(t.code)} | ${s(t.deps)} | ${s(t.config)}`)].join(
      '\n',
    ),
  );
});

function edit(root: string, e: { file: string; find: string; replace: string }): void {
  const file = path.join(root, e.file);
  const text = fs.readFileSync(file, 'utf8');
  if (!text.includes(e.find)) throw new Error(`${e.file} does not contain ${JSON.stringify(e.find)}`);
  fs.writeFileSync(file, text.replace(e.find, e.replace));
}

const liveAfter = (run: EmulatorRun, from: number, what: string): Promise<Event> =>
  run.nextEvent(from, (e) => e.type === 'live' && (e.kind === 'code' || e.kind === 'infra'), what);

const fixtureOf = (app: string) => JSON.parse(fs.readFileSync(path.join(appsDir, app, 'dsync-fixture.json'), 'utf8')) as Fixture;
const missingImage = (app: string) => {
  const image = fixtureOf(app).needsImage;
  return image !== undefined && !engineHasImage(image) ? image : undefined;
};
for (const app of apps.filter(missingImage)) console.log(`corpus: ${app} skipped: the engine has no ${missingImage(app)} (nor a local stand-in of it)`);

describe.each(apps.filter((app) => !missingImage(app)))('SAM app %s in the emulator', (app) => {
  const fixture = fixtureOf(app);
  const root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-corpus-')), app);
  fs.cpSync(path.join(appsDir, app), root, { recursive: true });
  const run = new EmulatorRun(root, fixture.stack);
  const timing: { app: string; first?: number; code?: number; deps?: number; config?: number } = { app };
  timings.push(timing);
  let api: EmulatorApi;
  afterAll(() => run.cleanUp());

  const physical = async (logicalId: string): Promise<string> => {
    const resources = await api.stackResources(fixture.stack);
    // The SAM transform names a layer version <LogicalId><10-hex content hash>, on AWS too.
    const layer = [...resources.entries()].find(([id, r]) => r.type === 'AWS::Lambda::LayerVersion' && new RegExp(`^${logicalId}[0-9a-f]{10}$`).test(id));
    const id = resources.get(logicalId)?.physicalId ?? layer?.[1].physicalId;
    if (!id) throw new Error(`${logicalId} is not in stack ${fixture.stack} (it has ${[...resources.keys()].join(', ')})`);
    return id;
  };

  it('deploys, with every resource really present in the emulator', async () => {
    const started = Date.now();
    await run.start();
    const first = run.events.find((e) => e.type === 'live');
    expect(first, JSON.stringify(run.events.filter((e) => e.level === 'error'))).toMatchObject({ ok: true });
    timing.first = Date.now() - started;
    api = new EmulatorApi(run.endpoint);
    expect(await api.stackStatus(fixture.stack)).toMatch(/_COMPLETE$/);
    for (const fn of fixture.functions) {
      const zip = await api.functionZip(await physical(fn));
      expect(zip.size, `${fn} has deployed code`).toBeGreaterThan(0);
    }
    for (const layer of fixture.layers) {
      const arn = await physical(layer);
      const name = arn.split(':layer:')[1]?.split(':')[0] ?? arn;
      expect((await api.layerVersions(name)).length, `${layer} has a version`).toBeGreaterThan(0);
    }
    for (const sm of fixture.stateMachines) {
      expect(await api.stateMachineDefinition(await physical(sm.id)), `${sm.id} definition`).toContain(sm.contains);
    }
    for (const rest of fixture.restApis) {
      const found = await api.restApi(await physical(rest.id));
      expect(found.stages, `${rest.id} stages`).toContain(rest.stage);
      for (const route of rest.routes) expect(found.routes, `${rest.id} routes`).toContain(route);
    }
    for (const http of fixture.httpApis) {
      const found = await api.httpApi(await physical(http.id));
      expect(found.stages, `${http.id} stages`).toContain(http.stage);
      for (const route of http.routes) expect(found.routes, `${http.id} routes`).toContain(route);
    }
    for (const table of fixture.tables) expect(await api.tableExists(await physical(table)), `${table} exists`).toBe(true);
    for (const probe of fixture.syncExecutions ?? []) {
      const done = await api.startSyncExecution(await physical(probe.stateMachine), probe.input);
      expect(done.status, `${probe.stateMachine} ${JSON.stringify(done)}`).toBe(probe.status);
      if (probe.output) expect(JSON.parse(String(done.output))).toMatchObject(probe.output);
      if (probe.error) expect(done.error).toBe(probe.error);
    }
    const gaps = run.events.filter((e) => e.type === 'emulator-gap').map((e) => String(e.logicalId));
    expect(gaps.sort(), 'emulator gaps reported').toEqual([...(fixture.standIns ?? [])].sort());
    if (fixture.standIns?.length) {
      const status = run.refreshEndpoint() as { standIns?: Array<{ logicalId: string }> };
      expect(status.standIns?.map((s) => s.logicalId).sort()).toEqual([...fixture.standIns].sort());
    }
  }, 1_500_000);

  it('a code edit goes live: the deployed zip holds it', async () => {
    const from = run.events.length;
    const { codeEdit } = fixture;
    edit(root, codeEdit);
    const live = await liveAfter(run, from, `the code edit of ${codeEdit.file}`);
    expect(live, String(live.cause)).toMatchObject({ ok: true });
    timing.code = Number(live.latencyMs);
    const name = await physical(codeEdit.function);
    const isLayer = fixture.layers.includes(codeEdit.function);
    const zip = isLayer
      ? await (async () => {
          const layerName = name.split(':layer:')[1]?.split(':')[0] ?? name;
          const versions = await api.layerVersions(layerName);
          return api.layerZip(layerName, Math.max(...versions));
        })()
      : await api.functionZip(name);
    expect(zip.get(codeEdit.deployedFile)?.toString('utf8') ?? `(no ${codeEdit.deployedFile} in ${[...zip.keys()].join(', ')})`).toContain(codeEdit.replace);
    // dsync's npm shortcut (no SAM build) must deploy what a fresh `sam build` makes, file by file.
    if (run.events.slice(from).some((e) => e.type === 'build-finished' && e.shortcut === true)) {
      expect(zipListing(zip), `${codeEdit.function} through the shortcut`).toEqual(freshBuildListing(root, fixture.template, codeEdit.function));
    }
  }, 300_000);

  it.runIf(fixture.dependencyEdit)(
    'a dependency edit goes live: the deployed zip holds the new version',
    async () => {
      const dep = fixture.dependencyEdit!;
      const from = run.events.length;
      edit(root, dep);
      const live = await liveAfter(run, from, `the dependency edit of ${dep.file}`);
      expect(live, String(live.cause)).toMatchObject({ ok: true });
      timing.deps = Number(live.latencyMs);
      const zip = await api.functionZip(await physical(dep.function));
      expect(
        zip.get(dep.deployedFile)?.toString('utf8') ??
          `(no ${dep.deployedFile} among ${[...zip.keys()]
            .filter((k) => k.includes('dist-info') || k.includes('node_modules/ms'))
            .slice(0, 8)
            .join(', ')})`,
      ).toContain(dep.contains);
    },
    300_000,
  );

  it('a template edit goes live: the emulator holds the new configuration', async () => {
    const from = run.events.length;
    const { configEdit } = fixture;
    edit(root, configEdit);
    const live = await run.nextEvent(from, (e) => e.type === 'live' && e.kind === 'infra', `the template edit of ${configEdit.file}`);
    expect(live, String(live.cause)).toMatchObject({ ok: true });
    timing.config = Number(live.latencyMs);
    const { check } = configEdit;
    const id = await physical(check.id);
    if (check.kind === 'function-env') {
      const env = ((await api.functionConfig(id)).Environment as { Variables?: Record<string, string> } | undefined)?.Variables ?? {};
      expect(env[check.name!]).toBe(check.value);
    } else if (check.kind === 'function-memory') {
      expect(String((await api.functionConfig(id)).MemorySize)).toBe(check.value);
    } else if (check.kind === 'function-timeout') {
      expect(String((await api.functionConfig(id)).Timeout)).toBe(check.value);
    } else if (check.kind === 'state-machine-definition') {
      expect(await api.stateMachineDefinition(id)).toContain(check.value);
    } else if (check.kind === 'route') {
      const http = fixture.httpApis.some((h) => h.id === check.id);
      const found = http ? await api.httpApi(id) : await api.restApi(id);
      expect(found.routes).toContain(check.value);
    } else {
      throw new Error(`unknown check kind ${check.kind}`);
    }
  }, 300_000);

  it('stops cleanly, having said each emulator gap once', async () => {
    const gaps = run.events.filter((e) => e.type === 'emulator-gap').map((e) => String(e.logicalId));
    expect(gaps.length).toBe(new Set(gaps).size);
    expect(await run.stop()).toBe(0);
    expect(run.events.some(deployOk)).toBe(true);
  });
});

describe('an app with what the emulator cannot do (test/fixtures/apps-unsupported)', () => {
  const dir = path.resolve(here, '../fixtures/apps-unsupported/sar-app');
  const fixture = JSON.parse(fs.readFileSync(path.join(dir, 'dsync-fixture.json'), 'utf8')) as { stack: string; unsupported: string };
  const root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-corpus-')), 'sar-app');
  fs.cpSync(dir, root, { recursive: true });
  const run = new EmulatorRun(root, fixture.stack);
  afterAll(() => run.cleanUp());

  it('gets one clear line naming the resource and the gap, and the loop goes on', async () => {
    await run.start();
    const first = run.events.find((e) => e.type === 'live');
    expect(first).toMatchObject({ ok: false });
    expect(String(first!.cause)).toContain(`${fixture.unsupported} (AWS::Serverless::Application) comes from the Serverless Application Repository`);
    expect(String(first!.cause)).not.toMatch(/Traceback|HTTP 500|Internal Server Error/);
    // Taking it out is the fix: the next deploy succeeds.
    const template = path.join(root, 'template.yaml');
    const text = fs.readFileSync(template, 'utf8');
    const from = run.events.length;
    fs.writeFileSync(template, text.replace(/  SlackNotifier:[\s\S]*?(?=\n  NotifyFunction:)/, ''));
    const next = await run.nextEvent(from, (e) => e.type === 'live' && e.kind === 'infra', 'the deploy without the application');
    expect(next, String(next.cause)).toMatchObject({ ok: true });
    expect(await run.stop()).toBe(0);
  }, 600_000);
});

describe('an app whose runtime dsync cannot build (test/fixtures/apps-unsupported/java-app)', () => {
  const dir = path.resolve(here, '../fixtures/apps-unsupported/java-app');
  const fixture = JSON.parse(fs.readFileSync(path.join(dir, 'dsync-fixture.json'), 'utf8')) as { unsupported: string };

  it('stops before anything is built, with one line naming the runtime, the function and what to do', () => {
    const r = cliRun(['up', '--emulator', '--cwd', dir]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toContain(`dsync's image cannot build ${fixture.unsupported}: dsync's image has no java toolchain`);
    expect(lines[1]).toMatch(/^hint: set "image" in dsync.json/);
    expect(r.stderr).not.toMatch(/Traceback|\n\s+at /);
  });
});
