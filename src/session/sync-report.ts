// How a sync batch is told: its timing (for the SAM loop's figures), its
// report (for status), and its one-line description.
import { formatBytes } from '../sync/describe.js';

/** When a batch's first event was seen, when its transfer started, and when it was in the container (clock ms). */
export interface BatchTiming {
  firstEventAt: number;
  transferStartedAt: number;
  syncedAt: number;
}

export interface SyncReport {
  seq: number;
  sent: number;
  removed: number;
  bytes: number;
  ms: number;
  full: boolean;
}

export function describeOutcome(o: { sent: number; removed: number; bytes: number }): string {
  const parts: string[] = [];
  if (o.sent > 0) parts.push(`sent ${o.sent} (${formatBytes(o.bytes)})`);
  if (o.removed > 0) parts.push(`removed ${o.removed}`);
  return parts.length > 0 ? parts.join(', ') : 'nothing to change';
}
