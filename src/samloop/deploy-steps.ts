// The SAM work for one run of the deployer: a stack deploy (`sam sync`, in
// every mode) or a code sync of some resources (`sam sync --code`, through the
// long-lived worker), each reported as it starts and ends.
import type { Clock } from '../base/clock.js';
import type { Reporter } from '../base/reporter.js';
import { dropArtifactsArgv, patchArgv, SHORTCUT_ARTIFACTS, snapshotArgv, syncCodeArgv, syncInfraArgv, verifyArgv } from '../sam/commands.js';
import { codeShortcut, shortcutBuilt } from '../sam/code-shortcut.js';
import type { SamRunner, StepMarks } from '../sam/runner.js';
import { isOutside, type TemplateModel } from '../sam/template.js';
import type { DeployReport } from './live-report.js';
import { describeGap, GapLog, type EmulatorGap } from '../emulator/gaps.js';

export interface DeployStepsOptions {
  runner: SamRunner;
  reporter: Reporter;
  clock: Clock;
  /** Python that runs `sam`, for dsync's emulator deploy helper (emulator mode only). */
  samPython?: string;
  /** Whether a project path exists on the host (to name a missing CodeUri before SAM runs). */
  exists(projectPath: string): Promise<boolean>;
  /** Whether dsync syncs a project path (a path outside the project only when this run's layout includes it). */
  synced?(projectPath: string): boolean;
  /** Emulator mode: what the emulator recorded it could not do (see emulator-gaps.ts). */
  emulatorGaps?(): Promise<EmulatorGap[]>;
}

export class DeploySteps {
  private readonly gapLog = new GapLog();

  constructor(private readonly options: DeployStepsOptions) {}

  /** A resource whose local code folder is missing, named the way the template says it. */
  async missingCode(model: TemplateModel): Promise<string | undefined> {
    for (const r of model.resources.values()) {
      if (r.kind !== 'function' && r.kind !== 'layer') continue;
      for (const p of r.codePaths) {
        if (!(await this.options.exists(p))) {
          return `${r.id}: its ${r.kind === 'layer' ? 'ContentUri' : 'CodeUri'} ${p || '.'} does not exist ${p.startsWith('../') ? 'on this machine' : 'in the project'}`;
        }
      }
    }
    return undefined;
  }

  /**
   * A path the template names that dsync does not send: shared code outside
   * the project that the template started naming after \`dsync up\` chose
   * what to mirror. SAM would only say the folder does not exist.
   */
  unsyncedReference(model: TemplateModel): string | undefined {
    const synced = this.options.synced;
    if (!synced) return undefined;
    const ref = model.references.find((r) => isOutside(r) && !synced(r.path));
    if (!ref) return undefined;
    return `${ref.resource}'s ${ref.property} ${ref.written} lies outside the folders dsync syncs for this run: stop dsync and run \`dsync up\` again, so it mirrors that folder too`;
  }

  /** What the emulator cannot deploy whatever it is given, named before SAM runs. */
  private beyondEmulator(model: TemplateModel): string | undefined {
    if (this.options.runner.target.mode !== 'emulator') return undefined;
    const app = [...model.resources.values()].find((r) => r.repositoryApplication !== undefined);
    if (!app) return undefined;
    return `${app.id} (AWS::Serverless::Application) comes from the Serverless Application Repository, which the emulator cannot reach: deploy to AWS, or use a local template as its Location`;
  }

