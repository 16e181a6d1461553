// What `dsync status` adds for a SAM project: the emulator's URL on host
// loopback, and the current (or last) `up` run's changes with p50/p95.
import type { ContainerClient } from '../docker/container-client.js';
import { EMULATOR_PORT } from '../sam/target.js';
import { CHANGES_FILE, type ChangesSummary } from './change-log.js';
import { readServedApis, type ServedApi } from '../emulator/apis.js';
import { readEmulatorGaps, standInsOf } from '../emulator/gaps.js';
import { readTriggers, type ListedTrigger } from '../emulator/triggers.js';
import { readDebugPorts, type ListedDebugPort } from '../emulator/debug.js';
import { describeHolder, type LeaseRead, type LeaseRecord } from '../stack/lease.js';
import type { SamTarget } from '../sam/commands.js';
import { probeImage } from '../images/probe.js';
import { loadTarget } from '../sam/target-store.js';

export interface SamStatus {
  /** The embedded AWS emulator's URL on host loopback, when the container publishes it. */
  endpoint?: string;
  /** The last changes of the current (or last) `up` run and their p50/p95. */
  changes?: ChangesSummary;
  /** Emulator mode: the stack's REST and HTTP APIs, served on host loopback. */
  apis?: ServedApi[];
  /** Emulator mode: the stack's rules, schedules and event source mappings, with their last run. */
  triggers?: ListedTrigger[];
  /** Emulator mode with --debug: each debugged function's port on host loopback. */
  debug?: ListedDebugPort[];
  /** Resources the emulator could not create and stands in for (emulator mode). */
  standIns?: Array<{ logicalId: string; type: string; reason: string }>;
  /** Real AWS and --endpoint-url: the stack and who holds its lease (null: nobody; a string: why it is unknown). */
  stack?: { name: string; region: string; lease: LeaseRecord['holder'] | null | string; leaseText: string };
}

/** Reads the stack's lease record with the user's credentials (real AWS and --endpoint-url). */
export type LeaseReader = (target: SamTarget) => Promise<LeaseRead>;

export async function samStatus(client: ContainerClient, containerId: string, readLease?: LeaseReader): Promise<SamStatus> {
  const out: SamStatus = {};
  const ports = await client.publishedPorts(containerId);
  if (ports[EMULATOR_PORT]) out.endpoint = `http://127.0.0.1:${ports[EMULATOR_PORT]}`;
  const target = await loadTarget(client, containerId).catch(() => undefined);
  if (out.endpoint && target?.mode === 'emulator') {
    const probe = await probeImage(client, containerId);
    if (probe.motoPython) {
      out.standIns = standInsOf(await readEmulatorGaps(client, containerId, probe.motoPython), target.stackName);
      out.apis = await readServedApis(client, containerId, probe.motoPython, target.stackName);
      out.triggers = await readTriggers(client, containerId, probe.motoPython, target.region, target.stackName);
    }
    out.debug = await readDebugPorts(client, containerId);
  }
  if (target && target.mode !== 'emulator' && readLease) {
    const stack = { name: target.stackName, region: target.region };
    try {
      const read = await readLease(target);
      const holder = read.record?.holder;
      if (read.corrupt) out.stack = { ...stack, lease: `unreadable: ${read.corrupt}`, leaseText: `unreadable (${read.corrupt}); the next dsync up replaces it` };
      else out.stack = { ...stack, lease: holder ?? null, leaseText: holder ? `held by ${describeHolder(holder, Date.now())}` : 'free (no dsync up on it)' };
    } catch (error) {
      const why = `unknown: ${(error as Error).message.split('\n')[0]}`;
      out.stack = { ...stack, lease: why, leaseText: why };
    }
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
