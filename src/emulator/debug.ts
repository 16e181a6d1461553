// Debugging functions the emulator runs (`dsync up --emulator --debug`):
// which functions, on which ports, what the emulator is told (a settings
// file in the container, read by docker/emulator/.../lambda_runner/debug.py),
// what the developer reads, and VS Code's attach configurations. Pure, but
// for writing the settings into the container.
import { posix } from 'node:path';
import { DsyncError } from '../base/errors.js';
import type { ContainerClient } from '../docker/container-client.js';
import type { TemplateModel } from '../sam/template.js';
import { editJsoncArray, parseJsoncFile } from '../config/jsonc.js';

/** Ports are taken from [BASE, BASE + SPAN): 9229 (Node.js's default) stays free for the developer's own. */
export const DEBUG_PORT_BASE = 9230;
export const DEBUG_PORT_SPAN = 200;
/** Where the emulator unpacks a debugged function's code, the same folder for every version (debug.py's STABLE_ROOT). */
export const DEBUG_TASK_ROOT = '/tmp/dsync-lambda/debug';
export const DEBUG_SETTINGS_FILE = '/dsync/state/debug.json';

/** What `--debug [FUNCTION...]` and dsync.json "debug" ask for. */
export type DebugWish = true | string[] | Record<string, number>;

/** dsync.json "debug" as a wish: false, [] and {} ask for nothing. */
export function configuredWish(setting: boolean | string[] | Record<string, number> | undefined): DebugWish | undefined {
  if (setting === true) return true;
  if (Array.isArray(setting)) return setting.length ? setting : undefined;
  return setting && Object.keys(setting).length ? setting : undefined;
}

/** The ports dsync.json "debug" sets ({function: port}), which hold whichever functions are debugged. */
export function fixedPorts(setting: boolean | string[] | Record<string, number> | undefined): Record<string, number> {
  return setting && typeof setting === 'object' && !Array.isArray(setting) ? setting : {};
}

export interface DebugTarget {
  function: string;
  runtime: string;
  /** On the host's loopback, and the same number in the container. */
  port: number;
  /** The Node.js inspector (Chrome DevTools Protocol), or debugpy (the Debug Adapter Protocol) for Python. */
  protocol: 'inspector' | 'debugpy';
  /** The function's code folder (project path, posix; '' = the project folder), for localRoot. */
  codePath: string;
}

export interface DebugPlan {
  targets: DebugTarget[];
  /** Asked for but on a runtime the emulator cannot debug: they run without a debugger (said once, with why). */
  unsupported: Array<{ function: string; runtime: string; why?: string }>;
}

/** FNV-1a: a port that depends on names only, so it stays the same across runs. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (const ch of text) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Each function's port: from the project's and its name, the next free one on a clash (in name order, so the result is the same every run). */
export function assignPorts(ids: readonly string[], fixed: Record<string, number> = {}, project = ''): Record<string, number> {
  const used = new Set(Object.values(fixed));
  const out: Record<string, number> = { ...fixed };
  for (const id of [...ids].sort()) {
    if (out[id] !== undefined) continue;
    let offset = hash(`${project}/${id}`) % DEBUG_PORT_SPAN;
    while (used.has(DEBUG_PORT_BASE + offset)) offset = (offset + 1) % DEBUG_PORT_SPAN;
    out[id] = DEBUG_PORT_BASE + offset;
    used.add(out[id]);
  }
  return out;
}

/**
 * The functions to debug, their ports and what cannot be debugged; unknown names are a usage error
 * listing the functions. `fixed`: ports dsync.json sets, which hold whichever functions are chosen;
 * `project` makes the ports of two projects' functions of the same name differ.
 */
