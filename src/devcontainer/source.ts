// A project's devcontainer.json as the source of its container's image and
// environment, through the real devcontainer CLI (@devcontainers/cli): it
// reads the configuration (comments, variables) and builds the image
// (Dockerfile, features), so dsync follows the spec without re-implementing
// it. The built image is tagged by a hash of the .devcontainer folder and
// reused until that changes.
import { createHash } from 'node:crypto';
import type { HostCommandResult, StreamingHostRunner } from '../base/host-process.js';
import { DsyncError } from '../base/errors.js';
import { stripAnsi } from '../base/lines.js';
import type { Reporter } from '../base/reporter.js';
import type { DevcontainerSource } from '../config/config.js';
import { DC_LABEL_METADATA, metadataEntries, parseReadConfiguration, type DevcontainerConfig } from '../config/devcontainer-file.js';
import type { ContainerClient, ImageDetails } from '../docker/container-client.js';

export interface DevcontainerInput {
  /** The project folder (the CLI's --workspace-folder). */
  root: string;
  configFile: string;
  /** The devcontainer CLI: node and its script. */
  cli: { node: string; script: string };
  run: StreamingHostRunner;
  env: Record<string, string | undefined>;
  client: ContainerClient;
  reporter: Reporter;
  /** Build the configuration's image (false when dsync.json or a flag names the image). */
  build: boolean;
  /** The image dsync.json or a flag names (when not building). */
  namedImage?: string;
  /** A hash of what decides whether the built image is still current (the configuration as read, its folder, the Dockerfile). */
  fingerprint: (config: DevcontainerConfig) => Promise<string>;
  /** Part of the image's name (the project id). */
  projectId: string;
  signal?: AbortSignal;
}

/** Read the configuration, and build its image unless a current one is on the engine. */
export async function loadDevcontainer(input: DevcontainerInput): Promise<DevcontainerSource & { image?: string }> {
  const base = ['--workspace-folder', input.root, '--config', input.configFile];
  input.reporter.progress(`reading ${input.configFile} (devcontainer CLI)`);
  const read = await runCli(input, ['read-configuration', ...base, '--log-level', 'info'], 'reading');
  const config = parseReadConfiguration(read.stdout, input.configFile);
  if (!input.build) {
    // dsync.json names the image: its metadata and USER still say who the tools run as.
    const named = input.namedImage ? await input.client.inspectImage(input.namedImage) : undefined;
    return withImageUsers({ configFile: input.configFile, config }, named);
  }
  const tag = `dsync-devcontainer/${input.projectId}:${(await input.fingerprint(config)).slice(0, 16)}`;
  let details = await input.client.inspectImage(tag);
  if (!details) {
    input.reporter.progress(`building the dev container image ${tag} (devcontainer build)`);
    const buildkit = await hasBuildx(input);
    const env = buildkit ? input.env : withoutKey(input.env, 'DOCKER_BUILDKIT');
    const built = await runCli({ ...input, env }, ['build', ...base, '--image-name', tag, '--no-lockfile', ...(buildkit ? [] : ['--buildkit', 'never'])], 'building');
    const outcome = lastJson(built.stdout);
    if (outcome?.outcome !== 'success') throw cliFailure(input.configFile, 'building', built, outcome?.message);
    details = await input.client.inspectImage(tag);
    if (!details) throw new DsyncError('DEVCONTAINER', `the devcontainer CLI reported success but the engine has no image ${tag}`);
    input.reporter.done(`built the dev container image ${tag}`);
  }
  return { ...withImageUsers({ configFile: input.configFile, config }, details), image: tag };
}

/**
 * The users the image adds: its metadata's last remoteUser/containerUser
 * (the devcontainers images set `vscode`, `node`), else its USER, where the
 * configuration names none; and the metadata to carry on the container.
 */
function withImageUsers(source: DevcontainerSource, details: ImageDetails | undefined): DevcontainerSource {
  if (!details) return source;
  const metadata = metadataEntries(details.labels[DC_LABEL_METADATA]);
  const last = (key: 'remoteUser' | 'containerUser') =>
    metadata
      .map((m) => (m as Record<string, unknown>)[key])
      .filter((v): v is string => typeof v === 'string' && v !== '')
      .pop();
  const imageUser = details.user && details.user !== 'root' && details.user !== '0' ? details.user : undefined;
  const containerUser = source.config.containerUser ?? last('containerUser');
  const remoteUser = source.config.remoteUser ?? last('remoteUser') ?? containerUser ?? imageUser;
  return { ...source, config: { ...source.config, containerUser, remoteUser }, imageMetadata: metadata };
}

async function runCli(input: DevcontainerInput, args: string[], what: string): Promise<HostCommandResult> {
  const tail: string[] = [];
  let result: HostCommandResult;
  try {
    result = await input.run(input.cli.node, [input.cli.script, ...args], {
      cwd: input.root,
      env: input.env,
      signal: input.signal,
      onStderrLine: (line) => {
        const text = stripAnsi(line).trim();
        if (!text) return;
        tail.push(text);
        if (tail.length > 20) tail.shift();
        input.reporter.progress(`devcontainer ${what}: ${text.slice(0, 100)}`);
      },
    });
  } catch (error) {
    throw new DsyncError('DEVCONTAINER', `could not run the devcontainer CLI: ${(error as Error).message}`, { cause: error });
  }
  if (input.signal?.aborted) throw new DsyncError('INTERRUPTED', 'interrupted');
  if (result.exitCode !== 0) throw cliFailure(input.configFile, what, { ...result, stderr: tail.join('\n') || result.stderr }, lastJson(result.stdout)?.message);
  return result;
}

function cliFailure(file: string, what: string, result: HostCommandResult, message: string | undefined): DsyncError {
  const lines = result.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const detail = message ?? lines.filter((l) => /error|failed|not found|denied/i.test(l)).pop() ?? lines.pop() ?? `exit ${result.exitCode}`;
  const noDocker = /spawn docker ENOENT|docker: not found|command not found: docker/i.test(`${detail}\n${result.stderr}`);
  return new DsyncError('DEVCONTAINER', `${what} the dev container of ${file} failed: ${detail.slice(0, 300)}`, {
    hint: noDocker
      ? 'the devcontainer CLI needs the `docker` command on PATH (Docker Desktop, or the docker CLI package)'
      : 'check the configuration with `npx devcontainer build --workspace-folder .`, or name an image in dsync.json ("image") to skip the dev container build',
  });
}

async function hasBuildx(input: DevcontainerInput): Promise<boolean> {
  try {
    const result = await input.run('docker', ['buildx', 'version'], { cwd: input.root, env: input.env });
    return result.exitCode === 0;
  } catch {
    return false;
  }
}

function lastJson(stdout: string): { outcome?: string; message?: string } | undefined {
  const line = stdout
    .trim()
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .pop();
  try {
    return line ? (JSON.parse(line) as { outcome?: string; message?: string }) : undefined;
  } catch {
    return undefined;
  }
}

function withoutKey(env: Record<string, string | undefined>, key: string): Record<string, string | undefined> {
  const copy = { ...env };
  delete copy[key];
  return copy;
}

/** A hash of named byte strings (the config file and the files of its folder), for the image tag. */
export function contentFingerprint(files: Iterable<[string, Buffer]>): string {
  const hash = createHash('sha256');
  for (const [name, bytes] of [...files].sort((a, b) => (a[0] < b[0] ? -1 : 1))) hash.update(name).update('\0').update(bytes).update('\0');
  return hash.digest('hex');
}
