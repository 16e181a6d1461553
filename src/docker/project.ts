// A project as dsync sees it: its folder, its id, and the names and labels of
// the Docker resources that belong to it.
import type { HostPlatform } from '../base/platform.js';
import { LABEL_HOST, LABEL_ROLE, LABEL_ROOT, LABEL_USER, nameFragment, projectId, projectLabels, type Owner } from './labels.js';

export interface Project {
  root: string;
  id: string;
  owner: Owner;
  /** Labels shared by everything this project owns. */
  labels: Record<string, string>;
  containerName: string;
  workspaceVolume: string;
  /** Where the workspace volume is mounted in the container. */
  volumeRoot: string;
  /** The folder the container mirrors (the project folder, or in a monorepo a folder above it holding its shared code). */
  syncRoot: string;
  /** The mirror of syncRoot inside the container. */
  mirror: string;
  /** The project folder inside the container: where SAM and `dsync exec` run. */
  workspace: string;
}

export const VOLUME_ROOT = '/dsync';

/**
 * `layout`: in a monorepo, the folder mirrored and the project folder's path
 * inside it (see ProjectLayout); the project's identity stays its own folder.
 */
export function describeProject(root: string, platform: HostPlatform, owner: Owner, layout?: { syncRoot: string; projectDir: string }): Project {
  const id = projectId(root, platform, owner);
  const fragment = nameFragment(root, platform);
  const mirror = `${VOLUME_ROOT}/workspace`;
  return {
    root,
    id,
    owner,
    labels: projectLabels(id),
    containerName: `dsync-${fragment}-${id}`,
    workspaceVolume: `dsync-${id}-workspace`,
    volumeRoot: VOLUME_ROOT,
    syncRoot: layout?.syncRoot ?? root,
    mirror,
    workspace: layout?.projectDir ? `${mirror}/${layout.projectDir}` : mirror,
  };
}

/** The labels that say whose a resource is: this project, this folder, this user on this machine. */
export function ownerLabels(project: Project): Record<string, string> {
  return { ...project.labels, [LABEL_ROOT]: project.root, [LABEL_HOST]: project.owner.hostname.toLowerCase(), [LABEL_USER]: project.owner.user };
}

export function containerLabels(project: Project): Record<string, string> {
  return { ...ownerLabels(project), [LABEL_ROLE]: 'workspace' };
}

export function volumeLabels(project: Project, role: string): Record<string, string> {
  return { ...ownerLabels(project), [LABEL_ROLE]: role };
}

/**
 * Whether a resource's labels say it is exactly this project's. Anything else
 * (another machine's, another user's, one made by hand with our name) is
 * never reused and never removed.
 */
export function ownedBy(labels: Record<string, string> | undefined, project: Project): boolean {
  if (!labels) return false;
  return Object.entries(ownerLabels(project)).every(([key, value]) => labels[key] === value);
}
