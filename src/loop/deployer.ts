// The SAM half of the pipeline: after each synced batch, route the changed
// paths through the template and run the matching SAM work in the container,
// one command at a time. Batches that arrive while SAM runs are folded into
// the next run, so there is never a queue of stale builds and no edit is
// lost. A failure is reported with SAM's cause and the loop goes on; the
// next save retries.
import { isDsyncError } from '../base/errors.js';
import type { Clock } from '../base/clock.js';
import type { Reporter } from '../base/reporter.js';
import { buildArgv, emulatorDeployArgv, packageArgv, syncCodeArgv, syncInfraArgv, PACKAGED_TEMPLATE } from '../sam/commands.js';
import { routeChanges } from '../sam/routing.js';
import type { SamRunner, StepMarks, StepResult } from '../sam/runner.js';
import type { BatchTiming } from '../session/live-sync.js';
import { loadTemplateModel, type TemplateModel } from '../sam/template.js';

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
}

export interface DeployReport {
  seq: number;
  kind: 'infra' | 'code';
  resources: string[];
  ok: boolean;
  ms: number;
  cause?: string;
  marks?: StepMarks;
}

/** Where a change's time went, in ms: detect (quiet period), sync (transfer), queue (waiting for a running SAM step), build, update (code upload and update), ready (waiting for the function to be ready and SAM to finish). */
export interface Stages {
  detectMs: number;
  syncMs: number;
  queueMs?: number;
  buildMs?: number;
  updateMs?: number;
  readyMs?: number;
}

/** One batch's outcome: live (ok), failed (with cause), or nothing to deploy (kind 'none'). */
export interface ChangeReport {
  seq: number;
  kind: 'infra' | 'code' | 'none';
  resources: string[];
  ok: boolean;
  /** First event to live, ms. */
  latencyMs: number;
  stages: Stages;
  cause?: string;
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

const fmt = (ms: number | undefined) => (ms === undefined ? '?' : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);

/** "✔ #12 HelloFunction live in 1.3 s (sync 40 ms · build 0.8 s · update 0.4 s)" */
export function liveMessage(c: ChangeReport, stackName: string): string {
  const what = c.kind === 'infra' ? `stack ${stackName}` : c.resources.length > 0 ? c.resources.join(', ') : 'files';
  const s = c.stages;
  if (!c.ok) return `✖ #${c.seq} ${what} not live: ${c.cause ?? 'failed'}`;
  if (c.kind === 'none') return `✔ #${c.seq} synced in ${fmt(s.syncMs)} (no resource affected)`;
  const parts = [`sync ${fmt(s.syncMs)}`];
  if (s.queueMs) parts.push(`queued ${fmt(s.queueMs)}`);
  parts.push(`build ${fmt(s.buildMs)}`, `update ${fmt(s.updateMs)}`);
  if (s.readyMs && s.readyMs >= 50) parts.push(`ready ${fmt(s.readyMs)}`);
  return `✔ #${c.seq} ${what} live in ${fmt(c.latencyMs)} (${parts.join(' · ')})`;
}

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

  constructor(private readonly options: DeployerOptions) {}

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
    if (route.infra && !this.templateError) infra = true;
    // A new folder may be the fix for a missing CodeUri: retry the stack then.
    if (!infra && route.resources.length === 0 && !(this.infraBehind && route.unowned.length > 0)) return undefined;
    if (!infra && this.infraBehind && !this.templateError) infra = true;
    const emulator = this.options.runner.target.mode === 'emulator';
    // moto's stacks give layer versions no physical id, so `sam sync --code` cannot find them there.
    if (!infra && emulator && route.resources.some((id) => model.resources.get(id)?.kind === 'layer')) infra = true;
    return infra ? this.deployInfra(seq, model) : this.syncCode(seq, route.resources, route.dependencyChanges);
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
      reporter.event({ type: 'live', ...change, level: change.ok ? 'info' : 'error', message: b.paths > 0 || deploy ? liveMessage(change, this.options.runner.target.stackName) : undefined });
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

  /** A resource whose local code folder is missing, named the way the template says it. */
  private async missingCode(model: TemplateModel): Promise<string | undefined> {
    for (const r of model.resources.values()) {
      if (r.kind !== 'function' && r.kind !== 'layer') continue;
      for (const p of r.codePaths) {
        if (!(await this.options.exists(p))) return `${r.id}: its ${r.kind === 'layer' ? 'ContentUri' : 'CodeUri'} ${p || '.'} does not exist in the project`;
      }
    }
    return undefined;
  }

