// dsync's settings: defaults, then devcontainer.json's customizations.dsync,
// then the project's dsync.json (JSON with comments), then command-line flags.
// Each is validated against the shipped schema (settings-schema.ts); errors
// name the file, line and column, the setting, what was expected and found.
import path from 'node:path';
import { DsyncError } from '../base/errors.js';
import type { DevcontainerConfig } from './devcontainer-file.js';
import { parseJsoncFile, type JsonPath } from './jsonc.js';
import { checkSettingsInDocument, checkSettingsValue } from './settings-schema.js';
import { satisfiesRange } from './versions.js';

export interface DsyncConfig {
  /** Absolute project folder on the host. */
  root: string;
  /** Image for the project's container. */
  image: string;
  /** Quiet period that ends a batch of edits. */
  quietMs: number;
  /** Longest a batch waits for the quiet period under a steady stream of events. */
  maxWaitMs: number;
  /** Above this many changed paths in one batch, run a full manifest diff instead. */
  fullSyncThreshold: number;
  /** Files larger than this are not sent (with a warning). */
  maxFileSize: number;
  /** Owner of the files in the container. */
  uid: number;
  gid: number;
  /** Whether `image` was chosen (flag, env or dsync.json) rather than defaulted. */
  imageChosen?: boolean;
  /** SAM template as given (default: template.yaml, else template.yml); normalised to a project path where it is used. */
  template?: string;
  /** Where `template` came from, for messages. */
  templateFrom?: string;
  stackName?: string;
  region?: string;
  /** samconfig environment (SAM's --config-env). */
  configEnv?: string;
  /** Base image for the Debian SAM image built for emulator mode. */
  samBaseImage?: string;
  /** A stack per developer and the production guard (real AWS and --endpoint-url). */
  stack?: StackSettings;
  /** Images to take a runtime's toolchain from when dsync's image cannot build it ("python3.12" -> an image). */
  runtimeImages?: Record<string, string>;
  /** --root or dsync.json "root": how far up the template's references may reach (default: the git work tree). */
  rootDir?: string;
  /** Where `rootDir` came from, for messages. */
  rootFrom?: string;
  /** What is mirrored into the container (set by the commands from the template; default: the project folder). */
  layout?: ProjectLayout;
  /** Team pins: a semver range of dsync this project expects. */
  requires?: string;
  /** Team pins: the image's digest ("sha256:…", the image id or a repo digest) the project expects. */
  imageDigest?: string;
  /** Team pins: the SAM CLI version (exact, or a semver range) expected in the container. */
  samVersion?: string;
  /** `up --emulator` runs these functions under a debugger: true (all), logical ids, or logical id -> port. */
  debug?: boolean | string[] | Record<string, number>;
  /** Where each setting from a file came from: the file (absolute) and its key path in it, for messages. */
  origins?: Record<string, { file: string; key: string }>;
  /** The container's environment (a dev container's containerEnv, the host's proxies, CA variables); set by the commands. */
  containerEnv?: Record<string, string>;
  /** The host's extra CA certificates (PEM) for SAM and Node in the container; set by the commands. */
  extraCa?: string;
  /** The project's dev container configuration, when dsync takes its environment from one; set by the commands. */
  devcontainer?: DevcontainerSource;
}

/** What dsync took from .devcontainer/devcontainer.json (or .devcontainer.json). */
export interface DevcontainerSource {
  /** Absolute host path of the devcontainer.json. */
  configFile: string;
  /** The configuration as the devcontainer CLI read it (variables substituted). */
  config: DevcontainerConfig;
  /** The image's devcontainer.metadata entries (features' and the configuration's), carried on the container. */
  imageMetadata?: unknown[];
  /** Whether the container's image is the dev container's (not one dsync.json or a flag names). */
  providesImage?: boolean;
}

/**
 * What dsync mirrors into the container's workspace. Usually the project
 * folder alone; when the template names code outside it (a monorepo's
 * shared folder), a folder above it, of which only the project folder and
 * the referenced subtrees are synced.
 */
