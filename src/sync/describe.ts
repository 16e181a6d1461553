// Turns one host path into a manifest entry, reading the file system at the
// moment of the call: the file system is the truth, not the event that named it.
import { errnoCode } from '../base/errors.js';
import type { HostFs } from './host-fs.js';
import type { ManifestEntry } from './manifest.js';
import { decideMode, type GitModes } from './modes.js';
import { symlinkTargetInside, toHostPath } from '../base/paths.js';
import type { HostPlatform } from '../base/platform.js';

export interface DescribeContext {
  root: string;
  fs: HostFs;
  platform: HostPlatform;
  gitModes: GitModes | undefined;
  /** Paths the git index records as symlinks (mode 120000); see readGitIndex. */
  gitSymlinks?: ReadonlySet<string>;
  maxFileSize: number;
  /** Only these root paths (and the folders leading to them) are synced; undefined = everything. See IgnoreRules. */
  scope?: readonly string[];
  /** Called for things the user should hear about once (outside symlinks, CRLF scripts...). */
  warn(key: string, message: string): void;
}

export type Described =
  | { kind: 'entry'; entry: ManifestEntry }
  | { kind: 'missing' }
  /** Exists but must not be sent (outside symlink, too big, special file). */
  | { kind: 'skipped'; reason: string }
  /** Exists but could not be read now (locked, busy, permission); worth retrying. */
  | { kind: 'unreadable'; code: string };

export const RETRYABLE = new Set(['EBUSY', 'EPERM', 'EACCES', 'EAGAIN', 'EMFILE', 'ENFILE']);

/**
 * `fromListing`: the name came from a folder listing, so its spelling is
 * already the real one and the case check can be skipped.
 */
export async function describePath(ctx: DescribeContext, projectPath: string, fromListing = false): Promise<Described> {
  const hostPath = toHostPath(ctx.root, projectPath, ctx.platform.path);
  let stat;
  try {
    stat = await ctx.fs.lstat(hostPath);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
    if (code && RETRYABLE.has(code)) return { kind: 'unreadable', code };
    throw error;
  }
  if (!fromListing && ctx.platform.caseInsensitive && !(await hasExactCase(ctx, projectPath))) return { kind: 'missing' };
  if (projectPath.includes('\n') || projectPath.includes('\r')) {
    ctx.warn(`newline:${projectPath}`, `skipped ${JSON.stringify(projectPath)}: names with line breaks are not supported`);
    return { kind: 'skipped', reason: 'newline in name' };
  }
  const mtime = Math.floor(stat.mtimeMs / 1000);

  if (stat.isSymbolicLink()) {
    const raw = await ctx.fs.readlink(hostPath).catch(() => undefined);
    if (raw === undefined) return { kind: 'missing' };
    const target = symlinkTargetInside(ctx.root, projectPath, raw, ctx.platform.path);
    if (target === undefined) {
      ctx.warn(`symlink:${projectPath}`, `not sending symlink ${projectPath} -> ${raw}: it points outside the project`);
      return { kind: 'skipped', reason: 'symlink outside project' };
    }
    return { kind: 'entry', entry: { path: projectPath, type: 'symlink', mode: 0o777, size: 0, mtime, target } };
  }
  if (stat.isDirectory()) {
    const mode = decideMode({ path: projectPath, type: 'dir', statMode: stat.mode }, ctx.platform.hasExecBit, ctx.gitModes);
    return { kind: 'entry', entry: { path: projectPath, type: 'dir', mode, size: 0, mtime } };
  }
  if (!stat.isFile()) return { kind: 'skipped', reason: 'not a regular file' };
  if (ctx.gitSymlinks?.has(projectPath) && stat.size <= GIT_LINK_MAX) return describeGitLink(ctx, projectPath, hostPath, mtime);
  if (stat.size > ctx.maxFileSize) {
    ctx.warn(`size:${projectPath}`, `not sending ${projectPath}: ${formatBytes(stat.size)} is over the ${formatBytes(ctx.maxFileSize)} limit (maxFileSize in dsync.json)`);
    return { kind: 'skipped', reason: 'too large' };
  }
  // Without an executable bit the mode rule needs the first bytes (a shebang);
  // elsewhere the walk stays at one lstat per file and readability is checked
  // only for files about to be sent (see preflight.ts).
  let head: Uint8Array | undefined;
  if (!ctx.platform.hasExecBit && !ctx.gitModes?.has(projectPath)) {
    try {
      head = await ctx.fs.readHead(hostPath, 2);
    } catch (error) {
      const code = errnoCode(error) ?? 'EIO';
      if (code === 'ENOENT') return { kind: 'missing' };
      return { kind: 'unreadable', code };
    }
  }
  const mode = decideMode({ path: projectPath, type: 'file', statMode: stat.mode, head }, ctx.platform.hasExecBit, ctx.gitModes);
  return { kind: 'entry', entry: { path: projectPath, type: 'file', mode, size: stat.size, mtime } };
}

/** A checked-out symlink file holds only its target; anything bigger is a real file. */
const GIT_LINK_MAX = 4096;

/**
 * A symlink that git checked out as a text file holding its target (Git for
 * Windows with core.symlinks=false): sent as the symlink it is in the
 * repository, if its target stays inside the project.
 */
async function describeGitLink(ctx: DescribeContext, projectPath: string, hostPath: string, mtime: number): Promise<Described> {
  let raw: string;
  try {
    raw = Buffer.from(await ctx.fs.readHead(hostPath, GIT_LINK_MAX)).toString('utf8');
  } catch (error) {
    const code = errnoCode(error) ?? 'EIO';
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
    return { kind: 'unreadable', code };
  }
  const target = raw === '' || /[\0\r\n]/.test(raw) ? undefined : symlinkTargetInside(ctx.root, projectPath, raw, ctx.platform.path);
  if (target === undefined) {
    ctx.warn(`symlink:${projectPath}`, `not sending ${projectPath}: git records it as a symlink to ${JSON.stringify(raw.slice(0, 200))}, which is outside the project`);
    return { kind: 'skipped', reason: 'symlink outside project' };
  }
  return { kind: 'entry', entry: { path: projectPath, type: 'symlink', mode: 0o777, size: 0, mtime, target } };
}

/**
 * On case-insensitive file systems lstat('Foo.js') succeeds after a rename to
 * 'foo.js'; only the folder listing tells the real spelling.
 */
async function hasExactCase(ctx: DescribeContext, projectPath: string): Promise<boolean> {
  const parts = projectPath.split('/');
  let dir = ctx.root;
  for (const part of parts) {
    const names = await ctx.fs.readdir(dir).catch(() => [] as string[]);
    if (!names.includes(part)) return false;
    dir = ctx.platform.path.join(dir, part);
  }
  return true;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
