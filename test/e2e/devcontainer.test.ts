// Issue 11 end to end: a project's devcontainer.json as the source of dsync's
// container, with the real devcontainer CLI (@devcontainers/cli from npm)
// against the local engine, offline (local base images, a local feature):
// `image`, `build` with a Dockerfile, a local feature, containerEnv, the
// owner of synced files, postCreateCommand once, `devcontainer exec
// --workspace-folder` landing in dsync's workspace, and an image without SAM
// said in one line.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliRun, EmulatorRun, SAM_BASE } from '../helpers/emulator-run.js';
import { startUp, type UpProcess } from '../helpers/cli.js';
import { DEBIAN_IMAGE, engineClient } from '../helpers/real-docker.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const devcontainerJs = path.join(path.dirname(createRequire(import.meta.url).resolve('@devcontainers/cli/package.json')), 'devcontainer.js');
const client = engineClient();
let samImage = '';

function project(name: string, files: Record<string, string>): string {
  const root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-dc-')), name);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text, { mode: rel.endsWith('.sh') ? 0o755 : 0o644 });
  }
  return root;
}

/** `devcontainer exec --workspace-folder ROOT -- sh -c SCRIPT`, with the real CLI. */
function devcontainerExec(root: string, script: string) {
  const r = spawnSync(process.execPath, [devcontainerJs, 'exec', '--workspace-folder', root, '--', 'sh', '-c', script], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `docker exec` in the project's container, through dsync. */
function inContainer(root: string, script: string): string {
  const r = cliRun(['exec', '--cwd', root, '--', 'sh', '-c', script]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

async function containerOf(root: string) {
  const status = JSON.parse(cliRun(['status', '--json', '--cwd', root]).stdout) as { container: { id: string } | null };
  expect(status.container).not.toBeNull();
  const info = await client.inspectContainer(status.container!.id);
  return info!;
}

async function upSyncOnly(root: string, env: Record<string, string> = {}): Promise<UpProcess> {
  const up = startUp(['--sync-only', '--cwd', root], env);
  await up.waitFor('watching', 600_000);
  return up;
}

const roots: string[] = [];

async function waitFor(probe: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('a devcontainer.json as the source of the container', () => {
  beforeAll(() => {
    const built = cliRun(['image', '--base', SAM_BASE]);
    expect(built.code, built.stderr).toBe(0);
    samImage = built.stdout.trim();
  }, 1_200_000);

  afterAll(() => {
    for (const root of roots) cliRun(['down', '--purge', '--cwd', root]);
  }, 300_000);

  it('`image`: containerEnv, the labels the tools look for, and devcontainer exec landing in the workspace', async () => {
    const root = project('dc-image', {
      '.devcontainer/devcontainer.json': `{
        // comments are fine: the devcontainer CLI reads the file
        "image": "${samImage}",
        "containerEnv": { "TEAM_SETTING": "on-\${localWorkspaceFolderBasename}" },
      }`,
      'src/app.js': 'exports.v = 1;\n',
    });
    roots.push(root);
    const up = await upSyncOnly(root);
    try {
      expect(up.events.find((e) => e.type === 'devcontainer')).toMatchObject({ configFile: path.join(root, '.devcontainer/devcontainer.json') });
      const info = await containerOf(root);
      expect(info.labels['devcontainer.local_folder']).toBe(root);
      expect(info.labels['devcontainer.config_file']).toBe(path.join(root, '.devcontainer/devcontainer.json'));
      expect(JSON.parse(info.labels['devcontainer.metadata']!)).toContainEqual(expect.objectContaining({ workspaceFolder: '/dsync/workspace' }));

      const r = devcontainerExec(root, 'pwd -P; echo "setting=$TEAM_SETTING"; cat src/app.js');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('/dsync/workspace\n');
      expect(r.stdout).toContain('setting=on-dc-image\n');
      expect(r.stdout).toContain('exports.v = 1;');

      // Edited inside the container (as an attached editor would), then on the host: the host's
      // version is synced, the container's copy saved under /dsync/conflicts and reported once.
      expect(devcontainerExec(root, "printf 'edited inside\\n' > src/app.js").code).toBe(0);
      fs.writeFileSync(path.join(root, 'src/app.js'), 'exports.v = 2;\n');
      const saved = await up.waitFor('conflict-saved', 60_000);
      expect(saved).toMatchObject({ path: 'src/app.js' });
      expect(String(saved.copy)).toMatch(/^\/dsync\/conflicts\/\d{8}T\d{6}Z(-\d+)?\/src\/app\.js$/);
      await waitFor(() => inContainer(root, 'cat src/app.js') === 'exports.v = 2;\n');
      expect(inContainer(root, `cat '${String(saved.copy)}'`)).toBe('edited inside\n');
      const status = JSON.parse(cliRun(['status', '--json', '--cwd', root]).stdout) as { conflicts?: Array<{ path: string; copy: string }> };
      expect(status.conflicts).toEqual([expect.objectContaining({ path: 'src/app.js', copy: saved.copy })]);
      expect(up.events.filter((e) => e.type === 'conflict-saved')).toHaveLength(1);
    } finally {
      expect(await up.stop()).toBe(0);
    }
  }, 900_000);

  it('`build` with a Dockerfile ending in USER: the image is built by the CLI, that user owns the synced files and is who devcontainer exec runs as; proxies and extra CAs reach the container', async () => {
    const root = project('dc-build', {
      // No user in the configuration: the image's USER is who the tools run as and who owns the files.
      '.devcontainer/devcontainer.json': JSON.stringify({ build: { dockerfile: 'Dockerfile' } }),
      '.devcontainer/Dockerfile': `FROM ${DEBIAN_IMAGE}\nRUN echo built-by-devcontainer > /etc/dc-marker && useradd -u 4321 -m dev\nUSER dev\n`,
      'handler.js': 'module.exports = 1;\n',
    });
    roots.push(root);
    // A TLS-inspecting proxy's CA, as a team behind one would have.
    const certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-ca-'));
    const ca = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        path.join(certDir, 'key.pem'),
        '-out',
        path.join(certDir, 'ca.pem'),
        '-subj',
        '/CN=dsync test proxy CA',
        '-days',
        '2',
      ],
      { encoding: 'utf8' },
    );
    expect(ca.status, ca.stderr).toBe(0);
    const network = { HTTPS_PROXY: 'http://proxy.example.invalid:3128', no_proxy: 'localhost,.internal', DSYNC_EXTRA_CA_CERTS: path.join(certDir, 'ca.pem') };
    const up = await upSyncOnly(root, network);
    try {
      expect(inContainer(root, 'cat /etc/dc-marker')).toBe('built-by-devcontainer\n');
      expect(inContainer(root, 'stat -c %u handler.js')).toBe('4321\n');
      const who = devcontainerExec(root, 'id -un; pwd -P');
      expect(who.code, who.stderr).toBe(0);
      expect(who.stdout).toContain('dev\n/dsync/workspace\n');
      const info = await containerOf(root);
      expect(info.image).toMatch(/^dsync-devcontainer\//);
      expect(inContainer(root, 'echo "$HTTPS_PROXY $https_proxy $NO_PROXY $no_proxy"')).toBe(
        'http://proxy.example.invalid:3128 http://proxy.example.invalid:3128 localhost,.internal localhost,.internal\n',
      );
      // The bundle SAM (botocore) reads is the system's plus the proxy's CA; Node gets the CA as an extra.
      const pem = fs.readFileSync(path.join(certDir, 'ca.pem'), 'utf8').trim();
      expect(inContainer(root, 'cat "$NODE_EXTRA_CA_CERTS"').trim().endsWith(pem)).toBe(true);
      const bundle = inContainer(root, 'cat "$AWS_CA_BUNDLE"');
      expect(bundle.trim().endsWith(pem)).toBe(true);
      expect(bundle.split('BEGIN CERTIFICATE').length).toBeGreaterThan(10);
      // dsync doctor sees the same settings on both sides.
      const doctor = JSON.parse(cliRun(['doctor', '--json', '--cwd', root], network).stdout) as { checks: Array<{ id: string; status: string }> };
      expect(doctor.checks.find((c) => c.id === 'proxy')).toMatchObject({ status: 'pass' });
    } finally {
      expect(await up.stop()).toBe(0);
    }
    // Unchanged: the image is reused, not built again.
    const again = await upSyncOnly(root, network);
    try {
      expect(again.events.some((e) => String(e.message ?? '').startsWith('building the dev container image'))).toBe(false);
    } finally {
      expect(await again.stop()).toBe(0);
    }
  }, 900_000);

  it('an image without SAM is said in one line with a hint', () => {
    const root = project('dc-nosam', {
      '.devcontainer/devcontainer.json': JSON.stringify({ image: DEBIAN_IMAGE }),
      'template.yaml': fs.readFileSync(path.join(here, '../fixtures/apps/hello-world-rest/template.yaml'), 'utf8'),
    });
    roots.push(root);
    const r = cliRun(['up', '--emulator', '--cwd', root]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/dsync: The container image has no `sam` command/);
    expect(r.stderr).toMatch(/hint: add the SAM CLI to the image \(for a dev container/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 600_000);
});

describe('a local feature and postCreateCommand, with SAM deploying to the emulator', () => {
  const fixture = path.join(here, '../fixtures/apps/hello-world-rest');
  const root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-dc-')), 'dc-feature');
  const run = new EmulatorRun(root, 'hello-world-rest');

  beforeAll(async () => {
    const built = cliRun(['image', '--base', SAM_BASE]);
    expect(built.code, built.stderr).toBe(0);
    fs.cpSync(fixture, root, { recursive: true });
    fs.rmSync(path.join(root, 'dsync-fixture.json'), { force: true });
    const feature = path.join(root, '.devcontainer', 'team-tools');
    fs.mkdirSync(feature, { recursive: true });
    fs.writeFileSync(path.join(feature, 'devcontainer-feature.json'), JSON.stringify({ id: 'team-tools', version: '1.0.0', name: 'team tools' }));
    fs.writeFileSync(
      path.join(feature, 'install.sh'),
      '#!/bin/sh\nset -e\nprintf "#!/bin/sh\\necho team-tool %s\\n" "$VERSION" > /usr/local/bin/team-tool\nchmod +x /usr/local/bin/team-tool\n',
      { mode: 0o755 },
    );
    fs.writeFileSync(
      path.join(root, '.devcontainer', 'devcontainer.json'),
      JSON.stringify({
        image: built.stdout.trim(),
        features: { './team-tools': {} },
        postCreateCommand: 'echo "ran in $(pwd)" >> /dsync/state/post-create-runs; echo post-create-said-hello',
      }),
    );
    await run.start();
  }, 1_500_000);

  afterAll(async () => {
    await run.cleanUp();
  }, 300_000);

  it('builds the feature into the image, runs postCreateCommand once in the workspace, and SAM deploys from it', async () => {
    expect(run.events.find((e) => e.type === 'live')).toMatchObject({ ok: true });
    expect(run.events.some((e) => e.type === 'post-create-output' && e.line === 'post-create-said-hello')).toBe(true);
    expect(inContainer(root, 'team-tool')).toMatch(/^team-tool/);
    expect(inContainer(root, 'cat /dsync/state/post-create-runs')).toBe('ran in /dsync/workspace\n');
    expect(await run.deployedFile('HelloWorldFunction', 'app.mjs')).toContain('hello world');

    // A second `up` reuses the container: postCreateCommand does not run again.
    await run.stop();
    const second = startUp(['--emulator', '--cwd', root], { DSYNC_SAM_BASE_IMAGE: SAM_BASE });
    try {
      await second.waitFor('live', 600_000);
      expect(second.events.some((e) => e.type === 'post-create-output')).toBe(false);
      expect(inContainer(root, 'cat /dsync/state/post-create-runs')).toBe('ran in /dsync/workspace\n');
      expect(second.events.filter((e) => e.type === 'live').every((e) => e.ok === true)).toBe(true);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  }, 900_000);
});
