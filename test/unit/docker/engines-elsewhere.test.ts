// Other engines' endpoints named when the one dsync tried does not answer:
// each platform's well-known pipes and sockets, only those that exist, never
// the one that was tried; and the "cannot reach" hint that carries them.
import { describe, expect, it } from 'vitest';
import { isDsyncError } from '../../../src/base/errors.js';
import { engineError, UNREACHABLE_HINT } from '../../../src/docker/engine-errors.js';
import { elsewhereHint, enginesElsewhere, type ElsewhereInput } from '../../../src/docker/engines-elsewhere.js';

function machine(platform: NodeJS.Platform, existing: string[], env: Record<string, string> = {}): ElsewhereInput & { asked: string[] } {
  const asked: string[] = [];
  const homedir = platform === 'win32' ? 'C:\\Users\\ana' : platform === 'darwin' ? '/Users/ana' : '/home/ana';
  return { env, platform, homedir, asked, exists: (p) => (asked.push(p), existing.includes(p)) };
}

const enoent = () => Object.assign(new Error('connect ENOENT //./pipe/docker_engine'), { code: 'ENOENT' });

describe('enginesElsewhere', () => {
  it("finds Podman's machine pipe on Windows, asking for it in Windows' pipe spelling", () => {
    const m = machine('win32', ['\\\\.\\pipe\\podman-machine-default']);
    expect(enginesElsewhere(m, 'npipe:////./pipe/docker_engine')).toEqual([{ name: 'Podman', host: 'npipe:////./pipe/podman-machine-default' }]);
    expect(m.asked).toContain('\\\\.\\pipe\\dockerDesktopLinuxEngine');
    expect(m.asked).not.toContain('\\\\.\\pipe\\docker_engine'); // the one tried
  });

  it('names the default pipe when DOCKER_HOST pointed elsewhere (Rancher Desktop, or Podman without Docker Desktop)', () => {
    const m = machine('win32', ['\\\\.\\pipe\\docker_engine']);
    expect(enginesElsewhere(m, 'npipe:////./pipe/podman-machine-default')).toEqual([{ name: 'Docker Desktop, Rancher Desktop or Podman', host: 'npipe:////./pipe/docker_engine' }]);
  });

  it('treats every spelling of the tried pipe as the same pipe', () => {
    const m = machine('win32', ['\\\\.\\pipe\\podman-machine-default']);
    expect(enginesElsewhere(m, 'npipe://\\\\.\\pipe\\podman-machine-default')).toEqual([]);
    expect(enginesElsewhere(m, 'npipe:////./pipe/Podman-Machine-Default')).toEqual([]);
  });

  it("finds rootful and rootless Podman and rootless dockerd on Linux (the latter two under XDG_RUNTIME_DIR)", () => {
    const m = machine('linux', ['/run/podman/podman.sock', '/run/user/1000/podman/podman.sock', '/run/user/1000/docker.sock'], { XDG_RUNTIME_DIR: '/run/user/1000' });
    expect(enginesElsewhere(m, 'unix:///var/run/docker.sock').map((e) => e.host)).toEqual([
      'unix:///run/podman/podman.sock',
      'unix:///run/user/1000/podman/podman.sock',
      'unix:///run/user/1000/docker.sock',
    ]);
  });

  it('names the default socket when the engine tried was another one, and never the tried one however it is spelled', () => {
    const m = machine('linux', ['/var/run/docker.sock', '/run/podman/podman.sock']);
    expect(enginesElsewhere(m, 'unix:///run/podman/podman.sock')).toEqual([{ name: 'A Docker engine', host: 'unix:///var/run/docker.sock' }]);
    expect(enginesElsewhere(m, 'unix:///run/docker.sock').map((e) => e.name)).toEqual(['Podman']);
  });

  it("finds Colima's, Rancher Desktop's and Docker Desktop's sockets in a macOS home", () => {
    const m = machine('darwin', ['/Users/ana/.colima/default/docker.sock', '/Users/ana/.rd/docker.sock', '/Users/ana/.docker/run/docker.sock']);
    expect(enginesElsewhere(m, 'unix:///var/run/docker.sock')).toEqual([
      { name: 'Docker Desktop', host: 'unix:///Users/ana/.docker/run/docker.sock' },
      { name: 'Rancher Desktop', host: 'unix:///Users/ana/.rd/docker.sock' },
      { name: 'Colima', host: 'unix:///Users/ana/.colima/default/docker.sock' },
    ]);
  });

  it('finds nothing on a machine with no other engine', () => {
    expect(enginesElsewhere(machine('linux', []), 'unix:///var/run/docker.sock')).toEqual([]);
    expect(enginesElsewhere(machine('win32', []), 'npipe:////./pipe/docker_engine')).toEqual([]);
  });
});

describe('the "cannot reach" hint', () => {
  it('says a pipe is listening and a socket file is there, each with what to do', () => {
    expect(elsewhereHint([{ name: 'Podman', host: 'npipe:////./pipe/podman-machine-default' }])).toBe(
      'Podman is listening at npipe:////./pipe/podman-machine-default: set DOCKER_HOST to it',
    );
    expect(elsewhereHint([{ name: 'Colima', host: 'unix:///Users/ana/.colima/default/docker.sock' }])).toBe(
      'Colima has a socket at unix:///Users/ana/.colima/default/docker.sock: set DOCKER_HOST to it',
    );
  });

  it('keeps its first line and the usual hint first, and adds the engines found (the Windows smoke test reads the start)', () => {
    const found = () => [{ name: 'Podman', host: 'npipe:////./pipe/podman-machine-default' }];
    const error = engineError(enoent(), 'answering a ping', 'npipe:////./pipe/docker_engine', found);
    expect(isDsyncError(error, 'ENGINE_UNREACHABLE')).toBe(true);
    expect((error as Error).message).toBe('Cannot reach the Docker engine at npipe:////./pipe/docker_engine: ENOENT');
    expect((error as { hint: string }).hint).toBe(`${UNREACHABLE_HINT}; Podman is listening at npipe:////./pipe/podman-machine-default: set DOCKER_HOST to it`);
    expect((error as { hint: string }).hint.startsWith('start Docker Desktop')).toBe(true);
  });

  it('is the usual hint alone when no other engine is found, and looks only for an unreachable engine', () => {
    let looked = 0;
    const none = () => (looked++, []);
    expect((engineError(enoent(), 'x', 'npipe:////./pipe/docker_engine', none) as { hint: string }).hint).toBe(UNREACHABLE_HINT);
    const refused = Object.assign(new Error('(HTTP code 500)'), { statusCode: 500, json: { message: 'boom' } });
    expect(isDsyncError(engineError(refused, 'creating the container', 'unix:///x', none), 'ENGINE')).toBe(true);
    expect(looked).toBe(1);
  });
});
