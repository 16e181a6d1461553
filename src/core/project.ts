// A project as dsync sees it: its folder, its id, and the names and labels of
// the Docker resources that belong to it.
import type { HostPlatform } from '../sync/platform.js';
import { LABEL_ROLE, LABEL_ROOT, nameFragment, projectId, projectLabels } from '../docker/labels.js';

export interface Project {
  root: string;
  id: string;
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

export function describeProject(root: string, platform: HostPlatform): Project {
  const id = projectId(root, platform);
  const fragment = nameFragment(root, platform);
  return {
    root,
    id,
    labels: projectLabels(id),
    containerName: `dsync-${fragment}-${id}`,
    workspaceVolume: `dsync-${id}-workspace`,
    volumeRoot: VOLUME_ROOT,
    workspace: `${VOLUME_ROOT}/workspace`,
  };
}

export function containerLabels(project: Project): Record<string, string> {
  return { ...project.labels, [LABEL_ROLE]: 'workspace', [LABEL_ROOT]: project.root };
}

export function volumeLabels(project: Project, role: string): Record<string, string> {
  return { ...project.labels, [LABEL_ROLE]: role };
}
