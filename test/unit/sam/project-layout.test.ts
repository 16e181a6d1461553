// Issue 17: templates naming code outside the project folder. Pure parts:
// the references a template makes, the routing of shared-code changes, the
// choice of the folder to mirror, and the synced scope within it.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isDsyncError } from '../../../src/base/errors.js';
import { loadConfig } from '../../../src/config/config.js';
import { DeploySteps } from '../../../src/samloop/deploy-steps.js';
import { resolveLayout } from '../../../src/sam/project-layout.js';
import { routeChanges } from '../../../src/sam/routing.js';
import { isOutside, loadTemplateModel } from '../../../src/sam/template.js';
import { DEFAULT_IGNORES, IgnoreRules } from '../../../src/sync/ignore-rules.js';
import { syncedByLayout } from '../../../src/samloop/sam-request.js';

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs22.x
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ../../shared/orders/
      Handler: index.handler
      Layers: [!Ref Common]
  Local:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/local
      Handler: index.handler
  Bundled:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/bundled
      Handler: app.handler
    Metadata:
      BuildMethod: esbuild
      BuildProperties:
        EntryPoints: [app.ts, ../../../../packages/util/index.ts]
  Common:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: ..\\..\\layers\\common
    Metadata:
      BuildMethod: nodejs22.x
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      DefinitionUri: ../../api/openapi.yaml
`;

describe('references outside the project folder', () => {
  const model = loadTemplateModel(TEMPLATE, 'template.yaml');

  it('keeps every local path the template names, with the property that names it', () => {
    const outside = model.references.filter(isOutside).map((r) => [r.resource, r.property, r.path]);
    expect(outside).toEqual([
      ['Orders', 'CodeUri', '../../shared/orders'],
      ['Bundled', 'Metadata.BuildProperties.EntryPoints', '../../packages/util/index.ts'],
      ['Common', 'ContentUri', '../../layers/common'],
      ['Api', 'DefinitionUri', '../../api/openapi.yaml'],
    ]);
    expect(model.references.filter((r) => !isOutside(r)).map((r) => r.path)).toEqual(['src/local', 'src/bundled', 'src/bundled/app.ts']);
  });

  it('owns shared code by the resources that name it, and routes its changes to them', () => {
    expect(model.resources.get('Orders')!.codePaths).toEqual(['../../shared/orders']);
    expect(model.resources.get('Bundled')!.codePaths).toEqual(['src/bundled', '../../packages/util/index.ts']);
    expect(model.infraFiles).toEqual(['../../api/openapi.yaml']);
    const route = routeChanges(['../../shared/orders/index.js', '../../layers/common/nodejs/lib.js', '../../packages/util/index.ts'], model);
    expect(route).toMatchObject({ infra: false, resources: ['Orders', 'Bundled', 'Common'], unowned: [] });
    expect(routeChanges(['../../api/openapi.yaml'], model).infra).toBe(true);
    // A sibling folder whose name merely starts the same is not shared code.
    expect(routeChanges(['../../shared/orders-old/x.js'], model).unowned).toEqual(['../../shared/orders-old/x.js']);
  });

  it('marks absolute paths as outside and never as code to sync', () => {
    const m = loadTemplateModel('Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: /opt/code\n      Handler: a.b\n', 'template.yaml');
    expect(m.references.filter(isOutside).map((r) => r.path)).toEqual(['/opt/code']);
    expect(m.resources.get('F')!.codePaths).toEqual([]);
    const w = loadTemplateModel('Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: C:\\code\\f\n      Handler: a.b\n', 'template.yaml');
    expect(w.references.filter(isOutside).map((r) => r.path)).toEqual(['C:/code/f']);
  });
});

describe('choosing the folder to mirror', () => {
  const repo = '/home/ana/repo';
  const project = `${repo}/apps/orders`;
  const model = loadTemplateModel(TEMPLATE, 'template.yaml');
  const withGitAt = (dir: string | undefined) => async (p: string) => dir !== undefined && p === `${dir}/.git`;

  it('mirrors the project folder alone when nothing leaves it', async () => {
    const local = loadTemplateModel('Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src\n      Handler: a.b\n', 'template.yaml');
    const layout = await resolveLayout({ root: project, model: local, flavour: path.posix, exists: withGitAt(undefined) });
    expect(layout).toEqual({ syncRoot: project, projectDir: '' });
  });

  it('mirrors the smallest folder holding the project and every reference, syncing only those', async () => {
    const layout = await resolveLayout({ root: project, model, flavour: path.posix, exists: withGitAt(repo) });
    // packages/util is four levels up from src/bundled: /home/ana/repo/packages/util.
    expect(layout.syncRoot).toBe(repo);
    expect(layout.projectDir).toBe('apps/orders');
    expect(layout.scope).toEqual(['api/openapi.yaml', 'apps/orders', 'layers/common', 'packages/util/index.ts', 'shared/orders']);
    expect(layout.rootFrom).toBe('the git work tree');
  });

  it('stops with the resource, the path and --root when a reference leaves the git work tree', async () => {
    const error = await resolveLayout({ root: project, model, flavour: path.posix, exists: withGitAt(`${repo}/apps`) }).catch((e: unknown) => e);
    expect(isDsyncError(error)).toBe(true);
    expect((error as Error).message).toBe(`Orders's CodeUri ../../shared/orders/ lies outside the git work tree ${repo}/apps`);
    expect((error as { hint?: string }).hint).toContain('--root');
    const noGit = await resolveLayout({ root: project, model, flavour: path.posix, exists: withGitAt(undefined) }).catch((e: unknown) => e);
    expect((noGit as Error).message).toContain('is not in a git work tree');
  });

  it('takes the root a person names instead of the git work tree', async () => {
    const layout = await resolveLayout({ root: project, model, givenRoot: { path: repo, from: '--root' }, flavour: path.posix, exists: withGitAt(undefined) });
    expect(layout.syncRoot).toBe(repo);
    const tooLow = await resolveLayout({
      root: project,
      model,
      givenRoot: { path: `${repo}/apps`, from: '--root' },
      flavour: path.posix,
      exists: withGitAt(repo),
    }).catch((e: unknown) => e);
    expect((tooLow as Error).message).toContain(`outside the root ${repo}/apps (from --root)`);
    const notAbove = await resolveLayout({
      root: project,
      model,
      givenRoot: { path: '/elsewhere', from: 'dsync.json' },
      flavour: path.posix,
      exists: withGitAt(repo),
    }).catch((e: unknown) => e);
    expect((notAbove as Error).message).toContain('does not hold the project folder');
  });

  it('compares Windows paths without regard to case', async () => {
    const m = loadTemplateModel('Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: ..\\shared\n      Handler: a.b\n', 'template.yaml');
    const layout = await resolveLayout({
      root: 'C:\\Repo\\app',
      model: m,
      givenRoot: { path: 'c:\\repo', from: '--root' },
      flavour: path.win32,
      exists: async () => false,
    });
    expect(layout).toMatchObject({ syncRoot: 'C:\\Repo', projectDir: 'app', scope: ['app', 'shared'] });
  });
});