export interface ProjectLayout {
  /** The folder the workspace mirrors (absolute host path). */
  syncRoot: string;
  /** The project folder inside it ('' when it is the project folder itself). */
  projectDir: string;
  /** The syncRoot paths that are synced (the project folder and each referenced path); undefined = all. */
  scope?: string[];
  /** The references that reach outside the project, for messages ("Fn CodeUri ../shared"). */
  outside?: string[];
  /** What bounded the root: 'the git work tree', '--root', or the dsync.json file. */
  rootFrom?: string;
}

/** What dsync.json's "stack" object may say. */
export interface StackSettings {
  /** Derive a stack per developer from the base name (default true; real AWS and --endpoint-url only). */
  perDeveloper?: boolean;
  /** How: "{stack}" is the base name (samconfig's stack_name), "{who}" the developer. Default "{stack}-{who}". */
  pattern?: string;
  /** Stack names (regular expressions, case-insensitive) that dsync refuses unless it created them. */
  protectedNames?: string[];
  /** Tags that mark a stack as protected (key -> value). */
  protectedTags?: Record<string, string>;
}

export const CONFIG_FILE = 'dsync.json';

export const DEFAULTS: Omit<DsyncConfig, 'root'> = {
  image: 'public.ecr.aws/sam/build-nodejs22.x',
  quietMs: 10,
  maxWaitMs: 150,
  fullSyncThreshold: 300,
  maxFileSize: 1024 ** 3,
  uid: 0,
  gid: 0,
};

export type Settings = Partial<Omit<DsyncConfig, 'root'>> & { root?: string };

const STRING_KEYS = ['image', 'template', 'stackName', 'region', 'configEnv', 'samBaseImage', 'root', 'requires', 'imageDigest', 'samVersion'] as const;

const NUMBER_KEYS = ['quietMs', 'maxWaitMs', 'fullSyncThreshold', 'maxFileSize', 'uid', 'gid'] as const;

/** Every setting dsync.json (and customizations.dsync, and the flags) may hold; the schema has each. */
export const SETTING_KEYS = ['$schema', ...STRING_KEYS, ...NUMBER_KEYS, 'stack', 'runtimeImages', 'debug'] as const;

/**
 * Check settings that come from no file (command-line flags) against the
 * schema and return them; a whole number given as a string ("20") counts.
 */
export function validateSettings(raw: unknown, source: string): Settings {
  let value = raw;
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const entries = Object.entries(raw).filter(([, v]) => v !== undefined);
    value = Object.fromEntries(entries.map(([k, v]) => [k, (NUMBER_KEYS as readonly string[]).includes(k) && typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v]));
  }
  checkSettingsValue(value, source);
  return toSettings(value as Record<string, unknown>);
}

/** Validated settings as DsyncConfig holds them: strings trimmed, $schema dropped. */
function toSettings(valid: Record<string, unknown>): Settings {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(valid)) {
    if (key === '$schema' || value === undefined) continue;
    out[key] = typeof value === 'string' ? value.trim() : value;
  }
  return out as Settings;
}

/** Parse dsync.json (JSONC), or the object at `base` in another file (devcontainer.json), and validate it; errors carry line:column. */
export function readSettingsFile(file: string, text: string, base: JsonPath = []): Settings {
  const doc = parseJsoncFile(file, text);
  let value: unknown = doc.value;
  for (const key of base) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
    value = (value as Record<string, unknown>)[key as string];
  }
  if (value === undefined && base.length > 0) return {};
  checkSettingsInDocument(doc, value, base);
  return toSettings(value as Record<string, unknown>);
}

export interface LoadInput {
  cwd: string;
  /** Settings from the command line, already validated. */
  flags: Settings;
  readFile(p: string): string | undefined;
  isDirectory(p: string): boolean;
  /** Where relative command-line paths start (the shell's folder; default: the project folder). */
  startDir?: string;
  /** The project's devcontainer.json, found by the caller: its customizations.dsync are settings below dsync.json's. */
  devcontainer?: { file: string; text: string };
  /** The running dsync's version, to check "requires" (absent: not checked). */
  dsyncVersion?: string;
}

