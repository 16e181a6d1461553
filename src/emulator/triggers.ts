// The stack's triggers as the emulator lists them (GET /_dsync/triggers/...):
// each rule, Scheduler schedule and event source mapping, what it reacts to,
// where it goes, and its last run and error, for `dsync status`.
import type { ContainerClient } from '../docker/container-client.js';
import { readEmulatorRoute } from './route.js';

export interface ListedTrigger {
  /** Its logical id (what `dsync trigger` takes). */
  id: string;
  kind: 'rule' | 'schedule' | 'mapping';
  /** rate(1 minute), "events on orders-bus", or the queue or stream it reads. */
  source: string;
  targets: string[];
  /** The targets as one text ("function:app-Worker-1X2Y"). */
  target: string;
  state: string;
  lastRunAt: string | null;
  lastError: string | null;
}

export async function readTriggers(client: ContainerClient, containerId: string, python: string, region: string, stack: string): Promise<ListedTrigger[]> {
  return (await readEmulatorRoute<ListedTrigger[]>(client, containerId, python, `/_dsync/triggers/${encodeURIComponent(region)}/${encodeURIComponent(stack)}`)) ?? [];
}

/** One line per trigger, for the terminal. */
export function describeTriggers(triggers: readonly ListedTrigger[]): string[] {
  return triggers.map((t) => {
    const runs = t.lastRunAt ? `last run ${t.lastRunAt}` : t.kind === 'mapping' ? 'runs as messages come' : 'not run yet';
    const error = t.lastError ? `, last error: ${t.lastError}` : '';
    const off = t.state === 'ENABLED' ? '' : ` (${t.state.toLowerCase()})`;
    return `${t.kind} ${t.id}${off}: ${t.source} -> ${t.targets.join(', ') || 'no targets'}; ${runs}${error}`;
  });
}
