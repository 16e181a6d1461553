// Every container and volume dsync makes carries these labels; dsync finds
// its resources by label, never by guessing names.
import { createHash } from 'node:crypto';
import type { HostPlatform } from '../base/platform.js';

export const LABEL_TOOL = 'dev.dsync.tool';
export const LABEL_PROJECT = 'dev.dsync.project';
export const LABEL_ROOT = 'dev.dsync.root';
export const LABEL_ROLE = 'dev.dsync.role';
/** Which machine and which user the project belongs to (engines can be shared or remote). */
export const LABEL_HOST = 'dev.dsync.host';
export const LABEL_USER = 'dev.dsync.user';
/** The container's ports and cache volumes, to recreate it when they change. */
export const LABEL_SPEC = 'dev.dsync.spec';

/** Who runs dsync, and where: part of a project's identity. */
export interface Owner {
  hostname: string;
  user: string;
}

/**
 * A stable id for a project folder of one user on one machine. The same
 * path on two machines (two CI jobs, two laptops on a shared or remote
 * engine) is two projects: each gets its own container and volume, and one's
 * full sync can never delete the other's files. Windows paths are compared
 * without regard to case or slash direction, as the file system does; host
 * names are compared without case, as DNS does.
 */
export function projectId(root: string, platform: HostPlatform, owner: Owner): string {
  let canonical = platform.path.resolve(root);
  if (platform.name === 'win32') canonical = canonical.replace(/\//g, '\\').toLowerCase();
  canonical = canonical.replace(/[\\/]+$/, '') || canonical;
  return createHash('sha256').update(`${owner.hostname.toLowerCase()}\0${owner.user}\0${canonical}`).digest('hex').slice(0, 12);
}

export function projectLabels(id: string): Record<string, string> {
  return { [LABEL_TOOL]: 'dsync', [LABEL_PROJECT]: id };
}

/** A docker-safe name fragment from the project's folder name, for humans reading `docker ps`. */
export function nameFragment(root: string, platform: HostPlatform): string {
  const base = platform.path.basename(platform.path.resolve(root));
  const cleaned = base
    .normalize('NFKD')
    .replace(/[^a-zA-Z0-9_.-]+/g, '-')
    .replace(/^[^a-zA-Z0-9]+/, '')
    .slice(0, 40)
    .toLowerCase();
  return cleaned || 'project';
}
