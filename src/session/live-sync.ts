// The live loop: watcher -> batcher -> syncer, and what happens when a batch
// fails. A failed batch never ends the loop: unreadable files are retried with
// backoff, a vanished container is recreated, a lost engine is waited for,
// and every recovery ends in a full manifest diff so no edit is lost.
import type { Clock, Timer } from '../base/clock.js';
import { BurstCheck, missedPaths } from './burst-check.js';
import { ReadRetries } from './read-retries.js';
import { DsyncError, isDsyncError } from '../base/errors.js';
import type { Reporter } from '../base/reporter.js';
import type { Syncer } from './syncer.js';
import { Batcher, type Batch } from '../watch/batcher.js';
import { isIgnoreFile } from '../sync/ignore-rules.js';
import type { Watcher, WatcherFactory } from '../watch/watcher.js';
import { toProjectPath } from '../base/paths.js';
import type { SyncPlan } from '../sync/diff.js';
import type { PathFlavour } from '../base/platform.js';
import { describeOutcome, type BatchTiming, type SyncReport } from './sync-report.js';
import { entryDifference, type Manifest } from '../sync/manifest.js';

export interface LiveSyncOptions {
  root: string;
  flavour: PathFlavour;
  clock: Clock;
  reporter: Reporter;
  watcherFactory: WatcherFactory;
  quietMs: number;
  maxWaitMs: number;
  fullSyncThreshold: number;
  /** Make sure a running container exists; returns its id. */
  ensureContainer(): Promise<string>;
  /** Resolves when the engine answers. */
  ping(): Promise<void>;
  /** Sequence number to start after (the initial sync used 0). */
  firstSeq?: number;
  /** Called with the project paths a batch really sent or removed, once they are in the container. */
  onApplied?(paths: string[], seq: number, timing: BatchTiming): void;
}

const BATCH_RETRIES = 3;
/** The record is written back once batches stop for this long: a quiet loop keeps it current, a busy one is not slowed. */
const RECORD_WRITE_QUIET_MS = 2000;
export class LiveSync {
  private watcher: Watcher | undefined;
  private readonly batcher: Batcher;
  private readonly readRetries: ReadRetries;
  private batchFailures = 0;
  private closed = false;
  private seqOffset: number;
  private early: Set<string> | undefined = new Set();
  private readonly burstCheck: BurstCheck;
  private recordTimer: Timer | undefined;
  /** The last few batches, newest last, for `status`. */
  readonly history: SyncReport[] = [];

  constructor(
    private readonly syncer: Syncer,
    private readonly options: LiveSyncOptions,
  ) {
    this.seqOffset = options.firstSeq ?? 0;
    this.burstCheck = new BurstCheck(options.clock, () => this.batcher.requestFull());
    this.readRetries = new ReadRetries(options.clock, options.reporter, (path) => this.batcher.push({ path, kind: 'change' }));
    this.batcher = new Batcher({
      clock: options.clock,
      quietMs: options.quietMs,
      maxWaitMs: options.maxWaitMs,
      fullSyncThreshold: options.fullSyncThreshold,
      apply: (batch) => this.applyBatch(batch),
      // The last guard: whatever escapes a batch (a bug included) is reported
      // as that batch's failure and answered with a full resync, never a crash.
      onError: (error, batch) => {
        this.report(error, batch);
        this.resyncSoon();
      },
    });
  }

  /**
   * Start watching, holding batches until release(). Call it before the
   * initial sync: an edit made while that sync runs is then applied right
   * after it, instead of falling between the diff and the watcher.
   */
  async start(): Promise<void> {
    this.batcher.hold();
    await this.startWatcher();
  }

