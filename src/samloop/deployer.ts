// The SAM half of the pipeline: after each synced batch, route the changed
// paths through the template and run the matching SAM work in the container,
// one command at a time. Batches that arrive while SAM runs are folded into
// the next run, so there is never a queue of stale builds and no edit is
// lost. A failure is reported with SAM's cause and the loop goes on; the
// next save retries.
import { isDsyncError } from '../base/errors.js';
import type { Clock } from '../base/clock.js';
import type { Reporter } from '../base/reporter.js';
import { routeChanges } from '../sam/routing.js';
import type { SamRunner } from '../sam/runner.js';
import { loadTemplateModel, type TemplateModel } from '../sam/template.js';
import { DeploySteps } from './deploy-steps.js';
import type { EmulatorGap } from '../emulator/gaps.js';
import { liveMessage, type ChangeReport, type DeployReport, type Stages } from './live-report.js';
import type { BatchTiming } from '../session/sync-report.js';

export { liveMessage, type ChangeReport, type DeployReport, type Stages } from './live-report.js';

export interface DeployerOptions {
  runner: SamRunner;
  reporter: Reporter;
  clock: Clock;
  /** Read the template from the host (the source of truth); undefined when it does not exist. */
  readTemplate(): Promise<string | undefined>;
  /** Project path of the template. */
  templatePath: string;
  /** More project paths whose change means a full deploy (samconfig). */
  infraFiles: readonly string[];
  /** Python that runs `sam`, for dsync's emulator deploy helper (emulator mode only). */
  samPython?: string;
  /** Release what the runner holds (the SAM worker). */
  onClose?(): void;
  /**
   * Resolves when the sync side has applied everything it has seen. A burst
   * (branch switch, npm install, a generator) arrives as several batches;
   * waiting for them before building costs one build per resource, not one
   * per batch. A single edit finds the sync side already idle.
   */
  settled?(): Promise<void>;
  /** Called after each batch is reported, with the run's changes so far (to persist them for `dsync status`). */
  onChange?(changes: readonly ChangeReport[]): void;
  /** Whether a project path exists on the host (to name a missing CodeUri before SAM runs). */
  exists(projectPath: string): Promise<boolean>;
  /** Whether dsync syncs a project path (a path outside the project only when this run's layout includes it). */
  synced?(projectPath: string): boolean;
  /** Emulator mode: what the emulator recorded it could not do. */
  emulatorGaps?(): Promise<EmulatorGap[]>;
}

interface PendingBatch {
  seq: number;
  paths: number;
  timing: BatchTiming;
}

/** The longest a run waits for the sync side to go idle before it builds anyway. */
const SETTLE_CAP_MS = 2000;
/** From this many changed paths in one run, wait out the burst: a pause of BURST_PAUSE_MS without new paths, at most BURST_CAP_MS. */
const BURST_PATHS = 25;
const BURST_PAUSE_MS = 250;
const BURST_CAP_MS = 5000;

export class Deployer {
  private model: TemplateModel | undefined;
  private templateError: string | undefined;
  private pending = new Set<string>();
  private pendingSeq = 0;
  /** Batches not yet reported live, oldest first. */
  private pendingBatches: PendingBatch[] = [];
  private infraRequested = false;
  /** The last infrastructure deploy failed: the stack is behind the template until one succeeds. */
  private infraBehind = false;
  private running: Promise<void> | undefined;
  /** The batches of the run in flight, for the error path. */
  private batches: PendingBatch[] = [];
  private closed = false;
  /** One entry per batch, in order: when it went live (or why not). */
  readonly changes: ChangeReport[] = [];

  private readonly steps: DeploySteps;

  constructor(private readonly options: DeployerOptions) {
    this.steps = new DeploySteps(options);
  }

  /** Deploy the whole stack (first deploy of `up`). */
  requestInfra(seq: number): void {
    this.infraRequested = true;
    this.pendingSeq = Math.max(this.pendingSeq, seq);
    const now = this.options.clock.now();
    this.pendingBatches.push({ seq, paths: 0, timing: { firstEventAt: now, transferStartedAt: now, syncedAt: now } });
    this.kick();
  }