describe('the synced scope', () => {
  const rules = new IgnoreRules(DEFAULT_IGNORES, ['apps/orders', 'shared/orders']);

  it('syncs the scope and the folders leading to it, and nothing else', () => {
    expect(rules.isIgnored('apps/orders/src/index.js', false)).toBe(false);
    expect(rules.isIgnored('shared/orders/index.js', false)).toBe(false);
    expect(rules.isIgnored('apps', true)).toBe(false);
    expect(rules.isIgnored('shared', true)).toBe(false);
    expect(rules.isIgnored('apps/billing/src/index.js', false)).toBe(true);
    expect(rules.isIgnored('shared/orders-old', true)).toBe(true);
    expect(rules.isIgnored('README.md', false)).toBe(true);
    expect(rules.isIgnored('docs', true)).toBe(true);
  });

  it('keeps the ignore files on the way down (their rules apply below) and the defaults inside', () => {
    expect(rules.isIgnored('.gitignore', false)).toBe(false);
    expect(rules.isIgnored('apps/.gitignore', false)).toBe(false);
    expect(rules.isIgnored('docs/.gitignore', false)).toBe(true);
    expect(rules.isIgnored('shared/orders/node_modules', true)).toBe(true);
    rules.addFile('', '.gitignore', '*.log\n');
    expect(rules.isIgnored('shared/orders/debug.log', false)).toBe(true);
  });
});

