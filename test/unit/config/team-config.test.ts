// The team-standard configuration: dsync.json as JSON with comments checked
// against the shipped schema (errors with line:column), customizations.dsync
// in devcontainer.json, the pins (requires, imageDigest, samVersion), and
// `dsync init`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DsyncError } from '../../../src/base/errors.js';
import type { Reporter } from '../../../src/base/reporter.js';
import { initProject, type InitDeps } from '../../../src/cli/init-project.js';
import { main } from '../../../src/cli/main.js';
import { imagePin, loadConfig, readSettingsFile, SETTING_KEYS, validateSettings, type LoadInput } from '../../../src/config/config.js';
import { parseJsoncFile } from '../../../src/config/jsonc.js';
import { SCHEMA_FILE, settingsSchema } from '../../../src/config/settings-schema.js';
import type { ContainerClient, ImageDetails } from '../../../src/docker/container-client.js';
import { digestMatches, pinnableDigest, repositoryOf } from '../../../src/docker/image-digest.js';
import { describeProject } from '../../../src/docker/project.js';
import { hostPlatform } from '../../../src/base/platform.js';
import { checkSamVersion, parseSamVersion } from '../../../src/sam/sam-version.js';
import { ContainerManager } from '../../../src/session/container-manager.js';
import { checkImagePin } from '../../../src/session/image-pin.js';

const ROOT = path.resolve('/proj');
const FILE = path.join(ROOT, 'dsync.json');
const DEV = path.join(ROOT, '.devcontainer', 'devcontainer.json');

function load(dsyncJson: string | undefined, more: Partial<LoadInput> = {}) {
  return loadConfig({ cwd: ROOT, flags: {}, isDirectory: (p) => p === ROOT, readFile: (p) => (p === FILE ? dsyncJson : undefined), ...more });
}

function failure(fn: () => unknown): DsyncError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DsyncError) return error;
    throw error;
  }
  throw new Error('expected a DsyncError');
}

describe('dsync.json: JSON with comments, checked against the schema', () => {
  it('accepts comments and trailing commas', () => {
    const text = '// team settings\n{\n  /* the image */\n  "image": "team/sam:1", // pinned below\n  "quietMs": 20,\n  "stack": { "perDeveloper": false, },\n}\n';
    expect(load(text)).toMatchObject({ image: 'team/sam:1', quietMs: 20, stack: { perDeveloper: false }, imageChosen: true });
  });
  it('a bad type names the file, line and column of the value, what was expected and what was found', () => {
    const error = failure(() => load('{\n  // comment\n  "image": "x",\n  "quietMs": "fast"\n}\n'));
    expect(error.code).toBe('CONFIG');
    expect(error.message).toBe(`${FILE}:4:14: "quietMs" must be an integer >= 0, found "fast"`);
  });
  it('an unknown key points at the key and suggests the closest one', () => {
    const text = '{\n  "image": "x",\n  "quietMs": 5,\n  // per developer\n  "region": "eu-west-1",\n\n  "stak": {}\n}';
    const error = failure(() => load(text));
    expect(error.message).toBe(`${FILE}:7:3: unknown setting "stak" (did you mean "stack"?)`);
    expect(error.hint).toMatch(/known settings here: .*stack/);
    expect(failure(() => load('{"zzzzzz": 1}')).message).toBe(`${FILE}:1:2: unknown setting "zzzzzz"`);
  });
  it('a bad nested value or key carries its key path', () => {
    const text = '{\n  "stack": {\n    "perDeveloper": "no",\n  }\n}';
    expect(failure(() => load(text)).message).toBe(`${FILE}:3:21: "stack.perDeveloper" must be true or false, found "no"`);
    expect(failure(() => load('{\n  "stack": {\n    "owner": "x"\n  }\n}')).message).toBe(`${FILE}:3:5: unknown setting "stack.owner"`);
    const names = '{ "stack": { "protectedNames": ["prod",\n    "("] } }';
    expect(failure(() => load(names)).message).toMatch(new RegExp(`^${escape(FILE)}:2:5: "stack.protectedNames\\[1\\]" must be a valid regular expression \\(.*\\), found "\\("$`));
    expect(failure(() => load('{"stack": {"pattern": "{stack}-dev"}}')).message).toBe(
      `${FILE}:1:23: "stack.pattern" must be a string holding {who} (and usually {stack}), found "{stack}-dev"`,
    );
  });
  it('pins have patterns: a digest is sha256 and 64 hex digits, requires and samVersion are semver ranges', () => {
    expect(failure(() => load('{\n  "imageDigest": "abc"\n}')).message).toBe(`${FILE}:2:18: "imageDigest" must be "sha256:" followed by 64 lowercase hex digits, found "abc"`);
    expect(failure(() => load('{"requires": "soon"}')).message).toMatch(/:1:14: "requires" must be a semver range or version .*, found "soon"$/);
    expect(failure(() => load('{"samVersion": "one"}')).message).toMatch(/"samVersion" must be a semver range/);
    expect(load('{"samVersion": "1.170.0", "requires": "^0.1"}')).toMatchObject({ samVersion: '1.170.0', requires: '^0.1' });
  });
  it('a JSON syntax error gets line:column too', () => {
    const error = failure(() => load('{\n  "image": "x"\n  "quietMs": 5\n}'));
    expect(error.message).toBe(`${FILE}:3:3: not valid JSON: expected ","`);
    expect(failure(() => load('')).message).toBe(`${FILE}:1:1: not valid JSON: expected a value`);
    expect(failure(() => load('{"image": "x",')).message).toMatch(/:1:15: not valid JSON: expected a property name in double quotes$/);
    expect(() => parseJsoncFile('f.json', "{'a': 1}")).toThrow(/^f\.json:1:2: not valid JSON/);
  });
  it('the whole file must be an object', () => {
    expect(failure(() => load('[1, 2]')).message).toBe(`${FILE}:1:1: the settings must be a JSON object, found an array`);
  });
  it('flags keep their own checks: numbers may come as strings', () => {
    expect(validateSettings({ quietMs: '20', image: ' team/sam ', template: undefined }, 'command line')).toEqual({ quietMs: 20, image: 'team/sam' });
    expect(() => validateSettings({ quietMs: 'fast' }, 'command line')).toThrow('command line: "quietMs" must be an integer >= 0, found "fast"');
  });
});

