// Where the Docker engine is, resolved the way the docker CLI does it:
// DOCKER_HOST, then DOCKER_CONTEXT, then the config's currentContext, then
// the platform default. Pure apart from the injected file reader.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { DsyncError } from '../base/errors.js';

export interface TlsMaterial {
  ca?: string;
  cert?: string;
  key?: string;
  verify: boolean;
}

export interface EngineEndpoint {
  /** unix:///var/run/docker.sock, npipe:////./pipe/docker_engine, tcp://h:p, ssh://u@h */
  host: string;
  /** Where the choice came from, for messages: "DOCKER_HOST", "context foo", "default". */
  source: string;
  tls?: TlsMaterial;
  /** For ssh:// hosts: how to log in and which host keys to trust. */
  ssh?: SshMaterial;
}

/** What an ssh:// engine needs, found where OpenSSH keeps it. */
export interface SshMaterial {
  /** SSH_AUTH_SOCK, when an agent runs. */
  agent?: string;
  /** The first of ~/.ssh/id_ed25519, id_ecdsa, id_rsa that exists. */
  privateKey?: string;
  privateKeyPath?: string;
  /** ~/.ssh/known_hosts. */
  knownHosts?: string;
  /** The login name when the URL has none (as ssh: the local user). */
  defaultUser: string;
}

const SSH_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

function sshMaterial(input: EngineEnv): SshMaterial {
  const dir = pathOf(input).join(input.homedir, '.ssh');
  let privateKey: string | undefined;
  let privateKeyPath: string | undefined;
  for (const name of SSH_KEYS) {
    const text = input.readFile(pathOf(input).join(dir, name));
    if (text !== undefined) {
      privateKey = text;
      privateKeyPath = pathOf(input).join(dir, name);
      break;
    }
  }
  return {
    agent: input.env.SSH_AUTH_SOCK || undefined,
    privateKey,
    privateKeyPath,
    knownHosts: input.readFile(pathOf(input).join(dir, 'known_hosts')),
    defaultUser: input.env.USER || input.env.USERNAME || 'root',
  };
}

export interface EngineEnv {
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  homedir: string;
  /** Returns the file's text, or undefined when it does not exist. */
  readFile(p: string): string | undefined;
}

/** Paths in the caller's flavour: a Windows home is C:\\Users\\..., wherever this code runs. */
const pathOf = (input: EngineEnv) => (input.platform === 'win32' ? path.win32 : path.posix);

export function defaultHost(platform: NodeJS.Platform): string {
  return platform === 'win32' ? 'npipe:////./pipe/docker_engine' : 'unix:///var/run/docker.sock';
}

export function resolveEngine(input: EngineEnv): EngineEndpoint {
  const endpoint = resolveHost(input);
  return endpoint.host.startsWith('ssh://') ? { ...endpoint, ssh: sshMaterial(input) } : endpoint;
}

function resolveHost(input: EngineEnv): EngineEndpoint {
  const { env } = input;
  const configDir = env.DOCKER_CONFIG || pathOf(input).join(input.homedir, '.docker');
  if (env.DOCKER_HOST) {
    return { host: env.DOCKER_HOST, source: 'DOCKER_HOST', tls: tlsFromEnv(input, configDir) };
  }
  const contextName = env.DOCKER_CONTEXT || currentContext(input, configDir);
  if (contextName && contextName !== 'default') return fromContext(input, configDir, contextName);
  return { host: defaultHost(input.platform), source: 'default' };
}

function tlsFromEnv(input: EngineEnv, configDir: string): TlsMaterial | undefined {
  const { env } = input;
  const verify = Boolean(env.DOCKER_TLS_VERIFY);
  if (!verify && !env.DOCKER_TLS) return undefined;
  const dir = env.DOCKER_CERT_PATH || configDir;
  return {
    verify,
    ca: input.readFile(pathOf(input).join(dir, 'ca.pem')),
    cert: input.readFile(pathOf(input).join(dir, 'cert.pem')),
    key: input.readFile(pathOf(input).join(dir, 'key.pem')),
  };
}

