// What dsync takes from a project's dev container configuration. The
// devcontainer CLI reads and builds it (dsync does not re-implement the
// spec); this file only finds the file, interprets what `devcontainer
// read-configuration` prints, and turns lifecycle commands into argv.
import { DsyncError } from '../base/errors.js';
import type { PathFlavour } from '../base/platform.js';

/** The labels the dev container tools use to find a project's container. */
export const DC_LABEL_LOCAL_FOLDER = 'devcontainer.local_folder';
export const DC_LABEL_CONFIG_FILE = 'devcontainer.config_file';
export const DC_LABEL_METADATA = 'devcontainer.metadata';

/** `.devcontainer/devcontainer.json`, else `.devcontainer.json`, as the dev container tools look them up. */
export function findDevcontainerFile(root: string, flavour: PathFlavour, exists: (p: string) => boolean): string | undefined {
  for (const candidate of [flavour.join(root, '.devcontainer', 'devcontainer.json'), flavour.join(root, '.devcontainer.json')]) {
    if (exists(candidate)) return candidate;
  }
  return undefined;
}

/** The parts of a dev container configuration dsync uses, with the CLI's variables substituted. */
export interface DevcontainerConfig {
  image?: string;
  /** Whether it builds (a Dockerfile, or features on top of the image). */
  builds: boolean;
  containerEnv: Record<string, string>;
  remoteUser?: string;
  containerUser?: string;
  postCreateCommand?: LifecycleCommand;
  /** Where the dev container tools expect the workspace inside the container. */
  workspaceFolder?: string;
  /** The Dockerfile as written (relative to the configuration's folder), when it builds one. */
  dockerfile?: string;
  /** The configuration as the CLI printed it (variables substituted), to fingerprint the image. */
  text: string;
}

export type LifecycleCommand = string | string[] | Record<string, string | string[]>;

/**
 * Interpret `devcontainer read-configuration` output (one JSON line on
 * stdout: {configuration, workspace}). Throws a DsyncError naming the file
 * when the output is not what the CLI prints.
 */
export function parseReadConfiguration(stdout: string, file: string): DevcontainerConfig {
  const line = stdout
    .trim()
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .pop();
  let parsed: { configuration?: Record<string, unknown>; workspace?: { workspaceFolder?: unknown }; outcome?: string; message?: string };
  try {
    parsed = JSON.parse(line ?? '') as typeof parsed;
  } catch {
    throw new DsyncError('DEVCONTAINER', `could not read ${file}: the devcontainer CLI printed no configuration`);
  }
  if (parsed.outcome === 'error' || !parsed.configuration) {
    throw new DsyncError('DEVCONTAINER', `could not read ${file}: ${parsed.message ?? 'no configuration'}`);
  }
  const c = parsed.configuration;
  const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
  const build = c.build as Record<string, unknown> | undefined;
  const features = c.features as Record<string, unknown> | undefined;
  if (c.dockerComposeFile !== undefined) {
    throw new DsyncError(
      'DEVCONTAINER',
      `${file} uses dockerComposeFile: dsync runs one container per project and takes only "image" or "build" from a dev container configuration`,
      {
        hint: 'point "image" in dsync.json at the service image you want SAM to run in',
      },
    );
  }
  return {
    image: str(c.image),
    builds: str(c.dockerFile) !== undefined || (build !== undefined && str(build.dockerfile) !== undefined) || (features !== undefined && Object.keys(features).length > 0),
    containerEnv: stringMap(c.containerEnv),
    remoteUser: str(c.remoteUser),
    containerUser: str(c.containerUser),
    postCreateCommand: lifecycle(c.postCreateCommand),
    workspaceFolder: str(parsed.workspace?.workspaceFolder) ?? str(c.workspaceFolder),
    dockerfile: str(build?.dockerfile) ?? str(c.dockerFile),
    text: JSON.stringify(c),
  };
}

function stringMap(v: unknown): Record<string, string> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return {};
  return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function lifecycle(v: unknown): LifecycleCommand | undefined {
  if (typeof v === 'string') return v.trim() === '' ? undefined : v;
  if (Array.isArray(v)) return v.length > 0 && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  if (typeof v === 'object' && v !== null) {
    const steps = Object.entries(v).filter((e): e is [string, string | string[]] => typeof e[1] === 'string' || (Array.isArray(e[1]) && e[1].every((x) => typeof x === 'string')));
    return steps.length > 0 ? Object.fromEntries(steps) : undefined;
  }
  return undefined;
}

/** A lifecycle command as argv steps: a string runs in a shell, an array as it is, an object's entries side by side. */
export function lifecycleSteps(command: LifecycleCommand): Array<{ name: string; argv: string[] }> {
  const one = (name: string, c: string | string[]) => ({ name, argv: typeof c === 'string' ? ['/bin/sh', '-c', c] : c });
  if (typeof command === 'string' || Array.isArray(command)) return [one('postCreateCommand', command)];
  return Object.entries(command).map(([name, c]) => one(name, c));
}

/** A short, stable fingerprint of a lifecycle command (to run it once per container and again when it changes). */
export function lifecycleKey(command: LifecycleCommand): string {
  return JSON.stringify(command);
}

/**
 * The labels that make dsync's container the project's dev container to
 * VS Code and the devcontainer CLI: the folder (exactly as the tools resolve
 * it), the configuration file, and metadata (the image's entries, then the
 * user and the workspace folder).
 */
export function devcontainerLabels(input: { root: string; configFile?: string; imageMetadata?: unknown[]; remoteUser?: string; workspaceFolder: string }): Record<string, string> {
  const labels: Record<string, string> = { [DC_LABEL_LOCAL_FOLDER]: input.root };
  if (input.configFile) labels[DC_LABEL_CONFIG_FILE] = input.configFile;
  const own: Record<string, unknown> = { workspaceFolder: input.workspaceFolder };
  if (input.remoteUser) own.remoteUser = input.remoteUser;
  labels[DC_LABEL_METADATA] = JSON.stringify([...(input.imageMetadata ?? []), own]);
  return labels;
}

/** The image's devcontainer.metadata label as a list (the spec allows one object or an array). */
export function metadataEntries(label: string | undefined): unknown[] {
  if (!label) return [];
  try {
    const v = JSON.parse(label) as unknown;
    return Array.isArray(v) ? v : typeof v === 'object' && v !== null ? [v] : [];
  } catch {
    return [];
  }
}
