import { createHash } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectionOptions, resolveEngine, type EngineEnv } from '../../../src/docker/engine.js';
import { isDsyncError } from '../../../src/base/errors.js';

function env(vars: Record<string, string>, files: Record<string, string> = {}, platform: NodeJS.Platform = 'linux'): EngineEnv {
  return { env: vars, platform, homedir: '/home/me', readFile: (p) => files[p] };
}
const digest = (name: string) => createHash('sha256').update(name).digest('hex');

describe('resolveEngine', () => {
  it('uses the platform default when nothing is set', () => {
    expect(resolveEngine(env({})).host).toBe('unix:///var/run/docker.sock');
    expect(resolveEngine(env({}, {}, 'win32')).host).toBe('npipe:////./pipe/docker_engine');
  });

  it("reads a Windows ~/.docker in Windows' path flavour, wherever dsync runs (Docker Desktop's desktop-linux context)", () => {
    const home = 'C:\\Users\\ana';
    const meta = `${home}\\.docker\\contexts\\meta\\${digest('desktop-linux')}\\meta.json`;
    const files: Record<string, string> = {
      [`${home}\\.docker\\config.json`]: '{"currentContext":"desktop-linux"}',
      [meta]: JSON.stringify({ Name: 'desktop-linux', Endpoints: { docker: { Host: 'npipe:////./pipe/dockerDesktopLinuxEngine', SkipTLSVerify: false } } }),
    };
    const endpoint = resolveEngine({ env: {}, platform: 'win32', homedir: home, readFile: (p) => files[p] });
    expect(endpoint).toMatchObject({ host: 'npipe:////./pipe/dockerDesktopLinuxEngine', source: 'context "desktop-linux"' });
    expect(connectionOptions(endpoint)).toEqual({ kind: 'socket', socketPath: '//./pipe/dockerDesktopLinuxEngine' });
  });

  it("takes Podman's machine pipe from DOCKER_HOST on Windows", () => {
    const endpoint = resolveEngine(env({ DOCKER_HOST: 'npipe:////./pipe/podman-machine-default' }, {}, 'win32'));
    expect(endpoint).toMatchObject({ host: 'npipe:////./pipe/podman-machine-default', source: 'DOCKER_HOST' });
    expect(connectionOptions(endpoint)).toEqual({ kind: 'socket', socketPath: '//./pipe/podman-machine-default' });
  });

  it('follows a Windows context whose Host is a pipe (Podman\'s machine, Rancher Desktop\'s docker_engine)', () => {
    const home = 'C:\\Users\\ana';
    for (const [name, pipe] of [
      ['podman', 'podman-machine-default'],
      ['rancher-desktop', 'docker_engine'],
    ] as const) {
      const files: Record<string, string> = {
        [`${home}\\.docker\\config.json`]: JSON.stringify({ currentContext: name }),
        [`${home}\\.docker\\contexts\\meta\\${digest(name)}\\meta.json`]: JSON.stringify({ Name: name, Endpoints: { docker: { Host: `npipe:////./pipe/${pipe}` } } }),
      };
      const endpoint = resolveEngine({ env: {}, platform: 'win32', homedir: home, readFile: (p) => files[p] });
      expect(endpoint).toMatchObject({ host: `npipe:////./pipe/${pipe}`, source: `context "${name}"` });
      expect(connectionOptions(endpoint)).toEqual({ kind: 'socket', socketPath: `//./pipe/${pipe}` });
    }
  });

  it("follows Colima's and Rancher Desktop's contexts to their sockets in the home folder", () => {
    for (const [name, sock] of [
      ['colima', '/Users/me/.colima/default/docker.sock'],
      ['rancher-desktop', '/Users/me/.rd/docker.sock'],
    ] as const) {
      const files = {
        '/home/me/.docker/config.json': JSON.stringify({ currentContext: name }),
        [path.posix.join('/home/me/.docker', 'contexts', 'meta', digest(name), 'meta.json')]: JSON.stringify({ Endpoints: { docker: { Host: `unix://${sock}` } } }),
      };
      expect(connectionOptions(resolveEngine(env({}, files, 'darwin')))).toEqual({ kind: 'socket', socketPath: sock });
    }
  });

  it('prefers DOCKER_HOST over contexts', () => {
    const files = { '/home/me/.docker/config.json': '{"currentContext":"remote"}' };
    expect(resolveEngine(env({ DOCKER_HOST: 'tcp://10.0.0.5:2375', DOCKER_CONTEXT: 'x' }, files))).toMatchObject({
      host: 'tcp://10.0.0.5:2375',
      source: 'DOCKER_HOST',
    });
  });

  it('reads TLS material from DOCKER_CERT_PATH when DOCKER_TLS_VERIFY is set', () => {
    const files = { '/certs/ca.pem': 'CA', '/certs/cert.pem': 'CERT', '/certs/key.pem': 'KEY' };
    const endpoint = resolveEngine(env({ DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' }, files));
    expect(endpoint.tls).toEqual({ verify: true, ca: 'CA', cert: 'CERT', key: 'KEY' });
    expect(connectionOptions(endpoint)).toMatchObject({ kind: 'tcp', protocol: 'https', host: 'h', port: 2376 });
  });

  it('uses plain http for tcp:// without TLS settings', () => {
    expect(connectionOptions(resolveEngine(env({ DOCKER_HOST: 'tcp://127.0.0.1:2375' })))).toEqual({
      kind: 'tcp',
      protocol: 'http',
      host: '127.0.0.1',
      port: 2375,
      tls: undefined,
    });
  });

  it('resolves the current context through the meta store, with its TLS files', () => {
    const base = '/home/me/.docker';
    const files = {
      [`${base}/config.json`]: JSON.stringify({ currentContext: 'build-box' }),
      [path.posix.join(base, 'contexts', 'meta', digest('build-box'), 'meta.json')]: JSON.stringify({
        Name: 'build-box',
        Endpoints: { docker: { Host: 'tcp://build-box:2376', SkipTLSVerify: false } },
      }),
      [path.posix.join(base, 'contexts', 'tls', digest('build-box'), 'docker', 'ca.pem')]: 'CA',
    };
    const endpoint = resolveEngine(env({}, files));
    expect(endpoint).toMatchObject({ host: 'tcp://build-box:2376', source: 'context "build-box"' });
    expect(endpoint.tls).toMatchObject({ ca: 'CA', verify: true });
  });

  it('lets DOCKER_CONTEXT pick a context and DOCKER_CONFIG move the config folder', () => {
    const files = {
      [path.posix.join('/cfg', 'contexts', 'meta', digest('other'), 'meta.json')]: JSON.stringify({ Endpoints: { docker: { Host: 'unix:///run/other.sock' } } }),
    };
    expect(resolveEngine(env({ DOCKER_CONTEXT: 'other', DOCKER_CONFIG: '/cfg' }, files)).host).toBe('unix:///run/other.sock');
  });

  it('treats the "default" context as no context', () => {
    const files = { '/home/me/.docker/config.json': '{"currentContext":"default"}' };
    expect(resolveEngine(env({}, files)).source).toBe('default');
  });

  it('explains a missing context', () => {
    try {
      resolveEngine(env({ DOCKER_CONTEXT: 'nope' }));
      expect.unreachable();
    } catch (error) {
      expect(isDsyncError(error, 'CONFIG')).toBe(true);
      expect((error as Error).message).toContain('"nope"');
    }
  });
});

describe('connectionOptions', () => {
  it('maps sockets and named pipes', () => {
    expect(connectionOptions({ host: 'unix:///var/run/docker.sock', source: 'default' })).toEqual({ kind: 'socket', socketPath: '/var/run/docker.sock' });
    expect(connectionOptions({ host: 'npipe:////./pipe/docker_engine', source: 'default' })).toEqual({ kind: 'socket', socketPath: '//./pipe/docker_engine' });
  });
  it("maps Podman's and Rancher Desktop's pipes, however the npipe URL spells them", () => {
    const pipe = (host: string) => connectionOptions({ host, source: 'DOCKER_HOST' });
    expect(pipe('npipe:////./pipe/podman-machine-default')).toEqual({ kind: 'socket', socketPath: '//./pipe/podman-machine-default' });
    expect(pipe('npipe://\\\\.\\pipe\\podman-machine-default')).toEqual({ kind: 'socket', socketPath: '//./pipe/podman-machine-default' });
    expect(pipe('npipe://./pipe/docker_engine')).toEqual({ kind: 'socket', socketPath: '//./pipe/docker_engine' });
  });
  it('maps ssh and rejects unknown schemes', () => {
    expect(connectionOptions({ host: 'ssh://me@box:2222', source: 'DOCKER_HOST' })).toEqual({ kind: 'ssh', host: 'box', port: 2222, username: 'me' });
    expect(() => connectionOptions({ host: 'ftp://x', source: 'DOCKER_HOST' })).toThrow(/Unsupported Docker host/);
  });
});