function currentContext(input: EngineEnv, configDir: string): string | undefined {
  const text = input.readFile(pathOf(input).join(configDir, 'config.json'));
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as { currentContext?: unknown };
    return typeof parsed.currentContext === 'string' ? parsed.currentContext : undefined;
  } catch {
    throw new DsyncError('CONFIG', `Docker config ${pathOf(input).join(configDir, 'config.json')} is not valid JSON`, {
      hint: 'fix or remove that file, or set DOCKER_HOST',
    });
  }
}

/** Contexts live in <config>/contexts/meta/<sha256(name)>/meta.json, TLS files beside them under tls/. */
function fromContext(input: EngineEnv, configDir: string, name: string): EngineEndpoint {
  const digest = createHash('sha256').update(name).digest('hex');
  const metaPath = pathOf(input).join(configDir, 'contexts', 'meta', digest, 'meta.json');
  const text = input.readFile(metaPath);
  if (text === undefined) {
    throw new DsyncError('CONFIG', `Docker context "${name}" was not found (looked for ${metaPath})`, {
      hint: 'run `docker context ls` to see the contexts, or unset DOCKER_CONTEXT',
    });
  }
  let host: unknown;
  let skipVerify: boolean;
  try {
    const meta = JSON.parse(text) as { Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } } };
    host = meta.Endpoints?.docker?.Host;
    skipVerify = meta.Endpoints?.docker?.SkipTLSVerify === true;
  } catch {
    throw new DsyncError('CONFIG', `Docker context "${name}" has an unreadable meta.json (${metaPath})`);
  }
  if (typeof host !== 'string' || host === '') {
    throw new DsyncError('CONFIG', `Docker context "${name}" has no docker endpoint`, {
      hint: 'recreate it with `docker context create`',
    });
  }
  const tlsDir = pathOf(input).join(configDir, 'contexts', 'tls', digest, 'docker');
  const ca = input.readFile(pathOf(input).join(tlsDir, 'ca.pem'));
  const cert = input.readFile(pathOf(input).join(tlsDir, 'cert.pem'));
  const key = input.readFile(pathOf(input).join(tlsDir, 'key.pem'));
  const tls = ca || cert || key ? { ca, cert, key, verify: !skipVerify } : undefined;
  return { host, source: `context "${name}"`, tls };
}

export type ConnectionOptions =
  | { kind: 'socket'; socketPath: string }
  | { kind: 'tcp'; protocol: 'http' | 'https'; host: string; port: number; tls?: TlsMaterial }
  | { kind: 'ssh'; host: string; port: number; username: string; ssh?: SshMaterial };

/** Turn an endpoint URL into connection options; rejects what dsync cannot use. */
export function connectionOptions(endpoint: EngineEndpoint): ConnectionOptions {
  const { host } = endpoint;
  if (host.startsWith('unix://')) return { kind: 'socket', socketPath: host.slice('unix://'.length) };
  if (host.startsWith('npipe:')) return { kind: 'socket', socketPath: pipePath(host) };
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    throw badHost(endpoint);
  }
  if (url.protocol === 'tcp:' || url.protocol === 'http:' || url.protocol === 'https:') {
    const secure = url.protocol === 'https:' || endpoint.tls !== undefined;
    const port = url.port ? Number(url.port) : secure ? 2376 : 2375;
    return { kind: 'tcp', protocol: secure ? 'https' : 'http', host: url.hostname, port, tls: endpoint.tls };
  }
  if (url.protocol === 'ssh:') {
    return {
      kind: 'ssh',
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port ? Number(url.port) : 22,
      username: url.username || endpoint.ssh?.defaultUser || 'root',
      ssh: endpoint.ssh,
    };
  }
  throw badHost(endpoint);
}

/**
 * npipe:////./pipe/podman-machine-default -> //./pipe/podman-machine-default. The docker CLI's spelling
 * has four slashes; `npipe://\\.\pipe\name` (as Docker Desktop's labels write it) and `npipe://./pipe/name`
 * name the same pipe, so every spelling becomes the one Node opens on Windows.
 */
function pipePath(host: string): string {
  return `//${host.slice('npipe:'.length).replace(/\\/g, '/').replace(/^\/+/, '')}`;
}

function badHost(endpoint: EngineEndpoint): DsyncError {
  return new DsyncError('CONFIG', `Unsupported Docker host "${endpoint.host}" (from ${endpoint.source})`, {
    hint: 'use unix://, npipe://, tcp:// or ssh://',
  });
}
