// Mapping between host paths (any flavour) and the POSIX paths used in tar
// archives and inside the container. Every path that leaves this module is
// relative, '/'-separated, and proven to stay inside the project.
import path from 'node:path';
import type { PathFlavour } from './platform.js';

/**
 * The POSIX path of `absolute` relative to `root`, or undefined when it is
 * the root itself or lies outside it. path.win32.relative compares drive
 * letters and UNC shares case-insensitively, as Windows does.
 */
export function toProjectPath(root: string, absolute: string, flavour: PathFlavour): string | undefined {
  const rel = flavour.relative(root, absolute);
  if (rel === '' || flavour.isAbsolute(rel)) return undefined;
  const parts = rel.split(flavour.sep);
  if (parts[0] === '..') return undefined;
  return parts.join('/');
}

/** The host path of a project path. */
export function toHostPath(root: string, projectPath: string, flavour: PathFlavour): string {
  assertProjectPath(projectPath);
  return flavour.join(root, ...projectPath.split('/'));
}

/** The absolute container path of a project path. */
export function toContainerPath(workspace: string, projectPath: string): string {
  assertProjectPath(projectPath);
  return path.posix.join(workspace, projectPath);
}

/** Throws unless `p` is a clean relative POSIX path that cannot climb out of its root. */
export function assertProjectPath(p: string): void {
  if (!isProjectPath(p)) throw new Error(`refusing unsafe project path ${JSON.stringify(p)}`);
}

export function isProjectPath(p: string): boolean {
  if (p === '' || p.startsWith('/') || p.includes('\0')) return false;
  return p.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

/**
 * Whether a symlink at project path `linkPath` whose target is `target`
 * (POSIX, as it goes into the archive) resolves inside the workspace. The
 * check is lexical, like symlinkTargetInside; it guards the archive itself,
 * whatever the extractor does.
 */
export function linkTargetStaysInside(linkPath: string, target: string): boolean {
  if (target === '' || target.startsWith('/') || target.includes('\0')) return false;
  // Walk the segments: climbing above the workspace at any point is outside,
  // even if a later segment comes back down under the same name.
  let depth = 0;
  for (const part of [...parentOf(linkPath).split('/'), ...target.split('/')]) {
    if (part === '' || part === '.') continue;
    depth += part === '..' ? -1 : 1;
    if (depth < 0) return false;
  }
  return true;
}

/** Parent project path, or '' for top-level entries. */
export function parentOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

/** All ancestors of `p`, outermost first, excluding `p`. */
export function ancestorsOf(p: string): string[] {
  const parts = p.split('/');
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join('/'));
  return out;
}

export function isWithin(ancestor: string, p: string): boolean {
  return p === ancestor || p.startsWith(`${ancestor}/`);
}

/**
 * Keep only the outermost paths: removing `a` already removes `a/b`.
 * Sorted, so the result is stable.
 */
export function outermost(paths: Iterable<string>): string[] {
  const sorted = [...new Set(paths)].sort();
  const out: string[] = [];
  for (const p of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && isWithin(last, p)) continue;
    out.push(p);
  }
  return out;
}

/**
 * Where a symlink points, as a POSIX path relative to the link's own folder,
 * or undefined when its target lies outside the project. The check is lexical:
 * the link is never followed, so nothing outside the project is read.
 */
export function symlinkTargetInside(root: string, linkProjectPath: string, rawTarget: string, flavour: PathFlavour): string | undefined {
  const linkHost = toHostPath(root, linkProjectPath, flavour);
  const targetHost = flavour.resolve(flavour.dirname(linkHost), rawTarget);
  const targetProject = flavour.relative(root, targetHost) === '' ? '' : toProjectPath(root, targetHost, flavour);
  if (targetProject === undefined) return undefined;
  const from = parentOf(linkProjectPath);
  const rel = path.posix.relative(from === '' ? '/' : `/${from}`, `/${targetProject}`);
  return rel === '' ? '.' : rel;
}

/**
 * A path a person typed or a team's file names (a flag, dsync.json,
 * samconfig's template_file), as a project path, or undefined when it lies
 * outside the project (or is the project folder itself). Absolute and
 * relative forms both work; `./x`, `.\x` and `sub\x` mean the same on every
 * host. On POSIX hosts, where a backslash can be part of a name, the literal
 * name wins when such a file exists (`exists` says so).
 */
export async function userPathToProjectPath(
  root: string,
  input: string,
  flavour: PathFlavour,
  exists: (projectPath: string) => Promise<boolean> = async () => false,
): Promise<string | undefined> {
  const trimmed = input.trim();
  if (trimmed === '') return undefined;
  const resolve = (text: string) => {
    const absolute = flavour.isAbsolute(text) ? text : flavour.resolve(root, text);
    return toProjectPath(root, flavour.normalize(absolute), flavour);
  };
  if (flavour.sep === '/' && trimmed.includes('\\')) {
    const literal = resolve(trimmed);
    if (literal !== undefined && (await exists(literal))) return literal;
    return resolve(trimmed.replace(/\\/g, '/'));
  }
  return resolve(trimmed);
}
