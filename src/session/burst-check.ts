// The check after a burst. File watchers lose events in corner cases
// (chokidar with a file replaced by a folder of the same name, inotify queue
// overflows, Windows' change buffer overflowing). After a burst of
// AFTER_EVENTS or more events, once things are quiet for QUIET_MS, one full
// manifest diff checks the tree: the container converges anyway, and dsync
// says when it had to correct something.
import type { Clock, Timer } from '../base/clock.js';
import { ancestorsOf } from '../base/paths.js';
import type { SyncPlan } from '../sync/diff.js';

const AFTER_EVENTS = 50;
const QUIET_MS = 750;

export class BurstCheck {
  private events = 0;
  private timer: Timer | undefined;
  private due = false;

  /** `requestFull` asks the batcher for a full diff; that batch is the check. */
  constructor(
    private readonly clock: Clock,
    private readonly requestFull: () => void,
  ) {}

  /** At the start of a batch: is this (full) batch the check? */
  claim(full: boolean): boolean {
    const mine = full && this.due;
    this.due = false;
    return mine;
  }

  /** After a batch: count its events; a full diff is itself a check. */
  note(events: number, full: boolean): void {
    if (full) {
      this.events = 0;
      this.cancel();
      return;
    }
    this.events += events;
    if (this.events < AFTER_EVENTS) return;
    this.timer?.cancel();
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.events = 0;
      this.due = true;
      this.requestFull();
    }, QUIET_MS);
  }

  cancel(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }
}

/**
 * What the check corrected minus what the batch's own events named (a new
 * burst may have begun while the check was waiting): what the watcher missed.
 */
export function missedPaths(plan: SyncPlan, named: ReadonlySet<string>): { sent: string[]; removed: string[] } {
  const missed = (p: string) => !named.has(p) && !ancestorsOf(p).some((a) => named.has(a));
  return { sent: plan.send.map((e) => e.path).filter(missed), removed: plan.remove.filter(missed) };
}