  /**
   * Let batches flow. Events seen before the watcher was ready are kept only
   * if the path no longer matches `snapshot`, the host manifest the initial
   * sync sent: chokidar's start-up scan reports symlinks as new, and those
   * must not turn into a transfer.
   */
  async release(snapshot: Manifest | undefined): Promise<void> {
    const early = this.early;
    this.early = undefined;
    for (const p of early ?? []) {
      const now = await this.syncer.describe(p).catch(() => undefined);
      const before = snapshot?.get(p);
      const same = now?.kind === 'entry' && before !== undefined && entryDifference(now.entry, before) === undefined && now.entry.mtime === before.mtime;
      if (!same) this.batcher.push({ path: p, kind: 'change' });
    }
    this.batcher.release();
  }

  /** Resolves when every event seen so far has been applied. */
  idle(): Promise<void> {
    return this.batcher.idle();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.burstCheck.cancel();
    this.recordTimer?.cancel();
    await this.watcher?.close();
    this.watcher = undefined;
    await this.batcher.close();
    // Best effort: a record that missed the last batches only makes the next start save copies it need not.
    await this.syncer.flushRecord().catch(() => undefined);
    this.syncer.close();
  }

  private async startWatcher(): Promise<void> {
    const { root, flavour } = this.options;
    let ready = false;
    this.watcher = this.options.watcherFactory({
      root,
      ignored: (absolute, isDir) => {
        const p = toProjectPath(root, absolute, flavour);
        return p !== undefined && this.syncer.ignoreRules.isIgnored(p, isDir ?? false);
      },
      onEvent: (event) => {
        if (!ready && this.early) this.early.add(event.path);
        else this.batcher.push(event);
      },
      onError: (error) => this.options.reporter.event({ type: 'watch-error', level: 'warn', message: `file watcher: ${(error as Error).message ?? error}` }),
    });
    await this.watcher.ready;
    ready = true;
  }

  private async applyBatch(batch: Batch): Promise<void> {
    if (this.closed) return;
    const seq = batch.seq + this.seqOffset;
    const started = this.options.clock.now();
    const ignoreFilesChanged = [...batch.paths].some(isIgnoreFile);
    const full = batch.full || ignoreFilesChanged;
    const verification = this.burstCheck.claim(full);
    try {
      const outcome = full ? await this.syncer.fullSync(seq, batch.paths) : await this.syncer.syncPaths(batch.paths, seq);
      this.batchFailures = 0;
      const now = this.options.clock.now();
      const entry: SyncReport = { seq, sent: outcome.sent, removed: outcome.removed, bytes: outcome.bytes, ms: Math.round(now - started), full };
      this.history.push(entry);
      if (this.history.length > 20) this.history.shift();
      const changedSomething = outcome.sent + outcome.removed > 0;
      if (changedSomething || (full && !verification)) {
        const label = verification ? 'check after a burst: ' : full ? 'full sync: ' : '';
        this.options.reporter.event({
          type: 'sync',
          ...entry,
          events: batch.events,
          latencyMs: Math.round(now - batch.firstEventAt),
          message: `#${seq} ${label}${describeOutcome(outcome)} in ${entry.ms} ms`,
        });
      }
      if (verification) this.reportMissed(outcome.plan, batch.paths);
      // Every batch is handed on, even an empty one, so each sequence number is reported exactly once.
      const changed = [...outcome.plan.send.map((e) => e.path), ...outcome.plan.remove];
      this.options.onApplied?.(changed, seq, { firstEventAt: batch.firstEventAt, transferStartedAt: started, syncedAt: now });
      this.readRetries.schedule(outcome.unreadable, batch.paths);
      // Files that vanished or changed while they were packed: the next batch looks at them as they are then.
      for (const p of outcome.recheck) this.batcher.push({ path: p, kind: 'change' });
      this.burstCheck.note(full ? 0 : batch.events, full);
      this.writeRecordWhenQuiet();
      if (ignoreFilesChanged) await this.restartWatcher();
    } catch (error) {
      try {
        await this.recover(error, batch);
      } catch (again) {
        this.report(again, batch);
        this.resyncSoon();
      }
    }
  }