describe('the shipped schema', () => {
  const schema = settingsSchema().schema as { properties: Record<string, { description?: string }>; additionalProperties: boolean };
  it('has every setting dsync reads, each with a description, and no other', () => {
    expect(Object.keys(schema.properties).sort()).toEqual([...SETTING_KEYS].sort());
    for (const [key, property] of Object.entries(schema.properties)) expect(property.description, key).toMatch(/\w/);
    expect(schema.additionalProperties).toBe(false);
    const stack = schema.properties.stack as unknown as { properties: Record<string, unknown>; additionalProperties: boolean };
    expect(Object.keys(stack.properties).sort()).toEqual(['pattern', 'perDeveloper', 'protectedNames', 'protectedTags']);
    expect(stack.additionalProperties).toBe(false);
  });
  it('is in the package', () => {
    const pkg = JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      files: string[];
      dependencies: Record<string, string>;
    };
    expect(pkg.files).toContain('schema');
    expect(path.relative(path.resolve('.'), SCHEMA_FILE)).toBe(path.join('schema', 'dsync.schema.json'));
    expect(Object.keys(pkg.dependencies)).toEqual(expect.arrayContaining(['ajv', 'jsonc-parser', 'semver']));
  });
  it("accepts the fixtures' dsync.json files", () => {
    const files = findFiles(path.resolve('test/fixtures'), 'dsync.json');
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const settings = readSettingsFile(file, fs.readFileSync(file, 'utf8'));
      expect(Object.keys(settings).length, file).toBeGreaterThan(0);
    }
    // The full fixture holds every setting.
    const full = parseJsoncFile('x', fs.readFileSync(path.resolve('test/fixtures/team/dsync.json'), 'utf8')).value as object;
    expect(Object.keys(full).sort()).toEqual([...SETTING_KEYS].sort());
  });
});