  /** Deploy the whole stack again without a batch of its own (the container, and the emulator's stack with it, was recreated). */
  redeploy(): void {
    this.infraRequested = true;
    this.kick();
  }

  /**
   * Paths that reached the container in batch `seq`. Every batch is passed,
   * even one with no paths, so each is reported live exactly once, in order.
   */
  notify(paths: Iterable<string>, seq: number, timing?: BatchTiming): void {
    let count = 0;
    for (const p of paths) {
      this.pending.add(p);
      count++;
    }
    const now = this.options.clock.now();
    this.pendingBatches.push({ seq, paths: count, timing: timing ?? { firstEventAt: now, transferStartedAt: now, syncedAt: now } });
    this.pendingSeq = Math.max(this.pendingSeq, seq);
    this.kick();
  }

  /** Resolves once nothing is pending or running. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
    this.options.onClose?.();
  }

  private kick(): void {
    if (this.running || this.closed) return;
    this.running = this.drain()
      .catch((error) => this.fail(this.pendingSeq, 'infra', [], error))
      .finally(() => {
        this.running = undefined;
        if ((this.pending.size > 0 || this.infraRequested || this.pendingBatches.length > 0) && !this.closed) this.kick();
      });
  }

  private async drain(): Promise<void> {
    while (!this.closed && (this.pending.size > 0 || this.infraRequested || this.pendingBatches.length > 0)) {
      if (this.options.settled) {
        await this.settle(this.options.settled);
        if (this.pending.size >= BURST_PATHS) await this.waitOutBurst(this.options.settled);
      }
      const paths = [...this.pending];
      const seq = this.pendingSeq;
      const batches = this.pendingBatches;
      this.pendingBatches = [];
      this.pending.clear();
      this.batches = batches;
      const infra = this.infraRequested;
      this.infraRequested = false;
      const outcome = await this.runFor(paths, seq, infra);
      this.reportLive(batches, outcome);
    }
  }

  /** Wait for the sync side to go idle, at most SETTLE_CAP_MS (and leave no timer behind). */
  private async settle(settled: () => Promise<void>): Promise<void> {
    let timer: { cancel(): void } | undefined;
    const cap = new Promise<void>((resolve) => (timer = this.options.clock.setTimeout(resolve, SETTLE_CAP_MS)));
    try {
      await Promise.race([settled(), cap]);
    } finally {
      timer?.cancel();
    }
  }

  /**
   * Many paths at once look like a burst (branch switch, npm install, a
   * generator), whose file events can keep arriving in waves for a while.
   * Wait until a short pause brings no new paths, so it costs one build per
   * resource. A one-file edit never gets here.
   */
  private async waitOutBurst(settled: () => Promise<void>): Promise<void> {
    const { clock } = this.options;
    const deadline = clock.now() + BURST_CAP_MS;
    let seen = this.pending.size;
    while (clock.now() < deadline) {
      await clock.sleep(BURST_PAUSE_MS);
      await this.settle(settled);
      if (this.pending.size === seen) return;
      seen = this.pending.size;
    }
  }

