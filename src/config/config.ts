// dsync's settings: defaults, then the project's dsync.json, then command-line
// flags. Validation names the setting, what was expected and what was found.
import path from 'node:path';
import { DsyncError } from '../base/errors.js';
import type { DevcontainerConfig } from './devcontainer.js';

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

type Settings = Partial<Omit<DsyncConfig, 'root'>> & { root?: string };

const STRING_KEYS = ['template', 'stackName', 'region', 'configEnv', 'samBaseImage', 'root', 'requires', 'imageDigest', 'samVersion'] as const;

const NUMBER_KEYS = ['quietMs', 'maxWaitMs', 'fullSyncThreshold', 'maxFileSize', 'uid', 'gid'] as const;

/** Check an untrusted object (dsync.json or flags) and return the settings it holds. */
export function validateSettings(raw: unknown, source: string): Settings {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new DsyncError('CONFIG', `${source} must hold a JSON object, got ${Array.isArray(raw) ? 'an array' : typeof raw}`);
  }
  const out: Settings = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    if (key === 'image') {
      if (typeof value !== 'string' || value.trim() === '') {
        throw new DsyncError('CONFIG', `${source}: "image" must be a non-empty image name, got ${JSON.stringify(value)}`);
      }
      out.image = value.trim();
    } else if ((STRING_KEYS as readonly string[]).includes(key)) {
      if (typeof value !== 'string' || value.trim() === '') {
        throw new DsyncError('CONFIG', `${source}: "${key}" must be a non-empty string, got ${JSON.stringify(value)}`);
      }
      out[key as (typeof STRING_KEYS)[number]] = value.trim();
    } else if ((NUMBER_KEYS as readonly string[]).includes(key)) {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
        throw new DsyncError('CONFIG', `${source}: "${key}" must be a whole number >= 0, got ${JSON.stringify(value)}`);
      }
      out[key as (typeof NUMBER_KEYS)[number]] = n;
    } else if (key === 'stack') {
      out.stack = validateStack(value, source);
    } else if (key !== '$schema') {
      throw new DsyncError('CONFIG', `${source}: unknown setting "${key}"`, {
        hint: `known settings: image, stack, ${STRING_KEYS.join(', ')}, ${NUMBER_KEYS.join(', ')}`,
      });
    }
  }
  return out;
}

function validateStack(raw: unknown, source: string): StackSettings {
  const bad = (what: string, got: unknown) => new DsyncError('CONFIG', `${source}: "stack"${what}, got ${JSON.stringify(got)}`);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad(' must be an object', raw);
  const out: StackSettings = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'perDeveloper') {
      if (typeof value !== 'boolean') throw bad('.perDeveloper must be true or false', value);
      out.perDeveloper = value;
    } else if (key === 'pattern') {
      if (typeof value !== 'string' || !value.includes('{who}')) throw bad('.pattern must be a string holding {who} (and usually {stack})', value);
      out.pattern = value;
    } else if (key === 'protectedNames') {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw bad('.protectedNames must be a list of regular expressions', value);
      for (const pattern of value as string[]) {
        try {
          new RegExp(pattern, 'i');
        } catch (error) {
          throw bad(`.protectedNames holds a bad regular expression (${(error as Error).message})`, pattern);
        }
      }
      out.protectedNames = value as string[];
    } else if (key === 'protectedTags') {
      if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
        throw bad('.protectedTags must map tag keys to values', value);
      }
      out.protectedTags = value as Record<string, string>;
    } else {
      throw new DsyncError('CONFIG', `${source}: unknown setting "stack.${key}"`, { hint: 'known: perDeveloper, pattern, protectedNames, protectedTags' });
    }
  }
  return out;
}

export interface LoadInput {
  cwd: string;
  /** Settings from the command line, already validated. */
  flags: Settings;
  readFile(p: string): string | undefined;
  isDirectory(p: string): boolean;
  /** Where relative command-line paths start (the shell's folder; default: the project folder). */
  startDir?: string;
}

export function loadConfig(input: LoadInput): DsyncConfig {
  const root = path.resolve(input.cwd);
  if (!input.isDirectory(root)) {
    throw new DsyncError('PROJECT', `Project folder ${root} does not exist or is not a folder`, {
      hint: 'run dsync inside your project, or pass --cwd DIR',
    });
  }
  const file = path.join(root, CONFIG_FILE);
  const text = input.readFile(file);
  let fromFile: Settings = {};
  if (text !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new DsyncError('CONFIG', `${file} is not valid JSON: ${(error as Error).message}`);
    }
    fromFile = validateSettings(parsed, file);
  }
  const { root: rootFlag, ...flags } = input.flags;
  const { root: rootInFile, ...settings } = fromFile;
  const merged = { ...DEFAULTS, ...settings, ...flags, root };
  const templateFrom = input.flags.template !== undefined ? '--template' : fromFile.template !== undefined ? file : undefined;
  // A root in dsync.json is relative to dsync.json's folder; --root to where dsync was started.
  const rootDir = rootFlag !== undefined ? path.resolve(input.startDir ?? root, rootFlag) : rootInFile !== undefined ? path.resolve(root, rootInFile) : undefined;
  const rootFrom = rootFlag !== undefined ? '--root' : rootInFile !== undefined ? file : undefined;
  return { ...merged, templateFrom, rootDir, rootFrom, imageChosen: fromFile.image !== undefined || input.flags.image !== undefined };
}