describe('a reference the run does not sync', () => {
  const layout = { syncRoot: '/repo', projectDir: 'apps/orders', scope: ['apps/orders', 'shared/orders'] };
  const config = { ...loadConfig({ cwd: '/repo/apps/orders', flags: {}, readFile: () => undefined, isDirectory: () => true }), layout };

  it('tells synced paths from the rest, inside and outside the project', () => {
    expect(syncedByLayout(config, 'src/status')).toBe(true);
    expect(syncedByLayout(config, '../../shared/orders')).toBe(true);
    expect(syncedByLayout(config, '../../shared/orders/lib')).toBe(true);
    expect(syncedByLayout(config, '../../shared/payments')).toBe(false);
    expect(syncedByLayout(config, '/opt/code')).toBe(false);
    // Without a monorepo layout nothing outside the project folder is sent.
    expect(syncedByLayout({ ...config, layout: undefined }, '../shared')).toBe(false);
    expect(syncedByLayout({ ...config, layout: undefined }, 'src')).toBe(true);
  });

  it('names a reference added after `up` chose what to mirror, before SAM runs', () => {
    const steps = new DeploySteps({
      runner: {} as never,
      reporter: { event: () => undefined } as never,
      clock: { now: () => 0 } as never,
      exists: async () => true,
      synced: (p) => syncedByLayout(config, p),
    });
    const model = loadTemplateModel(
      'Resources:\n  Pay:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: ../../shared/payments/\n      Handler: a.b\n',
      'template.yaml',
    );
    expect(steps.unsyncedReference(model)).toBe(
      "Pay's CodeUri ../../shared/payments/ lies outside the folders dsync syncs for this run: stop dsync and run `dsync up` again, so it mirrors that folder too",
    );
    const layer = loadTemplateModel('Resources:\n  Common:\n    Type: AWS::Serverless::LayerVersion\n    Properties:\n      ContentUri: ..\\..\\layers\\common\n', 'template.yaml');
    expect(steps.unsyncedReference(layer)).toMatch(/^Common's ContentUri \.\.\\\.\.\\layers\\common lies outside/);
    const synced = loadTemplateModel(
      'Resources:\n  Orders:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: ../../shared/orders\n      Handler: a.b\n',
      'template.yaml',
    );
    expect(steps.unsyncedReference(synced)).toBeUndefined();
  });

  it('reads "root" from dsync.json relative to its folder, and --root from where dsync started', () => {
    // (path.resolve: on Windows these are C:\repo..., as the config module resolves them.)
    const fromFile = loadConfig({ cwd: '/repo/apps/orders', flags: {}, readFile: () => '{"root": "../.."}', isDirectory: () => true });
    expect(fromFile).toMatchObject({ rootDir: path.resolve('/repo'), rootFrom: path.resolve('/repo/apps/orders/dsync.json') });
    const fromFlag = loadConfig({
      cwd: '/repo/apps/orders',
      startDir: '/repo',
      flags: { root: '.' },
      readFile: () => '{"root": "../.."}',
      isDirectory: () => true,
    });
    expect(fromFlag).toMatchObject({ rootDir: path.resolve('/repo'), rootFrom: '--root' });
  });
});