  /** Decide and run the SAM work for one folded set of batches; undefined when nothing had to run. */
  private async runFor(paths: string[], seq: number, infraAsked: boolean): Promise<DeployReport | undefined> {
    let infra = infraAsked;
    if (!this.model || paths.includes(this.options.templatePath)) {
      const loaded = await this.loadTemplate();
      if (loaded && paths.includes(this.options.templatePath)) infra = true;
      if (!loaded) {
        // Keep routing code changes with the last good model; infrastructure waits for a template that parses.
        if (infra) this.infraBehind = true;
        if (!this.model) return { seq, kind: 'infra', resources: [], ok: false, ms: 0, cause: this.templateError };
        infra = false;
      }
    }
    const model = this.model!;
    const route = routeChanges(paths, model, this.options.infraFiles);
    // A save that broke the template, with no code beside it: that change is not live (not "✔ no resource affected").
    if (this.templateError && paths.includes(this.options.templatePath) && route.resources.length === 0) {
      return { seq, kind: 'infra', resources: [], ok: false, ms: 0, cause: this.templateError };
    }
    if (route.infra && !this.templateError) infra = true;
    // A new folder may be the fix for a missing CodeUri: retry the stack then.
    if (!infra && route.resources.length === 0 && !(this.infraBehind && route.unowned.length > 0)) return undefined;
    if (!infra && this.infraBehind && !this.templateError) infra = true;
    if (!infra) return this.steps.syncCode(seq, route.resources, route.dependencyChanges, { paths, model });
    // A file the stack reads (a DefinitionUri of a state machine or an API, a nested application's template) changed:
    // SAM must deploy even though the template's own text did not.
    const deployEvenIfUnchanged = paths.some((p) => model.infraFiles.includes(p));
    const report = await this.steps.deployInfra(seq, model, { deployEvenIfUnchanged });
    this.infraBehind = !report.ok;
    return report;
  }

  /** The barrier: say, for every batch in order, whether and when it is live and where the time went. */
  private reportLive(batches: PendingBatch[], deploy: DeployReport | undefined): void {
    const { clock, reporter } = this.options;
    const now = clock.now();
    if (deploy) reporter.done();
    for (const b of batches) {
      const t = b.timing;
      const stages: Stages = {
        detectMs: Math.round(t.transferStartedAt - t.firstEventAt),
        syncMs: Math.round(t.syncedAt - t.transferStartedAt),
      };
      const m = deploy?.marks;
      if (m) {
        stages.queueMs = Math.max(0, Math.round(m.startedAt - t.syncedAt));
        const built = m.builtAt ?? m.syncingAt ?? m.endedAt;
        stages.buildMs = Math.round(built - m.startedAt);
        stages.updateMs = Math.round((m.finishedAt ?? m.endedAt) - built);
        stages.readyMs = Math.round(m.endedAt - (m.finishedAt ?? m.endedAt));
      }
      const change: ChangeReport = {
        seq: b.seq,
        resources: deploy?.resources ?? [],
        kind: deploy?.kind ?? 'none',
        ok: deploy?.ok ?? true,
        latencyMs: Math.round(now - t.firstEventAt),
        stages,
        cause: deploy?.cause,
      };
      this.changes.push(change);
      if (this.changes.length > 200) this.changes.shift();
      reporter.event({
        type: 'live',
        ...change,
        level: change.ok ? 'info' : 'error',
        message: b.paths > 0 || deploy ? liveMessage(change, this.options.runner.target.stackName) : undefined,
      });
      this.options.onChange?.(this.changes);
    }
  }

  private async loadTemplate(): Promise<boolean> {
    const file = this.options.templatePath;
    let text: string | undefined;
    try {
      text = await this.options.readTemplate();
    } catch (error) {
      return this.templateFailed(`could not read ${file}: ${(error as Error).message}`, 'check the file permissions');
    }
    if (text === undefined) return this.templateFailed(`${file} does not exist`, 'create it, or pass --template PATH');
    try {
      this.model = loadTemplateModel(text, file);
      if (this.templateError) this.options.reporter.event({ type: 'template-ok', message: `${file} parses again` });
      this.templateError = undefined;
      return true;
    } catch (error) {
      if (!isDsyncError(error, 'TEMPLATE')) throw error;
      return this.templateFailed(error.message, error.hint);
    }
  }

  private templateFailed(message: string, hint?: string): false {
    this.templateError = message;
    this.options.reporter.event({ type: 'error', level: 'error', stage: 'template', message: `${message}${hint ? ` (${hint})` : ''}` });
    return false;
  }

  private fail(seq: number, kind: 'infra' | 'code', resources: string[], error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (kind === 'infra') this.infraBehind = true;
    this.reportLive(this.batches, this.steps.finish({ seq, kind, resources, ok: false, ms: 0, cause: message }));
    this.batches = [];
  }
}