describe('customizations.dsync in devcontainer.json', () => {
  const devcontainer = (dsync: string) => ({
    file: DEV,
    text: `// dev container\n{\n  "image": "mcr.microsoft.com/devcontainers/base",\n  "customizations": {\n    "vscode": {},\n    "dsync": ${dsync}\n  }\n}\n`,
  });
  it('sits between the defaults and dsync.json; flags win over both', () => {
    const dev = devcontainer('{ "image": "team/dev:1", "quietMs": 5, "stackName": "from-dev", "region": "eu-west-1" }');
    const config = load('{ "image": "team/file:1", "stackName": "from-file" }', { devcontainer: dev, flags: { stackName: 'from-flag' } });
    expect(config).toMatchObject({ image: 'team/file:1', quietMs: 5, stackName: 'from-flag', region: 'eu-west-1', maxWaitMs: 150, imageChosen: true });
    expect(load(undefined, { devcontainer: dev })).toMatchObject({ image: 'team/dev:1', stackName: 'from-dev', imageChosen: true });
    expect(load(undefined, { devcontainer: { file: DEV, text: '{"image": "x"}' } })).toMatchObject({
      image: 'public.ecr.aws/sam/build-nodejs22.x',
      imageChosen: false,
    });
  });
  it('a root or template there is relative to the project folder', () => {
    const config = load(undefined, { devcontainer: devcontainer('{ "root": "..", "template": "infra/template.yaml" }') });
    expect(config.rootDir).toBe(path.resolve(ROOT, '..'));
    expect(config.rootFrom).toBe(DEV);
    expect(config).toMatchObject({ template: 'infra/template.yaml', templateFrom: DEV });
  });
  it('errors point into devcontainer.json, with the full key path', () => {
    expect(failure(() => load(undefined, { devcontainer: devcontainer('{ "quietMs": -1 }') })).message).toBe(
      `${DEV}:6:27: "customizations.dsync.quietMs" must be an integer >= 0, found -1`,
    );
    expect(failure(() => load(undefined, { devcontainer: devcontainer('{\n      "imge": "x"\n    }') })).message).toBe(
      `${DEV}:7:7: unknown setting "customizations.dsync.imge" (did you mean "image"?)`,
    );
    expect(failure(() => load(undefined, { devcontainer: devcontainer('"fast"') })).message).toBe(`${DEV}:6:14: "customizations.dsync" must be a JSON object, found "fast"`);
    expect(failure(() => load(undefined, { devcontainer: { file: DEV, text: '{ "customizations": { } ' } })).message).toMatch(
      /devcontainer\.json:1:25: not valid JSON: expected "}"$/,
    );
  });
  it('the pins say which file set them', () => {
    const error = failure(() => load(undefined, { devcontainer: devcontainer('{ "requires": ">=9" }'), dsyncVersion: '0.1.0' }));
    expect(error.message).toBe(`this project requires dsync >=9 (${path.join('.devcontainer', 'devcontainer.json')} "customizations.dsync.requires"), this is 0.1.0`);
  });
});

describe('the "requires" pin', () => {
  it('passes when this dsync is in the range, prereleases included', () => {
    expect(load('{"requires": ">=0.1"}', { dsyncVersion: '0.1.0' }).requires).toBe('>=0.1');
    expect(load('{"requires": "^0.3.0"}', { dsyncVersion: '0.3.2' }).requires).toBe('^0.3.0');
    expect(load('{"requires": ">=0.3"}', { dsyncVersion: '0.4.0-rc.1' }).requires).toBe('>=0.3');
    expect(load('{"requires": ">=0.3"}').requires).toBe('>=0.3'); // no version given: not checked
  });
  it('fails with what the project needs, what this is, and how to install a fitting one', () => {
    const error = failure(() => load('{"requires": ">=0.3"}', { dsyncVersion: '0.1.0' }));
    expect(error.code).toBe('CONFIG');
    expect(error.message).toBe('this project requires dsync >=0.3 (dsync.json "requires"), this is 0.1.0');
    expect(error.hint).toContain("npm i -D 'dsync@>=0.3'");
  });
  it('an invalid range is a schema error with its position', () => {
    expect(failure(() => load('{\n  "requires": "0.3 or later"\n}', { dsyncVersion: '0.1.0' })).message).toMatch(/dsync\.json:2:15: "requires" must be a semver range/);
  });
});

const DIGEST = (c: string) => `sha256:${c.repeat(64)}`;
const details: ImageDetails = { id: DIGEST('a'), repoDigests: [`public.ecr.aws/sam/build-nodejs22.x@${DIGEST('b')}`, `mirror.example/sam@${DIGEST('c')}`], labels: {} };

function fakeClient(images: Record<string, ImageDetails | undefined>, created: string[] = []): ContainerClient {
  return {
    endpoint: 'unix:///fake.sock',
    ping: async () => undefined,
    findContainers: async () => [],
    inspectContainer: async (id: string) => ({ id, name: 'c', image: 'i', state: 'running', labels: {} }),
    imageExists: async (image: string) => images[image] !== undefined,
    inspectImage: async (image: string) => images[image],
    ensureVolume: async (_name: string, labels: Record<string, string>) => labels,
    createContainer: async (spec: { name: string }) => {
      created.push(spec.name);
      return 'id1';
    },
    startContainer: async () => undefined,
  } as unknown as ContainerClient;
}

