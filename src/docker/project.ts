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
  /** The project's files inside the container. */
  workspace: string;
}

export const VOLUME_ROOT = '/dsync';

export function describeProject(root: string, platform: HostPlatform, owner: Owner): Project {
  const id = projectId(root, platform, owner);
  const fragment = nameFragment(root, platform);
  return {
    root,
    id,
    owner,
    labels: projectLabels(id),
    containerName: `dsync-${fragment}-${id}`,
    workspaceVolume: `dsync-${id}-workspace`,
    volumeRoot: VOLUME_ROOT,
    workspace: `${VOLUME_ROOT}/workspace`,
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