  async deployInfra(seq: number, model: TemplateModel, options: { deployEvenIfUnchanged?: boolean } = {}): Promise<DeployReport> {
    const { runner, reporter, clock } = this.options;
    const started = clock.now();
    const ids = [...model.resources.values()].filter((r) => r.kind !== 'other').map((r) => r.id);
    reporter.event({ type: 'deploy-started', seq, kind: 'infra', resources: ids });
    reporter.progress(`#${seq} deploying the stack ${runner.target.stackName} (${ids.length} resources)`);
    const missing = this.unsyncedReference(model) ?? (await this.missingCode(model)) ?? this.beyondEmulator(model);
    if (missing) {
      return this.finish({ seq, kind: 'infra', resources: ids, ok: false, ms: Math.round(clock.now() - started), cause: missing });
    }
    reporter.event({ type: 'build-started', seq, resources: ids });
    await this.dropArtifacts([...model.resources.values()].filter(shortcutBuilt).map((r) => r.id));
    // Every mode runs SAM's own `sam sync`; the emulator applies the SAM transform as CloudFormation does.
    const result = await runner.step('sync', syncInfraArgv(runner.target, options));
    reporter.event({ type: 'build-finished', seq, resources: ids, ok: result.ok, ms: result.ms });
    const gapCause = await this.reportGaps();
    const marks = { ...result.marks, startedAt: started };
    let cause = result.ok ? undefined : (gapCause ?? result.cause);
    if (result.ok)
      cause = await this.verify(
        seq,
        [...model.resources.values()].filter((r) => r.kind === 'function' || r.kind === 'layer' || r.kind === 'state-machine').map((r) => r.id),
      );
    if (cause === undefined) await this.snapshot([...model.resources.values()].filter(shortcutBuilt).map((r) => r.id));
    return this.finish({ seq, kind: 'infra', resources: ids, ok: cause === undefined, ms: Math.round(clock.now() - started), cause, marks });
  }

  /** Say each new stand-in once; return the emulator's own failure, if that is why the deploy failed. */
  private async reportGaps(): Promise<string | undefined> {
    if (!this.options.emulatorGaps) return undefined;
    const stack = this.options.runner.target.stackName;
    const { standIns, failures } = this.gapLog.take(await this.options.emulatorGaps(), stack);
    for (const gap of standIns) {
      this.options.reporter.event({
        type: 'emulator-gap',
        level: 'warn',
        logicalId: gap.logicalId,
        resourceType: gap.type,
        error: gap.error,
        message: `emulator gap: ${describeGap(gap)}`,
      });
    }
    const failure = failures.at(-1);
    return failure ? describeGap(failure) : undefined;
  }

  async syncCode(seq: number, resources: string[], dependencyChanges: string[], change?: { paths: string[]; model: TemplateModel }): Promise<DeployReport> {
    const { runner, reporter, clock } = this.options;
    const started = clock.now();
    const deps = dependencyChanges.length > 0 ? ` (dependencies changed: ${dependencyChanges.join(', ')})` : '';
    reporter.event({ type: 'deploy-started', seq, kind: 'code', resources });
    reporter.progress(`#${seq} building and updating ${resources.join(', ')}${deps}`);
    reporter.event({ type: 'build-started', seq, resources });
    if (change) {
      const shortcut = await this.shortcut(seq, resources, change);
      if (shortcut) return shortcut;
    }
    await this.dropArtifacts(resources);
    const result = await runner.step('sync', syncCodeArgv(runner.target, resources), { fast: true });
    reporter.event({ type: 'build-finished', seq, resources, ok: result.ok, ms: result.ms });
    const cause = result.ok ? await this.verify(seq, resources) : result.cause;
    if (cause === undefined && change)
      await this.snapshot(
        resources.filter((id) => {
          const r = change.model.resources.get(id);
          return r !== undefined && shortcutBuilt(r);
        }),
      );
    return this.finish({ seq, kind: 'code', resources, ok: cause === undefined, ms: Math.round(clock.now() - started), cause, marks: result.marks });
  }

