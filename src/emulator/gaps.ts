// What the emulator could not do, from its own record (GET /_dsync/gaps on
// dsync's emulator, docker/emulator/dsync_emulator/gaps.py): a resource that is not
// code and that moto cannot create gets a stand-in (said once, as a warning:
// the rest deployed), and a failure on code (functions, layers, state
// machines, APIs) becomes the deploy's cause, named as the emulator's gap
// rather than the user's template.
import type { ContainerClient } from '../docker/container-client.js';
import { readEmulatorRoute } from './route.js';

export interface EmulatorGap {
  stack: string | null;
  logicalId: string;
  type: string;
  /** inert: a trigger that deployed but that the emulator does not run (said once, like a stand-in). */
  kind: 'unsupported' | 'failed' | 'inert';
  error: string;
  where: string;
  standIn: boolean;
  time: number;
}

/** The gaps the emulator in the container has recorded so far; empty when it cannot be asked. */
export async function readEmulatorGaps(client: ContainerClient, containerId: string, python: string): Promise<EmulatorGap[]> {
  return (await readEmulatorRoute<EmulatorGap[]>(client, containerId, python, '/_dsync/gaps')) ?? [];
}

/** One line for a gap. */
export function describeGap(gap: EmulatorGap): string {
  const what = `${gap.logicalId} (${gap.type})`;
  if (gap.kind === 'inert') return `${what} deployed, but the emulator does not run this trigger: ${gap.error}`;
  if (gap.kind === 'unsupported') return `${what}: moto has no support for this type; a stand-in keeps references to it working`;
  return gap.standIn
    ? `${what}: moto failed with ${gap.error} (${gap.where}); a stand-in keeps references to it working`
    : `the emulator (moto) could not deploy ${what}: ${gap.error} (${gap.where}). This is a gap of the emulator, not a fault in your template`;
}

/** Remembers which gaps were said, so each is said once per run. */
export class GapLog {
  private readonly said = new Set<string>();
  /** How many gaps the emulator had recorded when last asked: its list only grows (until it restarts). */
  private seen = 0;

  /** Gaps of `stack` not said before, stand-ins and failures apart; failures only among those recorded since the last call. */
  take(gaps: readonly EmulatorGap[], stack: string): { standIns: EmulatorGap[]; failures: EmulatorGap[] } {
    const standIns: EmulatorGap[] = [];
    const failures: EmulatorGap[] = [];
    const fresh = gaps.length < this.seen ? 0 : this.seen;
    this.seen = gaps.length;
    for (const [i, gap] of gaps.entries()) {
      if (gap.stack !== stack) continue;
      if (!gap.standIn) {
        if (i >= fresh) failures.push(gap);
        continue;
      }
      const key = `${gap.logicalId}\0${gap.type}\0${gap.error}`;
      if (this.said.has(key)) continue;
      this.said.add(key);
      standIns.push(gap);
    }
    return { standIns, failures };
  }
}

/** The stand-ins of a stack (latest per resource), for `status`. */
export function standInsOf(gaps: readonly EmulatorGap[], stack: string): Array<{ logicalId: string; type: string; reason: string }> {
  const latest = new Map<string, EmulatorGap>();
  for (const gap of gaps) if (gap.stack === stack && gap.standIn && gap.kind !== 'inert') latest.set(gap.logicalId, gap);
  return [...latest.values()].map((g) => ({ logicalId: g.logicalId, type: g.type, reason: g.error }));
}