export function planDebug(model: TemplateModel, wish: DebugWish, fixed: Record<string, number> = {}, project = ''): DebugPlan {
  const functions = [...model.resources.values()].filter((r) => r.kind === 'function' && r.packageType !== 'Image');
  const ids = functions.map((f) => f.id);
  const named = wish === true ? [] : Array.isArray(wish) ? wish : Object.keys(wish);
  const unknown = named.filter((n) => !ids.includes(n));
  if (unknown.length) {
    throw new DsyncError('USAGE', `--debug: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not a function' : 'are not functions'} of ${model.file}`, {
      hint: ids.length ? `its functions: ${ids.join(', ')}` : 'the template has no functions with a code package',
    });
  }
  const chosen = named.length ? functions.filter((f) => named.includes(f.id)) : functions;
  const ports = assignPorts(ids, Object.fromEntries(Object.entries(fixed).filter(([id]) => ids.includes(id))), project);
  const targets: DebugTarget[] = [];
  const unsupported: DebugPlan['unsupported'] = [];
  for (const f of chosen) {
    const runtime = f.runtime ?? '?';
    const protocol = runtime.startsWith('nodejs') ? 'inspector' : runtime.startsWith('python') ? 'debugpy' : undefined;
    if (!protocol) unsupported.push({ function: f.id, runtime });
    else targets.push({ function: f.id, runtime, port: ports[f.id]!, protocol, codePath: f.codePaths[0] ?? '' });
  }
  return { targets, unsupported };
}

/** Where the project is: in the container (its folder and the mirrored root) and on the host (the mirrored root's file URL). */
export interface DebugPlaces {
  workspace: string;
  mirror: string;
  hostMirrorUrl: string;
  /** Where debugpy is installed in the container, when Python functions are debugged. */
  debugpy?: string;
}

/** debugpy's pure-Python wheel runs on every Python the emulator has; it lives in the pip cache volume, which outlives containers. */
export const DEBUGPY_VERSION = '1.8.21';
export const DEBUGPY_DIR = `/root/.cache/pip/dsync-debugpy-${DEBUGPY_VERSION}`;

/** Install debugpy in the container once (with the emulator's pip; it needs PyPI). */
export async function ensureDebugpy(client: ContainerClient, containerId: string, python: string): Promise<void> {
  const ready = await client.exec(containerId, { cmd: ['test', '-f', `${DEBUGPY_DIR}/debugpy/__init__.py`] });
  if (ready.exitCode === 0) return;
  const pip = [python, '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--only-binary=:all:', '--platform', 'any'];
  // Short timeouts: without PyPI this fails in seconds (said once) instead of holding up the start for a minute.
  const cmd = [...pip, '--timeout', '10', '--retries', '1', '--python-version', '3.9', '--implementation', 'py', '--target', `${DEBUGPY_DIR}.tmp`, `debugpy==${DEBUGPY_VERSION}`];
  const done = await client.exec(containerId, { cmd: ['sh', '-c', 'd="$1"; shift; rm -rf "$d.tmp" && "$@" && mv "$d.tmp" "$d"', 'sh', DEBUGPY_DIR, ...cmd] });
  if (done.exitCode !== 0) throw new DsyncError('EMULATOR', `debugpy ${DEBUGPY_VERSION} could not be installed in the container: ${lastLine(done.stderr || done.stdout)}`);
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}

/** The settings file the emulator reads (debug.py), with the listing `dsync status` shows. */
export function debugSettings(stack: string, plan: DebugPlan, places: DebugPlaces): string {
  const functions = Object.fromEntries(plan.targets.map((t) => [t.function, t.port]));
  // Each function's code folder in the container: the emulator maps its source maps' sources from there.
  const code = Object.fromEntries(plan.targets.map((t) => [t.function, posix.normalize(posix.join(places.workspace, t.codePath.replace(/\\/g, '/')))]));
  const listing = plan.targets.map(({ function: fn, runtime, port, protocol }) => ({ function: fn, runtime, port, protocol }));
  return JSON.stringify({ stack, functions, code, mirror: places.mirror, hostMirror: places.hostMirrorUrl, debugpy: places.debugpy, listing });
}