const quiet: Reporter = { event: () => undefined, progress: () => undefined, done: () => undefined, close: () => undefined };

describe('the "imageDigest" pin', () => {
  it('matches the image id or any repo digest', () => {
    expect(digestMatches(details, DIGEST('a'))).toBe(true);
    expect(digestMatches(details, DIGEST('b'))).toBe(true);
    expect(digestMatches(details, DIGEST('c'))).toBe(true);
    expect(digestMatches(details, DIGEST('d'))).toBe(false);
    expect(repositoryOf('localhost:5000/team/sam:1')).toBe('localhost:5000/team/sam');
    expect(repositoryOf('localhost:5000/team/sam')).toBe('localhost:5000/team/sam');
    expect(pinnableDigest('public.ecr.aws/sam/build-nodejs22.x', details)).toEqual({
      digest: DIGEST('b'),
      reference: `public.ecr.aws/sam/build-nodejs22.x@${DIGEST('b')}`,
    });
    expect(pinnableDigest('team/local', { id: DIGEST('e'), repoDigests: [], labels: {} })).toEqual({ digest: DIGEST('e') });
  });
  it('a mismatch names both digests, the setting, and how to get the pinned image', async () => {
    const pin = { image: 'public.ecr.aws/sam/build-nodejs22.x:latest', digest: DIGEST('d'), from: 'dsync.json "imageDigest"' };
    const client = fakeClient({ [pin.image]: details });
    const error = await checkImagePin(client, pin).then(
      () => undefined,
      (e: DsyncError) => e,
    );
    expect(error?.code).toBe('IMAGE_MISSING');
    expect(error?.message).toBe(
      `the image ${pin.image} on this engine is not the pinned one: it has id ${DIGEST('a')}, repo digest ${DIGEST('b')}, repo digest ${DIGEST('c')}; this project pins ${DIGEST('d')} (dsync.json "imageDigest")`,
    );
    expect(error?.hint).toContain(`docker pull public.ecr.aws/sam/build-nodejs22.x@${DIGEST('d')}`);
    expect(error?.hint).toContain('dsync init --force');
    await expect(checkImagePin(client, { ...pin, digest: DIGEST('b') })).resolves.toBeUndefined();
    await expect(checkImagePin(fakeClient({}), pin)).rejects.toThrow(/is not on the engine, so it cannot be checked/);
  });
  it('is checked before the container is created, and applies only to the image "image" names', async () => {
    const config = load(`{"image": "team/sam:1", "imageDigest": "${DIGEST('d')}"}`);
    const pin = imagePin(config);
    expect(pin).toEqual({ image: 'team/sam:1', digest: DIGEST('d'), from: 'dsync.json "imageDigest"' });
    const project = describeProject(ROOT, hostPlatform(), { hostname: 'h', user: 'u' });
    const created: string[] = [];
    const manager = new ContainerManager(fakeClient({ 'team/sam:1': details }, created), project, 'team/sam:1', quiet, {}, undefined, pin);
    await expect(manager.ensure()).rejects.toThrow(/not the pinned one/);
    expect(created).toEqual([]);
    const ok = new ContainerManager(fakeClient({ 'team/sam:1': details }, created), project, 'team/sam:1', quiet, {}, undefined, {
      ...pin!,
      digest: DIGEST('a'),
    });
    await ok.ensure();
    expect(created).toEqual([project.containerName]);
    // dsync's own SAM image (emulator mode) is not covered by the pin.
    const other = new ContainerManager(fakeClient({ 'dsync/sam:x': details }, []), project, 'dsync/sam:x', quiet, {}, undefined, pin);
    await expect(other.ensure()).resolves.toMatchObject({ id: 'id1' });
    // An image chosen for this run with --image (not the file's) leaves the pin unchecked.
    expect(imagePin(load(`{"imageDigest": "${DIGEST('d')}"}`, { flags: { image: 'mine' } }))).toBeUndefined();
    expect(imagePin(load(`{"imageDigest": "${DIGEST('d')}"}`))?.image).toBe('public.ecr.aws/sam/build-nodejs22.x');
  });
});

