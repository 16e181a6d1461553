// When the engine dsync was pointed at does not answer, another one may be
// running at its own endpoint: Podman's machine pipe on Windows, Colima's or
// Rancher Desktop's socket in the home folder. This lists the well-known
// endpoints of each engine for the platform and keeps those that exist, so
// the "cannot reach" hint can say where to point DOCKER_HOST. Pure apart
// from the injected existence check.
//
// Where each engine listens:
// - Podman on Windows: //./pipe/podman-machine-default (always, since 4.1:
//   podman #13502), and //./pipe/docker_engine too when Docker Desktop is
//   not installed. Rootful Podman on Linux: /run/podman/podman.sock;
//   rootless: $XDG_RUNTIME_DIR/podman/podman.sock. Podman machine on macOS:
//   ~/.local/share/containers/podman/machine/podman.sock.
// - Docker Desktop on Windows: //./pipe/dockerDesktopLinuxEngine (its
//   context "desktop-linux"), behind //./pipe/docker_engine; on macOS
//   ~/.docker/run/docker.sock, on Linux ~/.docker/desktop/docker.sock.
// - Rancher Desktop (moby): //./pipe/docker_engine on Windows, ~/.rd/docker.sock
//   elsewhere (its context "rancher-desktop").
// - Colima: ~/.colima/default/docker.sock (its context "colima").
// - Rootless dockerd: $XDG_RUNTIME_DIR/docker.sock.
import path from 'node:path';

export interface ElsewhereInput {
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  homedir: string;
  /** Whether a socket file or a named pipe (\\.\pipe\name) exists. */
  exists(p: string): boolean;
}

export interface EngineElsewhere {
  /** Who usually listens there: "Podman", "Colima", ... */
  name: string;
  /** The endpoint as DOCKER_HOST takes it. */
  host: string;
}

interface Candidate extends EngineElsewhere {
  /** The path to test for existence. */
  path: string;
}

const pipe = (name: string, pipeName: string): Candidate => ({ name, host: `npipe:////./pipe/${pipeName}`, path: `\\\\.\\pipe\\${pipeName}` });
const socket = (name: string, p: string): Candidate => ({ name, host: `unix://${p}`, path: p });

function candidates(input: ElsewhereInput): Candidate[] {
  const { env, platform } = input;
  if (platform === 'win32') {
    return [
      pipe('Podman', 'podman-machine-default'),
      pipe('Docker Desktop', 'dockerDesktopLinuxEngine'),
      pipe('Docker Desktop, Rancher Desktop or Podman', 'docker_engine'),
    ];
  }
  const home = (...parts: string[]) => path.posix.join(input.homedir, ...parts);
  const runtime = env.XDG_RUNTIME_DIR;
  const list: Candidate[] = [socket('A Docker engine', '/var/run/docker.sock')];
  if (platform === 'linux') {
    list.push(socket('Podman', '/run/podman/podman.sock'));
    if (runtime) list.push(socket('Podman (rootless)', path.posix.join(runtime, 'podman', 'podman.sock')), socket('Rootless dockerd', path.posix.join(runtime, 'docker.sock')));
    list.push(socket('Docker Desktop', home('.docker', 'desktop', 'docker.sock')));
  } else {
    list.push(socket('Podman', home('.local', 'share', 'containers', 'podman', 'machine', 'podman.sock')), socket('Docker Desktop', home('.docker', 'run', 'docker.sock')));
  }
  list.push(socket('Rancher Desktop', home('.rd', 'docker.sock')), socket('Colima', home('.colima', 'default', 'docker.sock')));
  return list;
}

/** Another engine's endpoint that exists on this machine, the one that was tried left out. */
export function enginesElsewhere(input: ElsewhereInput, tried: string): EngineElsewhere[] {
  const triedKey = sameEndpointKey(tried);
  return candidates(input)
    .filter((c) => sameEndpointKey(c.host) !== triedKey && input.exists(c.path))
    .map(({ name, host }) => ({ name, host }));
}

/** The hint's addition naming them; a pipe that exists has a server, a socket file may be stale. */
export function elsewhereHint(found: readonly EngineElsewhere[]): string {
  return found
    .map((f) => `${f.name} ${f.host.startsWith('npipe:') ? 'is listening' : 'has a socket'} at ${f.host}: set DOCKER_HOST to it`)
    .join('; ');
}

/** Endpoints compared the way they are reached: npipe://// and npipe://\\ spellings, /var/run and /run alike. */
function sameEndpointKey(host: string): string {
  const bare = host.replace(/\s*\(from .*\)$/, '');
  if (bare.startsWith('npipe:')) return `pipe:${bare.slice('npipe:'.length).replace(/\\/g, '/').replace(/^\/+/, '').toLowerCase()}`;
  return bare.replace(/^unix:\/\/\/var\/run\//, 'unix:///run/');
}