/** Tell the emulator (before the first deploy; it reads the file again whenever it changes); undefined: debug nothing. */
export async function writeDebugSettings(client: ContainerClient, containerId: string, text: string | undefined): Promise<void> {
  if (text === undefined) {
    // A run without --debug: the last run's settings (the state folder outlives the container) must not apply.
    await client.exec(containerId, { cmd: ['rm', '-f', DEBUG_SETTINGS_FILE] });
    return;
  }
  const result = await client.exec(containerId, {
    cmd: ['sh', '-c', `mkdir -p /dsync/state && cat > ${DEBUG_SETTINGS_FILE}.tmp && mv ${DEBUG_SETTINGS_FILE}.tmp ${DEBUG_SETTINGS_FILE}`],
    input: text,
  });
  if (result.exitCode !== 0) throw new DsyncError('EMULATOR', `could not write the debug settings into the container: ${result.stderr.trim()}`);
}

export interface ListedDebugPort {
  function: string;
  runtime: string;
  port: number;
  protocol: 'inspector' | 'debugpy';
}

/** The debug ports of the current run, as the settings file in the container lists them (empty when not debugging). */
export async function readDebugPorts(client: ContainerClient, containerId: string): Promise<ListedDebugPort[]> {
  const result = await client.exec(containerId, { cmd: ['cat', DEBUG_SETTINGS_FILE] }).catch(() => undefined);
  if (!result || result.exitCode !== 0) return [];
  try {
    return (JSON.parse(result.stdout) as { listing?: ListedDebugPort[] }).listing ?? [];
  } catch {
    return [];
  }
}

/** What the developer reads once at start. */
export function describeDebug(plan: DebugPlan): string[] {
  const lines = plan.targets.map((t) => `debug: ${t.function} (${t.runtime}) — Node.js inspector on 127.0.0.1:${t.port}`);
  if (plan.targets.length) {
    lines.push('debug: attach and keep debugging across saves (VS Code: `dsync debug --vscode` writes the attach configurations); while attached, Timeout is not enforced');
  }
  for (const u of plan.unsupported)
    lines.push(`debug: ${u.function} (${u.runtime}) runs without a debugger: the emulator debugs Node.js functions (Python's debugpy is not wired yet)`);
  return lines;
}

interface LaunchConfiguration {
  name: string;
  type: string;
  request: string;
  [key: string]: unknown;
}

const NAME_PREFIX = 'dsync: ';

/** VS Code attach configurations, one per function (posix or Windows code paths alike: the remote side is always Linux). */
export function launchConfigurations(targets: readonly DebugTarget[]): LaunchConfiguration[] {
  return targets.map((t) => {
    const local = t.codePath
      .replace(/\\/g, '/')
      .replace(/^\.\/?/, '')
      .replace(/\/$/, '');
    const localRoot = local ? `\${workspaceFolder}/${local}` : '${workspaceFolder}';
    const remoteRoot = `${DEBUG_TASK_ROOT}/${t.function}/task`;
    if (t.protocol === 'debugpy') {
      // VS Code's Python debugger: no restart on attach; a save ends the session (said at start).
      return {
        name: `${NAME_PREFIX}${t.function}`,
        type: 'debugpy',
        request: 'attach',
        connect: { host: '127.0.0.1', port: t.port },
        pathMappings: [{ localRoot, remoteRoot }],
        justMyCode: true,
      };
    }
    return {
      name: `${NAME_PREFIX}${t.function}`,
      type: 'node',
      request: 'attach',
      address: '127.0.0.1',
      port: t.port,
      localRoot,
      remoteRoot,
      // A save starts a new instance: the debugger reattaches to it on the same port.
      restart: true,
      skipFiles: ['<node_internals>/**'],
    };
  });
}

/** launch.json with dsync's configurations in place of earlier ones; the developer's own, and the file's comments and layout, are kept. */
export function mergeLaunchJson(existing: string | undefined, targets: readonly DebugTarget[]): string {
  if (existing?.trim()) {
    try {
      parseJsoncFile('.vscode/launch.json', existing);
    } catch (error) {
      throw new DsyncError('CONFIG', (error as Error).message, { hint: 'fix or move .vscode/launch.json, then run the command again' });
    }
  }
  const base = existing?.trim() ? existing : '{\n  "version": "0.2.0",\n  "configurations": []\n}\n';
  const ours = (item: unknown) => typeof item === 'object' && item !== null && String((item as { name?: unknown }).name ?? '').startsWith(NAME_PREFIX);
  return editJsoncArray(base, ['configurations'], ours, launchConfigurations(targets));
}
