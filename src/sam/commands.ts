// Every `sam` command line dsync runs is built here, and nowhere else, from
// one SamTarget: where the stack goes (real AWS, the embedded emulator, or
// another endpoint) and the settings from samconfig and flags.
import type { Credentials } from './credentials.js';

export type TargetMode = 'aws' | 'emulator' | 'endpoint';

export interface SamTarget {
  mode: TargetMode;
  stackName: string;
  region: string;
  /** Template path relative to the workspace (posix). */
  templateFile: string;
  /** AWS_ENDPOINT_URL as seen from inside the container (emulator and endpoint modes). */
  endpointUrl?: string;
  parameterOverrides: string[];
  capabilities: string[];
  s3Bucket?: string;
  s3Prefix?: string;
  tags: string[];
  imageRepository?: string;
  /** SAM's auto dependency layer; off in emulator mode, where dsync deploys the stack itself. */
  dependencyLayer: boolean;
  /** samconfig environment to read (SAM's --config-env). */
  configEnv: string;
}

/**
 * SAM keeps its build output in the workspace's .aws-sam, inside the
 * container's volume: dsync never syncs it back, so it never exists on the host.
 */
export const BUILD_DIR = '.aws-sam/build';

/**
 * The one AWS profile SAM uses in the container (docker/tools/aws-config).
 * Passed explicitly to every sam command, it overrides a `profile` in
 * samconfig, which names a profile of the host: SAM never looks for that one.
 */
export const CONTAINER_PROFILE = 'dsync';
const profileArgs = ['--profile', CONTAINER_PROFILE];

const common = (t: SamTarget): string[] => {
  const args = ['--template-file', t.templateFile, '--stack-name', t.stackName, '--region', t.region, ...profileArgs];
  if (t.parameterOverrides.length > 0) args.push('--parameter-overrides', ...t.parameterOverrides);
  if (t.capabilities.length > 0) args.push('--capabilities', ...t.capabilities);
  if (t.s3Bucket) args.push('--s3-bucket', t.s3Bucket);
  if (t.s3Prefix) args.push('--s3-prefix', t.s3Prefix);
  if (t.tags.length > 0) args.push('--tags', ...t.tags);
  if (t.imageRepository) args.push('--image-repository', t.imageRepository);
  args.push(t.dependencyLayer ? '--dependency-layer' : '--no-dependency-layer');
  args.push('--config-env', t.configEnv, '--no-watch');
  return args;
};

/** `sam sync` for the whole stack (infrastructure and code), as its first deploy or after a template change. */
export function syncInfraArgv(t: SamTarget, options: { deployEvenIfUnchanged?: boolean } = {}): string[] {
  // SAM compares the template only: an edited definition file of a state machine or API (DefinitionUri) looks
  // "unchanged", the deploy is skipped, and its code sync refuses DefinitionSubstitutions. So deploy then.
  return ['sam', 'sync', ...(options.deployEvenIfUnchanged ? ['--no-skip-deploy-sync'] : []), ...common(t)];
}

/** `sam sync --code` for the given resources only. */
export function syncCodeArgv(t: SamTarget, resourceIds: readonly string[]): string[] {
  if (resourceIds.length === 0) throw new Error('syncCodeArgv needs at least one resource id');
  return ['sam', 'sync', '--code', ...resourceIds.flatMap((id) => ['--resource-id', id]), ...common(t)];
}

/**
 * The environment for one SAM command. Credentials are passed per command
 * (exec environment), never stored in the container, image or a volume.
 */
export function samEnv(t: SamTarget, credentials: Credentials | undefined): Record<string, string> {
  const env: Record<string, string> = {
    AWS_REGION: t.region,
    AWS_DEFAULT_REGION: t.region,
    // Only dsync's own profile exists in the container; no credentials file is read.
    AWS_CONFIG_FILE: `${SAM_TOOLS}/aws-config`,
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    SAM_CLI_TELEMETRY: '0',
    TERM: 'dumb',
    NO_COLOR: '1',
    PYTHONUNBUFFERED: '1',
  };
  if (t.endpointUrl) env.AWS_ENDPOINT_URL = t.endpointUrl;
  // The emulator finishes a stack at once; SAM would still sleep 0.5 s before each event poll.
  if (t.mode === 'emulator') env.SAM_CLI_POLL_DELAY = '0.05';
  if (credentials) {
    env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
    if (credentials.sessionToken) env.AWS_SESSION_TOKEN = credentials.sessionToken;
  }
  return env;
}

/** samEnv as the KEY=value list the Engine API takes. */
export function envList(env: Record<string, string>): string[] {
  return Object.entries(env).map(([k, v]) => `${k}=${v}`);
}

/** dsync's helper files, copied into the container at start (images/tools.ts). */
export const TOOLS_DIR = '/dsync/tools';
/** What runs beside SAM (docker/sam-tools); its aws-config names credentials.sh by this path. */
export const SAM_TOOLS = `${TOOLS_DIR}/sam-tools`;
/** The emulator's package (docker/emulator): `python -m dsync_emulator` from here. */
export const EMULATOR_DIR = `${TOOLS_DIR}/emulator`;
/** The bucket the emulator stores artifacts in. */
export const EMULATOR_BUCKET = 'dsync-artifacts';

/** Start dsync's emulator (docker/emulator, `python -m dsync_emulator`) in the background with the artifact bucket, and wait until it answers. */
/**
 * Start the emulator unless one answers that runs these very tools
 * (`toolsHash`): a running emulator keeps its stack between `up` runs, but
 * one started by an older dsync is stopped and started again.
 */
