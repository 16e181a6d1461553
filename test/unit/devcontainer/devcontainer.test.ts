// The pure parts of the dev container support: finding the file, reading
// what `devcontainer read-configuration` prints, lifecycle commands as argv,
// the labels the tools look for; and the container's environment (proxies,
// extra CAs) with the fingerprint that recreates the container when it changes.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { devcontainerLabels, findDevcontainerFile, lifecycleSteps, metadataEntries, parseReadConfiguration } from '../../../src/config/devcontainer-file.js';
import { caBundleScript, CA_BUNDLE_FILE, CA_EXTRA_FILE, containerEnvironment, envList, proxyEnv, setupKey } from '../../../src/docker/container-env.js';
import { contentFingerprint } from '../../../src/devcontainer/source.js';

const read = (configuration: Record<string, unknown>, workspaceFolder = '/workspaces/app') =>
  parseReadConfiguration(`[log] noise\n${JSON.stringify({ configuration, workspace: { workspaceFolder } })}\n`, '/p/.devcontainer/devcontainer.json');

describe('devcontainer.json', () => {
  it('is .devcontainer/devcontainer.json first, then .devcontainer.json, as the tools look it up', () => {
    const both = new Set(['/p/.devcontainer/devcontainer.json', '/p/.devcontainer.json']);
    expect(findDevcontainerFile('/p', path.posix, (p) => both.has(p))).toBe('/p/.devcontainer/devcontainer.json');
    expect(findDevcontainerFile('/p', path.posix, (p) => p === '/p/.devcontainer.json')).toBe('/p/.devcontainer.json');
    expect(findDevcontainerFile('/p', path.posix, () => false)).toBeUndefined();
  });

  it('reads image, build, features, containerEnv, users, postCreateCommand and the workspace folder from the CLI output', () => {
    const c = read({ image: 'team/sam:1', containerEnv: { A: 'x', N: 3 }, remoteUser: 'dev', containerUser: 'app', postCreateCommand: 'npm ci' });
    expect(c).toMatchObject({
      image: 'team/sam:1',
      builds: false,
      containerEnv: { A: 'x' },
      remoteUser: 'dev',
      containerUser: 'app',
      postCreateCommand: 'npm ci',
      workspaceFolder: '/workspaces/app',
    });
    expect(JSON.parse(c.text)).toMatchObject({ image: 'team/sam:1' });
    expect(read({ build: { dockerfile: '../Dockerfile' } }).dockerfile).toBe('../Dockerfile');
    expect(read({ build: { dockerfile: 'Dockerfile' } }).builds).toBe(true);
    expect(read({ image: 'x', features: { './tools': {} } }).builds).toBe(true);
    expect(read({ image: 'x', features: {} }).builds).toBe(false);
    expect(read({ image: 'x', postCreateCommand: ['npm', 'ci'] }).postCreateCommand).toEqual(['npm', 'ci']);
    expect(read({ image: 'x', postCreateCommand: { deps: 'npm ci', bad: 3 } }).postCreateCommand).toEqual({ deps: 'npm ci' });
    expect(read({ image: 'x', postCreateCommand: '  ' }).postCreateCommand).toBeUndefined();
  });

  it('refuses docker compose configurations and CLI errors with one clear line', () => {
    expect(() => read({ dockerComposeFile: 'compose.yml', service: 'app' })).toThrow(/uses dockerComposeFile: dsync runs one container/);
    expect(() => parseReadConfiguration('{"outcome":"error","message":"Dev container config (/p/x.json) not found."}', '/p/x.json')).toThrow(
      'could not read /p/x.json: Dev container config (/p/x.json) not found.',
    );
    expect(() => parseReadConfiguration('', '/p/x.json')).toThrow(/printed no configuration/);
  });

  it('runs a string in a shell, an array as argv, and an object as named steps', () => {
    expect(lifecycleSteps('npm ci && npm test')).toEqual([{ name: 'postCreateCommand', argv: ['/bin/sh', '-c', 'npm ci && npm test'] }]);
    expect(lifecycleSteps(['npm', 'ci'])).toEqual([{ name: 'postCreateCommand', argv: ['npm', 'ci'] }]);
    expect(lifecycleSteps({ deps: 'npm ci', tools: ['pip', 'install', 'x'] })).toEqual([
      { name: 'deps', argv: ['/bin/sh', '-c', 'npm ci'] },
      { name: 'tools', argv: ['pip', 'install', 'x'] },
    ]);
  });

  it('labels the container as the tools find it: folder, config file, metadata with the workspace folder', () => {
    const labels = devcontainerLabels({
      root: '/p',
      configFile: '/p/.devcontainer/devcontainer.json',
      imageMetadata: [{ id: './tools' }],
      remoteUser: 'dev',
      workspaceFolder: '/dsync/workspace',
    });
    expect(labels['devcontainer.local_folder']).toBe('/p');
    expect(labels['devcontainer.config_file']).toBe('/p/.devcontainer/devcontainer.json');
    expect(JSON.parse(labels['devcontainer.metadata']!)).toEqual([{ id: './tools' }, { workspaceFolder: '/dsync/workspace', remoteUser: 'dev' }]);
    // No devcontainer.json: the folder is still labelled (`devcontainer exec --id-label`, VS Code's attach), no config file.
    expect(devcontainerLabels({ root: '/p', workspaceFolder: '/dsync/workspace' })['devcontainer.config_file']).toBeUndefined();
    expect(metadataEntries('{"remoteUser":"x"}')).toEqual([{ remoteUser: 'x' }]);
    expect(metadataEntries('not json')).toEqual([]);
    expect(metadataEntries(undefined)).toEqual([]);
  });

  it('fingerprints the files that decide whether the built image is current, in any order', () => {
    const a = contentFingerprint([
      ['x', Buffer.from('1')],
      ['y', Buffer.from('2')],
    ]);
    expect(
      contentFingerprint([
        ['y', Buffer.from('2')],
        ['x', Buffer.from('1')],
      ]),
    ).toBe(a);
    expect(
      contentFingerprint([
        ['x', Buffer.from('1')],
        ['y', Buffer.from('3')],
      ]),
    ).not.toBe(a);
  });
});