  private async deployInfra(seq: number, model: TemplateModel): Promise<DeployReport> {
    const { runner, reporter, clock } = this.options;
    const started = clock.now();
    const ids = [...model.resources.values()].filter((r) => r.kind !== 'other').map((r) => r.id);
    reporter.event({ type: 'deploy-started', seq, kind: 'infra', resources: ids });
    reporter.progress(`#${seq} deploying the stack ${runner.target.stackName} (${ids.length} resources)`);
    const missing = await this.missingCode(model);
    if (missing) {
      this.infraBehind = true;
      return this.finish({ seq, kind: 'infra', resources: ids, ok: false, ms: Math.round(clock.now() - started), cause: missing });
    }
    reporter.event({ type: 'build-started', seq, resources: ids });
    let result: StepResult;
    let builtAt: number | undefined;
    if (runner.target.mode === 'emulator') {
      result = await runner.step('build', buildArgv(runner.target));
      builtAt = result.marks.endedAt;
      reporter.event({ type: 'build-finished', seq, resources: ids, ok: result.ok, ms: result.ms });
      if (result.ok) result = await runner.step('package', packageArgv(runner.target, PACKAGED_TEMPLATE));
      if (result.ok) result = await runner.step('deploy', emulatorDeployArgv(runner.target, this.options.samPython ?? 'python3'));
      if (result.ok || result.lines.some((l) => l.startsWith('DSYNC_RESULT '))) result = withDeployResult(result);
    } else {
      result = await runner.step('sync', syncInfraArgv(runner.target));
      reporter.event({ type: 'build-finished', seq, resources: ids, ok: result.ok, ms: result.ms });
    }
    this.infraBehind = !result.ok;
    const marks = builtAt === undefined ? { ...result.marks, startedAt: started } : { startedAt: started, builtAt, finishedAt: result.marks.endedAt, endedAt: result.marks.endedAt };
    return this.finish({ seq, kind: 'infra', resources: ids, ok: result.ok, ms: Math.round(clock.now() - started), cause: result.cause, marks });
  }

  private async syncCode(seq: number, resources: string[], dependencyChanges: string[]): Promise<DeployReport> {
    const { runner, reporter, clock } = this.options;
    const started = clock.now();
    const deps = dependencyChanges.length > 0 ? ` (dependencies changed: ${dependencyChanges.join(', ')})` : '';
    reporter.event({ type: 'deploy-started', seq, kind: 'code', resources });
    reporter.progress(`#${seq} building and updating ${resources.join(', ')}${deps}`);
    reporter.event({ type: 'build-started', seq, resources });
    const result = await runner.step('sync', syncCodeArgv(runner.target, resources), { fast: true });
    reporter.event({ type: 'build-finished', seq, resources, ok: result.ok, ms: result.ms });
    return this.finish({ seq, kind: 'code', resources, ok: result.ok, ms: Math.round(clock.now() - started), cause: result.cause, marks: result.marks });
  }

  private finish(report: DeployReport): DeployReport {
    const what = report.kind === 'infra' ? `stack ${this.options.runner.target.stackName}` : report.resources.join(', ');
    const secs = (report.ms / 1000).toFixed(1);
    this.options.reporter.event({
      type: 'deploy-result',
      level: report.ok ? 'info' : 'error',
      ...report,
      marks: undefined,
      message: report.ok ? undefined : `#${report.seq} ${what} failed after ${secs} s: ${report.cause} (fix it and save; dsync retries on the next change)`,
    });
    return report;
  }

  private fail(seq: number, kind: 'infra' | 'code', resources: string[], error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (kind === 'infra') this.infraBehind = true;
    this.reportLive(this.batches, this.finish({ seq, kind, resources, ok: false, ms: 0, cause: message }));
    this.batches = [];
  }
}

/** Use the helper's DSYNC_RESULT line as the outcome of an emulator deploy. */
function withDeployResult(result: StepResult): StepResult {
  const line = [...result.lines].reverse().find((l) => l.startsWith('DSYNC_RESULT '));
  if (!line) return { ...result, ok: false, cause: result.cause ?? 'the emulator deploy printed no result' };
  try {
    const parsed = JSON.parse(line.slice('DSYNC_RESULT '.length)) as { ok: boolean; message?: string };
    return parsed.ok ? { ...result, ok: true, cause: undefined } : { ...result, ok: false, cause: parsed.message ?? 'the emulator refused the stack' };
  } catch {
    return { ...result, ok: false, cause: 'the emulator deploy printed an unreadable result' };
  }
}
