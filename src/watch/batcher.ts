// Coalesces watch events into batches. A batch is cut after `quietMs` without
// new events (or `maxWaitMs` after its first event, so a steady stream still
// flows). Only one batch is applied at a time; events that arrive meanwhile
// fold into the next one, so nothing is queued stale and nothing is lost.
import type { Clock, Timer } from '../base/clock.js';
import type { WatchEvent } from './watcher.js';

export interface Batch {
  seq: number;
  /** Changed project paths (deduplicated). */
  paths: Set<string>;
  /** True when the batch should be a full manifest diff instead of per-path work. */
  full: boolean;
  /** Raw events folded into this batch. */
  events: number;
  /** Clock time of the first event in the batch. */
  firstEventAt: number;
}

export interface BatcherOptions {
  clock: Clock;
  quietMs: number;
  maxWaitMs: number;
  /** Above this many distinct paths a batch becomes one full diff (branch switch, npm install). */
  fullSyncThreshold: number;
  apply(batch: Batch): Promise<void>;
  /** Called when apply rejects; the batcher carries on. */
  onError(error: unknown, batch: Batch): void;
}

export class Batcher {
  private pending = new Set<string>();
  private pendingFull = false;
  private pendingEvents = 0;
  private firstAt = 0;
  private timer: Timer | undefined;
  private running: Promise<void> | undefined;
  private seq = 0;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  private held = false;

  constructor(private readonly options: BatcherOptions) {}

  push(event: WatchEvent): void {
    if (this.closed) return;
    this.add(() => this.pending.add(event.path));
  }

  /** Ask for a full manifest diff on the next batch (after a reconnect, an ignore-file change...). */
  requestFull(): void {
    if (this.closed) return;
    this.add(() => {
      this.pendingFull = true;
    });
  }

  /** Collect events but cut no batch until release() (while the initial sync runs). */
  hold(): void {
    this.held = true;
  }

  release(): void {
    this.held = false;
    this.schedule();
  }

  /** Resolves when nothing is pending and no batch is being applied. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  get lastSeq(): number {
    return this.seq;
  }

  /** Stop cutting new batches; resolves when the running one (if any) is done. */
  async close(): Promise<void> {
    this.closed = true;
    this.timer?.cancel();
    this.timer = undefined;
    await this.running;
  }

  private add(mutate: () => void): void {
    const wasEmpty = !this.hasPending();
    mutate();
    this.pendingEvents++;
    if (wasEmpty) this.firstAt = this.options.clock.now();
    this.schedule();
  }

  private hasPending(): boolean {
    return this.pending.size > 0 || this.pendingFull;
  }

  private isIdle(): boolean {
    return !this.hasPending() && this.running === undefined;
  }

  private schedule(): void {
    if (this.running || this.held || !this.hasPending() || this.closed) return;
    this.timer?.cancel();
    const waited = this.options.clock.now() - this.firstAt;
    const delay = Math.max(0, Math.min(this.options.quietMs, this.options.maxWaitMs - waited));
    this.timer = this.options.clock.setTimeout(() => this.cut(), delay);
  }

  private cut(): void {
    this.timer = undefined;
    if (this.running || this.held || !this.hasPending() || this.closed) return;
    const batch: Batch = {
      seq: ++this.seq,
      paths: this.pending,
      full: this.pendingFull || this.pending.size > this.options.fullSyncThreshold,
      events: this.pendingEvents,
      firstEventAt: this.firstAt,
    };
    this.pending = new Set();
    this.pendingFull = false;
    this.pendingEvents = 0;
    this.running = this.options
      .apply(batch)
      .catch((error: unknown) => this.options.onError(error, batch))
      .finally(() => {
        this.running = undefined;
        if (this.hasPending()) {
          // Events that arrived during the batch have already waited; go now
          // unless more are still arriving.
          this.schedule();
        } else {
          const waiters = this.idleWaiters;
          this.idleWaiters = [];
          for (const resolve of waiters) resolve();
        }
      });
  }
}
