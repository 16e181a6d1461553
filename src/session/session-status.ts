// `dsync status` as far as the session knows it: the container, the last
// sync recorded in the volume, a drift check (would a full sync change
// anything right now?) and the open conflicts (copies of files changed in the
// container that a sync replaced, still in /dsync/conflicts).
import type { ContainerClient, ContainerInfo } from '../docker/container-client.js';
import type { Project } from '../docker/project.js';
import { STATE_FILE } from '../sync/transfer.js';
import { listConflicts, type OpenConflict } from '../sync/conflict-store.js';
import type { Syncer } from './syncer.js';

export interface StatusReport {
  project: string;
  projectId: string;
  engine: string;
  container: { id: string; name: string; state: string; image: string } | null;
  workspace: string;
  /** Monorepos: the folder mirrored when it is above the project, and what of it is synced. */
  syncRoot?: { path: string; synced: string[] };
  lastSync: Record<string, unknown> | null;
  inSync: boolean | null;
  drift?: { toSend: string[]; toRemove: string[] };
  /** Saved copies still in the volume (container running only). */
  conflicts?: OpenConflict[];
}

export async function sessionStatus(input: {
  client: ContainerClient;
  project: Project;
  container: ContainerInfo | undefined;
  syncer: Syncer;
  scope?: string[];
}): Promise<StatusReport> {
  const { client, project, container, syncer } = input;
  const report: StatusReport = {
    project: project.root,
    projectId: project.id,
    engine: client.endpoint,
    container: container ? { id: container.id, name: container.name, state: container.state, image: container.image } : null,
    workspace: project.workspace,
    lastSync: null,
    inSync: null,
  };
  if (project.syncRoot !== project.root) report.syncRoot = { path: project.syncRoot, synced: input.scope ?? [] };
  if (!container || container.state !== 'running') return report;
  const state = await client.exec(container.id, { cmd: ['cat', `${project.volumeRoot}/${STATE_FILE}`] });
  if (state.exitCode === 0) {
    try {
      report.lastSync = JSON.parse(state.stdout) as Record<string, unknown>;
    } catch {
      report.lastSync = null; // half-written
    }
  }
  report.conflicts = await listConflicts(client, container.id, project.volumeRoot);
  const { plan } = await syncer.computeDiff();
  report.inSync = plan.send.length === 0 && plan.remove.length === 0;
  report.drift = { toSend: plan.send.map((e) => e.path).slice(0, 50), toRemove: plan.remove.slice(0, 50) };
  return report;
}
