// Every container and volume dsync makes carries these labels; dsync finds
// its resources by label, never by guessing names.
import { createHash } from 'node:crypto';
import type { HostPlatform } from '../sync/platform.js';

export const LABEL_TOOL = 'dev.dsync.tool';
export const LABEL_PROJECT = 'dev.dsync.project';
export const LABEL_ROOT = 'dev.dsync.root';
export const LABEL_ROLE = 'dev.dsync.role';
/** The container's ports and cache volumes, to recreate it when they change. */
export const LABEL_SPEC = 'dev.dsync.spec';

/**
 * A stable id for a project folder. Windows paths are compared without
 * regard to case or slash direction, as the file system does.
 */
export function projectId(root: string, platform: HostPlatform): string {
  let canonical = platform.path.resolve(root);
  if (platform.name === 'win32') canonical = canonical.replace(/\//g, '\\').toLowerCase();
  canonical = canonical.replace(/[\\/]+$/, '') || canonical;
  return createHash('sha256').update(canonical).digest('hex').slice(0, 12);
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