describe('the "samVersion" pin', () => {
  it("reads SAM's version line", () => {
    expect(parseSamVersion('SAM CLI, version 1.170.0')).toBe('1.170.0');
    expect(parseSamVersion('SAM CLI, version 1.170.0\n')).toBe('1.170.0');
    expect(parseSamVersion('1.150.1')).toBe('1.150.1');
    expect(parseSamVersion('')).toBeUndefined();
    expect(parseSamVersion(undefined)).toBeUndefined();
  });
  it('passes an exact match or a range, and says what the container has otherwise', () => {
    expect(() => checkSamVersion('1.170.0', '1.170.0', 'dsync.json "samVersion"')).not.toThrow();
    expect(() => checkSamVersion('SAM CLI, version 1.170.0', '>=1.150 <2', 'dsync.json "samVersion"')).not.toThrow();
    const error = failure(() => checkSamVersion('1.150.0', '1.170.0', 'dsync.json "samVersion"'));
    expect(error.code).toBe('SAM_MISSING');
    expect(error.message).toBe('the container has SAM CLI 1.150.0; this project pins 1.170.0 (dsync.json "samVersion")');
    expect(error.hint).toMatch(/use an image with SAM CLI 1\.170\.0/);
    expect(() => checkSamVersion(undefined, '1.170.0', 'x')).toThrow(/did not say its version/);
  });
});

