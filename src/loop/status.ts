// What `dsync status` adds for a SAM project: the emulator's URL on host
// loopback, and the current (or last) `up` run's changes with p50/p95.
import type { ContainerClient } from '../docker/container-client.js';
import { EMULATOR_PORT } from '../sam/target.js';
import { CHANGES_FILE, type ChangesSummary } from './change-log.js';
import { readEmulatorGaps, standInsOf } from './emulator-gaps.js';
import { loadTarget } from './function-logs.js';
import { probeImage } from './setup.js';

export interface SamStatus {
  /** The embedded AWS emulator's URL on host loopback, when the container publishes it. */
  endpoint?: string;
  /** The last changes of the current (or last) `up` run and their p50/p95. */
  changes?: ChangesSummary;
  /** Resources the emulator could not create and stands in for (emulator mode). */
  standIns?: Array<{ logicalId: string; type: string; reason: string }>;
}

export async function samStatus(client: ContainerClient, containerId: string): Promise<SamStatus> {
  const out: SamStatus = {};
  const ports = await client.publishedPorts(containerId);
  if (ports[EMULATOR_PORT]) out.endpoint = `http://127.0.0.1:${ports[EMULATOR_PORT]}`;
  const target = await loadTarget(client, containerId).catch(() => undefined);
  if (out.endpoint && target?.mode === 'emulator') {
    const probe = await probeImage(client, containerId);
    if (probe.motoPython) out.standIns = standInsOf(await readEmulatorGaps(client, containerId, probe.motoPython), target.stackName);
  }
  const log = await client.exec(containerId, { cmd: ['cat', CHANGES_FILE] });
  if (log.exitCode === 0) {
    try {
      out.changes = JSON.parse(log.stdout) as ChangesSummary;
    } catch {
      // A half-written file: leave it out.
    }
  }
  return out;
}
