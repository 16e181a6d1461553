// Keeps the current `up` run's change history in the container
// (/dsync/state/changes.json), so `dsync status` in another terminal can show
// the last changes and their p50/p95. Written after each change, off the
// critical path, one write at a time.
import type { ContainerClient } from '../docker/container-client.js';
import type { ChangeReport } from './deployer.js';

export const CHANGES_FILE = '/dsync/state/changes.json';
const KEEP = 20;

export interface ChangesSummary {
  runStartedAt: string;
  /** Changes that deployed something and went live. */
  count: number;
  p50Ms: number | null;
  p95Ms: number | null;
  last: ChangeReport[];
}

export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function summarizeChanges(changes: readonly ChangeReport[], runStartedAt: string): ChangesSummary {
  const live = changes.filter((c) => c.ok && c.kind !== 'none').map((c) => c.latencyMs);
  return {
    runStartedAt,
    count: live.length,
    p50Ms: percentile(live, 50),
    p95Ms: percentile(live, 95),
    last: changes.filter((c) => c.kind !== 'none' || !c.ok).slice(-KEEP),
  };
}

export class ChangeLog {
  private readonly startedAt = new Date().toISOString();
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: ContainerClient,
    private readonly containerId: () => string,
  ) {}

  /** Write the summary of the run's changes so far (the deployer keeps them). */
  write(changes: readonly ChangeReport[]): void {
    const text = JSON.stringify(summarizeChanges(changes, this.startedAt));
    this.writing = this.writing
      .then(() =>
        this.client.exec(this.containerId(), {
          cmd: ['sh', '-c', `mkdir -p /dsync/state && cat > ${CHANGES_FILE}.tmp && mv ${CHANGES_FILE}.tmp ${CHANGES_FILE}`],
          input: text,
        }),
      )
      .then(
        () => undefined,
        () => undefined,
      );
  }
}