  private writeRecordWhenQuiet(): void {
    this.recordTimer?.cancel();
    this.recordTimer = undefined;
    if (this.closed || !this.syncer.recordNeedsWrite) return;
    this.recordTimer = this.options.clock.setTimeout(() => {
      this.recordTimer = undefined;
      this.syncer.flushRecord().catch((error: unknown) =>
        this.options.reporter.event({
          type: 'record-write-failed',
          level: 'warn',
          message: `writing dsync's record of the container's files failed: ${(error as Error).message ?? error}`,
        }),
      );
    }, RECORD_WRITE_QUIET_MS);
  }

  /** Say what the check after a burst had to correct, if anything. */
  private reportMissed(plan: SyncPlan, named: ReadonlySet<string>): void {
    const { sent, removed } = missedPaths(plan, named);
    if (sent.length + removed.length === 0) return;
    this.options.reporter.event({
      type: 'watch-missed',
      level: 'warn',
      sent: sent.length,
      removed: removed.length,
      sentPaths: sent.slice(0, 20),
      removedPaths: removed.slice(0, 20),
      message: `the file watcher missed ${sent.length + removed.length} change(s) during a burst; the check after it corrected them`,
    });
  }

  /** A full diff a little later: after an unexpected failure, rather than hammering the same paths. */
  private resyncSoon(): void {
    if (this.closed) return;
    this.options.clock.setTimeout(() => this.batcher.requestFull(), 2000);
  }

  private async recover(error: unknown, batch: Batch): Promise<void> {
    const { reporter, clock } = this.options;
    if (isDsyncError(error, 'CONTAINER_GONE') || isDsyncError(error, 'ENGINE_UNREACHABLE')) {
      reporter.event({ type: 'sync-interrupted', level: 'warn', message: `${error.message}; recovering` });
      await this.reconnect();
      // The full diff cannot see an edit that kept size and mtime second: the batch's own paths go again with it.
      for (const p of batch.paths) this.batcher.push({ path: p, kind: 'change' });
      this.batcher.requestFull();
      return;
    }
    this.batchFailures++;
    if (this.batchFailures > BATCH_RETRIES) {
      this.batchFailures = 0;
      this.report(error, batch);
      this.resyncSoon();
      return;
    }
    // Most often a file changed while it was being packed: try the same paths again.
    clock.setTimeout(
      () => {
        for (const p of batch.paths) this.batcher.push({ path: p, kind: 'change' });
        if (batch.full) this.batcher.requestFull();
      },
      50 * 2 ** this.batchFailures,
    );
  }

  /** Wait for the engine, then make sure the container runs; the caller follows with a full diff. */
  private async reconnect(): Promise<void> {
    const { reporter, clock } = this.options;
    let delay = 250;
    let announced = false;
    while (!this.closed) {
      try {
        await this.options.ping();
        this.syncer.containerId = await this.options.ensureContainer();
        if (announced) reporter.event({ type: 'engine-back', message: 'Docker engine is back; resyncing' });
        return;
      } catch (error) {
        if (!isDsyncError(error, 'ENGINE_UNREACHABLE') && !isDsyncError(error, 'CONTAINER_GONE')) throw error;
        if (!announced) {
          reporter.event({ type: 'engine-wait', level: 'warn', message: `${error.message}; waiting for it (edits are kept)` });
          announced = true;
        }
        await clock.sleep(delay);
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  private async restartWatcher(): Promise<void> {
    await this.watcher?.close();
    if (!this.closed) await this.startWatcher();
  }

  private report(error: unknown, batch: Batch): void {
    const message = error instanceof DsyncError ? error.message : error instanceof Error ? error.message : String(error);
    this.options.reporter.event({
      type: 'sync-failed',
      level: 'error',
      seq: batch.seq + this.seqOffset,
      message: `#${batch.seq + this.seqOffset} sync failed: ${message}`,
    });
  }
}
