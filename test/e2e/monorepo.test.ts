// Issue 17 end to end: a git repository holding two SAM projects that share
// code (../../shared/orders) and a layer (../../layers/common). `dsync up
// --emulator` runs in one of them (apps/orders): the container mirrors the
// repository's layout, but only that project and the folders its template
// names; editing the shared code or the layer makes that project's
// resources go live with it (read back from the emulator); files outside
// every referenced path never reach the container; and a reference that
// leaves the git work tree stops `up` before SAM runs, with one clear line.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliRun, deployOk, EmulatorRun } from '../helpers/emulator-run.js';

const fixture = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/monorepo');
const repo = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-mono-')), 'repo');
const project = path.join(repo, 'apps', 'orders');
const run = new EmulatorRun(project, 'orders');
const { events, nextEvent, quiet, deployedFile, latestLayerFile } = run;

const edit = (rel: string, from: string, to: string) => {
  const file = path.join(repo, rel);
  const before = fs.readFileSync(file, 'utf8');
  if (!before.includes(from)) throw new Error(`${rel} does not contain ${from}`);
  fs.writeFileSync(file, before.replace(from, to));
};

/** The files under the container's mirror of the repository (build output and caches left out). */
function containerFiles(): string[] {
  const r = cliRun(['exec', '--cwd', project, '--', 'sh', '-c', 'cd /dsync/workspace && find . -name .aws-sam -prune -o -type f -print']);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/^\.\//, ''))
    .sort();
}

describe('a monorepo: code shared from outside the project folder', () => {
  beforeAll(async () => {
    fs.cpSync(fixture, repo, { recursive: true });
    expect(spawnSync('git', ['init', '-q'], { cwd: repo }).status).toBe(0);
    await run.start();
  }, 1_500_000);

  afterAll(async () => {
    await run.cleanUp();
  }, 120_000);

  it('prints the root once, deploys the shared code and layer, and mirrors only what the template names', async () => {
    const root = events.filter((e) => e.type === 'sync-root');
    expect(root).toHaveLength(1);
    expect(root[0]).toMatchObject({ root: repo, projectDir: 'apps/orders', scope: ['apps/orders', 'layers/common', 'shared/orders'] });
    expect(events.find((e) => e.type === 'live')).toMatchObject({ ok: true });

    expect(await deployedFile('OrdersFunction', 'index.js')).toContain("version: 'orders-v1'");
    expect(await deployedFile('StatusFunction', 'app.js')).toContain('status-v1');
    expect((await latestLayerFile('mono-orders-common', 'nodejs/label.js')).text).toContain('common-v1');

    // SAM ran from the project's place in the mirror, like `sam sync` run in apps/orders.
    const pwd = cliRun(['exec', '--cwd', project, '--', 'sh', '-c', 'pwd; test -d .aws-sam/build && echo built']);
    expect(pwd.stdout.split('\n').slice(0, 2)).toEqual(['/dsync/workspace/apps/orders', 'built']);
    expect(containerFiles()).toEqual([
      '.gitignore',
      'apps/orders/src/status/app.js',
      'apps/orders/src/status/package.json',
      'apps/orders/template.yaml',
      'layers/common/label.js',
      'layers/common/package.json',
      'shared/orders/index.js',
      'shared/orders/package.json',
    ]);
    const status = JSON.parse(cliRun(['status', '--json', '--cwd', project]).stdout) as Record<string, unknown>;
    expect(status).toMatchObject({ inSync: true, syncRoot: { path: repo, synced: ['apps/orders', 'layers/common', 'shared/orders'] } });
  });

  it('an edit of the shared code makes the function that uses it go live', async () => {
    await quiet();
    const from = events.length;
    edit('shared/orders/index.js', 'orders-v1', 'orders-v2');
    const live = await nextEvent(from, (e) => deployOk(e) && Array.isArray(e.resources) && (e.resources as string[]).includes('OrdersFunction'), 'OrdersFunction live');
    expect(live.resources).toEqual(['OrdersFunction']);
    expect(await deployedFile('OrdersFunction', 'index.js')).toContain("version: 'orders-v2'");
  });

  it('an edit of the shared layer publishes a new layer version', async () => {
    await quiet();
    const before = await latestLayerFile('mono-orders-common', 'nodejs/label.js');
    const from = events.length;
    edit('layers/common/label.js', 'common-v1', 'common-v2');
    await nextEvent(from, (e) => deployOk(e) && Array.isArray(e.resources) && (e.resources as string[]).includes('CommonLayer'), 'CommonLayer live');
    const after = await latestLayerFile('mono-orders-common', 'nodejs/label.js');
    expect(after.version).toBeGreaterThan(before.version);
    expect(after.text).toContain('common-v2');
  });

  it('never sends a file outside every referenced path, nor the other project', async () => {
    await quiet();
    fs.writeFileSync(path.join(repo, 'docs', 'new.md'), 'not referenced\n');
    fs.writeFileSync(path.join(repo, 'shared', 'unused', 'new.js'), 'exports.x = 1;\n');
    fs.writeFileSync(path.join(repo, 'apps', 'billing', 'src', 'invoice', 'new.js'), 'exports.y = 2;\n');
    fs.writeFileSync(path.join(repo, 'README.md'), 'changed\n');
    // A file inside the scope, written last: once it is in the container, the others had their chance.
    fs.writeFileSync(path.join(repo, 'shared', 'orders', 'notes.txt'), 'inside\n');
    await run.until('shared/orders/notes.txt in the container', () => containerFiles().includes('shared/orders/notes.txt'));
    await quiet();
    const files = containerFiles();
    expect(files.filter((f) => f.startsWith('docs/') || f.startsWith('shared/unused') || f.startsWith('apps/billing') || f === 'README.md')).toEqual([]);
  });
});

describe('a reference dsync cannot reach', () => {
  it('stops before SAM runs with the resource, the path and --root', () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-mono-out-'));
    const app = path.join(parent, 'repo', 'app');
    fs.mkdirSync(path.join(parent, 'outside'), { recursive: true });
    fs.mkdirSync(app, { recursive: true });
    expect(spawnSync('git', ['init', '-q'], { cwd: path.join(parent, 'repo') }).status).toBe(0);
    fs.writeFileSync(
      path.join(app, 'template.yaml'),
      'Transform: AWS::Serverless-2016-10-31\nResources:\n  StockCheckerFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: ../../outside/\n      Handler: app.handler\n      Runtime: nodejs22.x\n',
    );
    const r = cliRun(['up', '--emulator', '--cwd', app]);
    // A project error: exit 2, as the README's exit codes say.
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toBe(`dsync: StockCheckerFunction's CodeUri ../../outside/ lies outside the git work tree ${path.join(parent, 'repo')}`);
    expect(lines[1]).toMatch(/^hint: .*--root DIR/);
    // Nothing was created for it.
    expect(JSON.parse(cliRun(['status', '--json', '--cwd', app]).stdout)).toMatchObject({ container: null });
  });
});