describe('dsync init', () => {
  const TEMPLATE = `Globals:\n  Function:\n    Runtime: python3.12\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/\n      Handler: app.handler\n`;
  const SAMCONFIG = 'version = 0.1\n[default.global.parameters]\nstack_name = "orders"\nregion = "eu-west-1"\n';

  function project(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-init-'));
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text);
    }
    return dir;
  }
  const deps = (client?: ContainerClient): InitDeps => ({
    readFile: (p) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined),
    writeFile: (p, text) => {
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, text);
    },
    exists: (p) => fs.existsSync(p),
    client: client ? () => client : undefined,
    dsyncVersion: '0.1.0',
  });
  const PY = 'public.ecr.aws/sam/build-python3.12';
  const pyDetails: ImageDetails = { id: DIGEST('a'), repoDigests: [`${PY}@${DIGEST('b')}`], labels: {} };

  it('detects the template, runtime and samconfig, pins the digest on this engine, and writes a commented dsync.json that loads', async () => {
    const dir = project({ 'template.yaml': TEMPLATE, 'samconfig.toml': SAMCONFIG });
    const { lines, wrote } = await initProject({ root: dir, devcontainer: false, force: false }, deps(fakeClient({ [PY]: pyDetails })));
    expect(wrote).toEqual([path.join(dir, 'dsync.json')]);
    expect(lines).toEqual([
      'detected template template.yaml',
      'detected runtime python3.12 (python)',
      'detected samconfig.toml: stack orders, region eu-west-1',
      `image ${PY} (SAM's build image for python3.12)`,
      `pinned imageDigest ${DIGEST('b')} (the image on this engine)`,
      `wrote ${path.join(dir, 'dsync.json')}`,
    ]);
    const text = fs.readFileSync(path.join(dir, 'dsync.json'), 'utf8');
    expect(text).toMatch(/^\/\/ /);
    expect(text).toContain('  // "stackName": "orders",');
    expect(text).toContain('  // "region": "eu-west-1",');
    expect(text).toContain('  // "samVersion": "1.170.0",');
    const config = loadConfig({ cwd: dir, flags: {}, readFile: deps().readFile, isDirectory: () => true, dsyncVersion: '0.1.0' });
    expect(config).toMatchObject({ image: PY, imageDigest: DIGEST('b'), requires: '>=0.1.0' });
    expect(config.stackName).toBeUndefined();
    // $schema: where the team's install puts it, never a path to this machine's copy.
    const schemaRef = (parseJsoncFile('x', text).value as { $schema: string }).$schema;
    expect(schemaRef).toBe('./node_modules/dsync/schema/dsync.schema.json');
    expect(text).toContain('`npm i -D dsync` in the project puts it here');
  });
  it('without samconfig or a reachable engine: no stack lines, the digest line commented out and why', async () => {
    const dir = project({ 'template.yml': TEMPLATE.replace('python3.12', 'nodejs22.x'), 'node_modules/dsync/schema/dsync.schema.json': '{}' });
    const broken = { ...fakeClient({}), inspectImage: async () => Promise.reject(new Error('connect ENOENT /fake.sock')) } as ContainerClient;
    const { lines } = await initProject({ root: dir, devcontainer: false, force: false }, deps(broken));
    expect(lines[0]).toBe('detected template template.yml');
    expect(lines[2]).toMatch(/^detected no samconfig/);
    expect(lines[3]).toBe("image public.ecr.aws/sam/build-nodejs22.x (SAM's build image for nodejs22.x)");
    expect(lines[4]).toBe('imageDigest not pinned: the Docker engine at unix:///fake.sock did not answer (connect ENOENT /fake.sock) (left commented out)');
    const text = fs.readFileSync(path.join(dir, 'dsync.json'), 'utf8');
    expect(text).toContain('  // "imageDigest": "sha256:…",');
    expect(text).not.toContain('stackName');
    expect(text).toContain('"$schema": "./node_modules/dsync/schema/dsync.schema.json"');
    expect(readSettingsFile('dsync.json', text)).toMatchObject({ image: 'public.ecr.aws/sam/build-nodejs22.x', requires: '>=0.1.0' });
    // An engine without the image.
    const again = await initProject({ root: dir, devcontainer: false, force: true }, deps(fakeClient({})));
    expect(again.lines[4]).toMatch(/not on this engine yet \(docker pull public\.ecr\.aws\/sam\/build-nodejs22\.x, then dsync init --force\)/);
  });
  it('never overwrites a file without --force', async () => {
    const dir = project({ 'template.yaml': TEMPLATE, 'dsync.json': '{"image": "mine"}' });
    const error = await initProject({ root: dir, devcontainer: false, force: false }, deps()).then(
      () => undefined,
      (e: DsyncError) => e,
    );
    expect(error?.message).toBe(`${path.join(dir, 'dsync.json')} already exists; dsync init does not overwrite it`);
    expect(error?.hint).toContain('--force');
    expect(fs.readFileSync(path.join(dir, 'dsync.json'), 'utf8')).toBe('{"image": "mine"}');
    const dev = project({ 'template.yaml': TEMPLATE, '.devcontainer/devcontainer.json': '{}' });
    await expect(initProject({ root: dev, devcontainer: true, force: false }, deps())).rejects.toThrow(/devcontainer\.json already exists/);
    expect(fs.existsSync(path.join(dev, 'dsync.json'))).toBe(false);
    await initProject({ root: dir, devcontainer: false, force: true }, deps());
    expect(fs.readFileSync(path.join(dir, 'dsync.json'), 'utf8')).toContain('"requires"');
  });
  it('--devcontainer writes a devcontainer.json on the pinned image, with customizations.dsync and the workspace', async () => {
    const dir = project({ 'template.yaml': TEMPLATE });
    const { wrote } = await initProject({ root: dir, devcontainer: true, force: false }, deps(fakeClient({ [PY]: pyDetails })));
    const file = path.join(dir, '.devcontainer', 'devcontainer.json');
    expect(wrote).toEqual([path.join(dir, 'dsync.json'), file]);
    const text = fs.readFileSync(file, 'utf8');
    expect(parseJsoncFile(file, text).value).toEqual({
      name: path.basename(dir),
      image: `${PY}@${DIGEST('b')}`,
      workspaceFolder: '/dsync/workspace',
      customizations: { dsync: {} },
    });
    expect(load(undefined, { devcontainer: { file, text } }).image).toBe('public.ecr.aws/sam/build-nodejs22.x');
    // No digest: the tag.
    const tagOnly = project({ 'template.yaml': TEMPLATE });
    await initProject({ root: tagOnly, devcontainer: true, force: false }, deps());
    expect((parseJsoncFile('x', fs.readFileSync(path.join(tagOnly, '.devcontainer', 'devcontainer.json'), 'utf8')).value as { image: string }).image).toBe(PY);
  });
  it('needs a SAM template', async () => {
    const dir = project({ 'README.md': '# not SAM' });
    const error = await initProject({ root: dir, devcontainer: false, force: false }, deps()).then(
      () => undefined,
      (e: DsyncError) => e,
    );
    expect(error?.message).toBe(`no SAM template in ${dir} (looked for template.yaml and template.yml)`);
    expect(error?.hint).toMatch(/existing SAM project/);
  });
  it('is a command with its own help', async () => {
    const out: string[] = [];
    const stream = { write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream;
    expect(await main(['init', '--help'], { stdout: stream, stderr: stream, env: {} })).toBe(0);
    expect(out.join('')).toMatch(/^Usage: dsync init \[--devcontainer\] \[--force\]/);
    out.length = 0;
    await main(['--help'], { stdout: stream, stderr: stream, env: {} });
    expect(out.join('')).toMatch(/\n {2}init {4}write a commented dsync\.json/);
  });
});

function findFiles(dir: string, name: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : findFiles(path.join(dir, e.name), name);
    return e.name === name ? [path.join(dir, e.name)] : [];
  });
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