  /**
   * Emulator mode, npm- or pip-built functions, source files only: patch the last
   * artifact and update the code (docker/sam-tools/npm_patch.py), then check
   * the emulator holds it. Undefined when SAM has to do it (the reason is
   * an event); a failed check is a failed change, as after SAM.
   */
  private async shortcut(seq: number, resources: string[], change: { paths: string[]; model: TemplateModel }): Promise<DeployReport | undefined> {
    const { runner, reporter, clock, samPython } = this.options;
    if (runner.target.mode !== 'emulator' || !samPython) return undefined;
    const plan = codeShortcut(change.model, resources, change.paths, runner.target.dependencyLayer);
    if (!Array.isArray(plan)) {
      reporter.event({ type: 'shortcut-skipped', seq, why: plan.why });
      return undefined;
    }
    const started = clock.now();
    let marks: StepMarks | undefined;
    for (const step of plan) {
      const result = await runner.step('patch', patchArgv(runner.target, samPython, step.resource, step.codeDir, step.changed), { fast: true, quiet: true });
      const verdict = patchVerdict(result.lines);
      if (!result.ok || !verdict.ok) {
        reporter.event({ type: 'shortcut-skipped', seq, why: verdict.fallback ?? result.cause ?? 'the shortcut failed' });
        return undefined;
      }
      marks = { ...result.marks, startedAt: marks?.startedAt ?? result.marks.startedAt };
    }
    reporter.event({ type: 'build-finished', seq, resources, ok: true, ms: Math.round(clock.now() - started), shortcut: true });
    const cause = await this.verify(seq, resources, SHORTCUT_ARTIFACTS);
    return this.finish({ seq, kind: 'code', resources, ok: cause === undefined, ms: Math.round(clock.now() - started), cause, marks, shortcut: true });
  }

  /** Before SAM builds these, forget the shortcut's artifacts of them: only a build that worked (and was checked) leaves one. */
  private async dropArtifacts(resourceIds: string[]): Promise<void> {
    const { runner, samPython } = this.options;
    if (runner.target.mode !== 'emulator' || !samPython || runner.target.dependencyLayer || resourceIds.length === 0) return;
    await runner.step('drop', dropArtifactsArgv(samPython, resourceIds), { fast: true, quiet: true });
  }

  /** Keep the artifacts SAM just built and dsync checked, for the shortcut's next patch (emulator mode). */
  private async snapshot(resourceIds: string[]): Promise<void> {
    const { runner, samPython } = this.options;
    if (runner.target.mode !== 'emulator' || !samPython || runner.target.dependencyLayer || resourceIds.length === 0) return;
    await runner.step('snapshot', snapshotArgv(samPython, resourceIds), { fast: true, quiet: true });
  }

  /**
   * Emulator mode: "live" only once the emulator holds what was built (code
   * file by file, layer versions, state machine definitions); otherwise the
   * cause names what differs. Nothing to check elsewhere.
   */
  private async verify(seq: number, resourceIds: string[], buildDir?: string): Promise<string | undefined> {
    const { runner, reporter } = this.options;
    if (runner.target.mode !== 'emulator' || resourceIds.length === 0) return undefined;
    const result = await runner.step('verify', verifyArgv(runner.target, this.options.samPython ?? 'python3', resourceIds, buildDir), {
      fast: true,
      quiet: true,
    });
    const line = [...result.lines].reverse().find((l) => l.startsWith('DSYNC_VERIFY '));
    if (!line) return `could not check what the emulator holds: ${result.cause ?? 'no answer'}`;
    const verdict = JSON.parse(line.slice('DSYNC_VERIFY '.length)) as { ok: boolean; mismatches: Array<{ resource: string; what: string }> };
    reporter.event({ type: 'verified', seq, ok: verdict.ok, mismatches: verdict.mismatches });
    return verdict.ok ? undefined : verdict.mismatches.map((m) => `${m.resource}: ${m.what}`).join('; ');
  }

  finish(report: DeployReport): DeployReport {
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
}

/** The shortcut's verdict, its last `DSYNC_PATCH {...}` line. */
function patchVerdict(lines: readonly string[]): { ok: boolean; fallback?: string } {
  const line = [...lines].reverse().find((l) => l.startsWith('DSYNC_PATCH '));
  if (!line) return { ok: false, fallback: 'the shortcut gave no verdict' };
  try {
    const verdict = JSON.parse(line.slice('DSYNC_PATCH '.length)) as { ok?: boolean; fallback?: string };
    return { ok: verdict.ok === true, fallback: verdict.fallback };
  } catch {
    return { ok: false, fallback: 'the shortcut gave an unreadable verdict' };
  }
}