describe("the container's environment", () => {
  it('gives the host proxies in both spellings, whichever the host set', () => {
    expect(proxyEnv({ HTTPS_PROXY: 'http://proxy:3128', no_proxy: 'localhost,.corp' })).toEqual({
      HTTPS_PROXY: 'http://proxy:3128',
      https_proxy: 'http://proxy:3128',
      NO_PROXY: 'localhost,.corp',
      no_proxy: 'localhost,.corp',
    });
    expect(proxyEnv({ http_proxy: 'http://a', HTTP_PROXY: 'http://b' })).toEqual({ HTTP_PROXY: 'http://b', http_proxy: 'http://a' });
    expect(proxyEnv({ HTTP_PROXY: '  ' })).toEqual({});
  });

  it('puts containerEnv first, the proxies over it, and the CA variables when the host has extra CAs', () => {
    const env = containerEnvironment({
      containerEnv: { TEAM: '1', HTTPS_PROXY: 'stale' },
      hostEnv: { HTTPS_PROXY: 'http://p:1' },
      extraCa: '-----BEGIN CERTIFICATE-----\n',
    });
    expect(env).toMatchObject({
      TEAM: '1',
      HTTPS_PROXY: 'http://p:1',
      https_proxy: 'http://p:1',
      AWS_CA_BUNDLE: CA_BUNDLE_FILE,
      NODE_EXTRA_CA_CERTS: CA_EXTRA_FILE,
    });
    expect(containerEnvironment({ hostEnv: {} })).toEqual({});
    expect(envList({ B: '2', A: '1' })).toEqual(['A=1', 'B=2']);
  });

  it('changes its fingerprint with the environment, the labels or the certificates (so the container is recreated)', () => {
    const base = { env: { A: '1' }, labels: { l: 'x' } };
    const key = setupKey(base);
    expect(setupKey({ env: { A: '1' }, labels: { l: 'x' } })).toBe(key);
    expect(setupKey({ ...base, env: { A: '2' } })).not.toBe(key);
    expect(setupKey({ ...base, labels: { l: 'y' } })).not.toBe(key);
    expect(setupKey({ ...base, extraCa: 'pem' })).not.toBe(key);
  });

  it('builds the CA bundle from the first system bundle the image has, then the extras', () => {
    const script = caBundleScript();
    expect(script).toContain('/etc/ssl/certs/ca-certificates.crt');
    expect(script).toContain('/etc/pki/tls/certs/ca-bundle.crt');
    expect(script).toContain(`cat '${CA_EXTRA_FILE}' >> '${CA_BUNDLE_FILE}.tmp'`);
  });
});