export function emulatorStartArgv(motoPython: string, port: number, toolsHash: string, apiPorts: readonly number[] = [], bucket = EMULATOR_BUCKET): string[] {
  const url = `http://localhost:${port}/moto-api/`;
  const probe = `${motoPython} -c "import urllib.request; urllib.request.urlopen('${url}', timeout=1)" >/dev/null 2>&1`;
  const script = [
    `mkdir -p /dsync/state`,
    `if ${probe}; then`,
    `  if [ "$(cat /dsync/state/emulator.tools 2>/dev/null)" = "${toolsHash}" ]; then exit 0; fi`,
    // (An emulator of a dsync that kept no pid file is found by its command line.)
    `  pid=$(cat /dsync/state/emulator.pid 2>/dev/null)`,
    // ([d]: the pattern must not match this script's own command line.)
    `  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null; else pkill -f "[d]sync_emulator|[d]sync_moto.py" 2>/dev/null; fi`,
    `  i=0; while [ $i -lt 50 ] && ${probe}; do i=$((i+1)); sleep 0.1; done`,
    `fi`,
    `echo "${toolsHash}" >/dsync/state/emulator.tools`,
    `cd ${EMULATOR_DIR} && nohup ${motoPython} -m dsync_emulator --host 0.0.0.0 --port ${port} --bucket ${bucket}${apiPorts.map((p) => ` --api-port ${p}`).join('')} >/dsync/state/emulator.log 2>&1 &`,
    `echo $! >/dsync/state/emulator.pid`,
    `i=0; while [ $i -lt 150 ]; do if ${probe}; then exit 0; fi; i=$((i+1)); sleep 0.2; done`,
    `tail -n 20 /dsync/state/emulator.log >&2; exit 1`,
  ].join('\n');
  return ['sh', '-c', script];
}

/** Probe the image: where `sam` and moto live, and SAM's version. Prints KEY=value lines. */
export function probeArgv(): string[] {
  const script = [
    `sam_path=$(command -v sam || true)`,
    `echo "sam=$sam_path"`,
    `if [ -n "$sam_path" ]; then echo "sam_python=$(head -n1 "$sam_path" | sed -e 's/^#! *//' -e 's/^\\/usr\\/bin\\/env  *//')"; echo "sam_version=$(sam --version 2>/dev/null | sed 's/.*version //')"; fi`,
    `moto_path=$(command -v moto_server || true)`,
    `if [ -n "$moto_path" ]; then echo "moto_python=$(head -n1 "$moto_path" | sed -e 's/^#! *//' -e 's/^\\/usr\\/bin\\/env  *//')"; fi`,
  ].join('\n');
  return ['sh', '-c', script];
}

/** The container side of dsync's reverse tunnel (docker/tunnel.ts): listens on `port` in the container. */
export function tunnelArgv(python: string, port: number): string[] {
  return [python, `${SAM_TOOLS}/tunnel.py`, String(port)];
}

/** `up --logs` in emulator mode: one line per trigger run, as the emulator records them (docker/sam-tools/trigger_runs.py). */
export function triggerRunsArgv(t: SamTarget, python: string, emulatorPort: number): string[] {
  return [python, `${SAM_TOOLS}/trigger_runs.py`, String(emulatorPort), t.region, t.stackName];
}

/** dsync's check that the emulator holds what SAM built (docker/sam-tools/verify.py), for these resources. */
export function verifyArgv(t: SamTarget, python: string, resourceIds: readonly string[], buildDir?: string): string[] {
  return [python, `${SAM_TOOLS}/verify.py`, '--stack', t.stackName, '--template', t.templateFile, ...(buildDir ? ['--build-dir', buildDir] : []), ...resourceIds];
}

/** Where dsync's npm shortcut keeps each function's last artifact (docker/sam-tools/npm_patch.py). */
export const SHORTCUT_ARTIFACTS = '.aws-sam/dsync-artifacts';

/** dsync's npm shortcut (docker/sam-tools/npm_patch.py): keep the last artifact of these functions after SAM built them. */
export function snapshotArgv(python: string, resourceIds: readonly string[]): string[] {
  return [python, `${SAM_TOOLS}/npm_patch.py`, 'snapshot', ...resourceIds];
}

/** dsync's npm shortcut: forget these functions' artifacts before SAM builds them (a failed build leaves none to patch). */
export function dropArtifactsArgv(python: string, resourceIds: readonly string[]): string[] {
  return [python, `${SAM_TOOLS}/npm_patch.py`, 'drop', ...resourceIds];
}

/** dsync's npm shortcut: apply source edits (paths relative to the function's code folder) to its last artifact and update its code. */
export function patchArgv(t: SamTarget, python: string, resourceId: string, codeDir: string, changed: readonly string[]): string[] {
  return [python, `${SAM_TOOLS}/npm_patch.py`, 'patch', '--stack', t.stackName, '--function', resourceId, '--code-dir', codeDir || '.', '--changed', ...changed];
}

/** `sam logs` for the stack's functions (all of them when `names` is empty). */
export function logsArgv(t: SamTarget, names: readonly string[], tail: boolean): string[] {
  const args = ['sam', 'logs', '--stack-name', t.stackName, '--region', t.region, ...profileArgs, '--config-env', t.configEnv, ...names.flatMap((n) => ['--name', n])];
  if (tail) args.push('--tail');
  return args;
}

/** Where `up` records its target, so `dsync logs` in another terminal talks to the same stack. */
export const TARGET_FILE = '/dsync/state/target.json';