/** Where the devcontainer.json's settings live in it. */
export const DEVCONTAINER_BASE: JsonPath = ['customizations', 'dsync'];

export function loadConfig(input: LoadInput): DsyncConfig {
  const root = path.resolve(input.cwd);
  if (!input.isDirectory(root)) {
    throw new DsyncError('PROJECT', `Project folder ${root} does not exist or is not a folder`, {
      hint: 'run dsync inside your project, or pass --cwd DIR',
    });
  }
  const file = path.join(root, CONFIG_FILE);
  const text = input.readFile(file);
  const fromFile: Settings = text === undefined ? {} : readSettingsFile(file, text);
  const dev = input.devcontainer;
  const fromDev: Settings = dev ? readSettingsFile(dev.file, dev.text, DEVCONTAINER_BASE) : {};
  // Which file each setting came from, for messages ("dsync.json "samVersion"").
  const origins: NonNullable<DsyncConfig['origins']> = {};
  for (const key of Object.keys(fromDev)) origins[key] = { file: dev!.file, key: [...DEVCONTAINER_BASE, key].join('.') };
  for (const key of Object.keys(fromFile)) origins[key] = { file, key };
  const { root: rootFlag, ...flags } = input.flags;
  // customizations.dsync < dsync.json; a root or template there is relative to the project folder too.
  const fileSettings: Settings = { ...fromDev, ...fromFile };
  const { root: rootInFile, ...settings } = fileSettings;
  const merged = { ...DEFAULTS, ...settings, ...flags, root };
  const templateFrom = input.flags.template !== undefined ? '--template' : fileSettings.template !== undefined ? origins.template?.file : undefined;
  // A root in dsync.json is relative to dsync.json's folder; --root to where dsync was started.
  const rootDir = rootFlag !== undefined ? path.resolve(input.startDir ?? root, rootFlag) : rootInFile !== undefined ? path.resolve(root, rootInFile) : undefined;
  const rootFrom = rootFlag !== undefined ? '--root' : rootInFile !== undefined ? origins.root?.file : undefined;
  const config: DsyncConfig = {
    ...merged,
    templateFrom,
    rootDir,
    rootFrom,
    imageChosen: fileSettings.image !== undefined || input.flags.image !== undefined,
    origins,
  };
  if (input.dsyncVersion !== undefined) checkRequires(config, input.dsyncVersion);
  return config;
}

/** `dsync.json "samVersion"`: where a setting came from, for messages about it. */
export function settingSource(config: Pick<DsyncConfig, 'origins' | 'root'>, key: string): string {
  const origin = config.origins?.[key];
  if (origin === undefined) return `"${key}"`;
  const rel = path.relative(config.root, origin.file);
  return `${rel.startsWith('..') || path.isAbsolute(rel) ? origin.file : rel} "${origin.key}"`;
}

/** The "imageDigest" pin: which image it is about, the digest, and where it was set. */
export interface ImagePin {
  image: string;
  digest: string;
  from: string;
}

/**
 * The image pin of this run, if any. It covers the image named by "image"
 * (or the default image when the pin's file names none), not an image given
 * with --image or DSYNC_IMAGE for this run.
 */
export function imagePin(config: DsyncConfig): ImagePin | undefined {
  if (config.imageDigest === undefined) return undefined;
  if (config.imageChosen && config.origins?.image === undefined) return undefined;
  return { image: config.image, digest: config.imageDigest, from: settingSource(config, 'imageDigest') };
}

/** The "requires" pin: this dsync must be in the project's range. */
export function checkRequires(config: DsyncConfig, version: string): void {
  const range = config.requires;
  if (range === undefined || satisfiesRange(version, range)) return;
  throw new DsyncError('CONFIG', `this project requires dsync ${range} (${settingSource(config, 'requires')}), this is ${version}`, {
    hint: `install a fitting dsync: npm i -D 'dsync@${range}' (or npm i -g 'dsync@${range}')`,
  });
}
