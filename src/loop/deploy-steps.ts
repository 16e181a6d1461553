// The SAM work for one run of the deployer: a stack deploy (real AWS: `sam
// sync`; emulator: `sam build`, `sam package`, then dsync's deploy helper)
// or a code sync of some resources (`sam sync --code`, through the
// long-lived worker), each reported as it starts and ends.
import type { Clock } from '../base/clock.js';
import type { Reporter } from '../base/reporter.js';
import { buildArgv, emulatorDeployArgv, packageArgv, syncCodeArgv, syncInfraArgv, PACKAGED_TEMPLATE } from '../sam/commands.js';
import type { SamRunner, StepResult } from '../sam/runner.js';
import type { TemplateModel } from '../sam/template.js';
import type { DeployReport } from './live-report.js';

export interface DeployStepsOptions {
  runner: SamRunner;
  reporter: Reporter;
  clock: Clock;
  /** Python that runs `sam`, for dsync's emulator deploy helper (emulator mode only). */
  samPython?: string;
  /** Whether a project path exists on the host (to name a missing CodeUri before SAM runs). */
  exists(projectPath: string): Promise<boolean>;
}

export class DeploySteps {
  constructor(private readonly options: DeployStepsOptions) {}

  /** A resource whose local code folder is missing, named the way the template says it. */
  async missingCode(model: TemplateModel): Promise<string | undefined> {
    for (const r of model.resources.values()) {
      if (r.kind !== 'function' && r.kind !== 'layer') continue;
      for (const p of r.codePaths) {
        if (!(await this.options.exists(p))) return `${r.id}: its ${r.kind === 'layer' ? 'ContentUri' : 'CodeUri'} ${p || '.'} does not exist in the project`;
      }
    }
    return undefined;
  }

  async deployInfra(seq: number, model: TemplateModel): Promise<DeployReport> {
    const { runner, reporter, clock } = this.options;
    const started = clock.now();
    const ids = [...model.resources.values()].filter((r) => r.kind !== 'other').map((r) => r.id);
    reporter.event({ type: 'deploy-started', seq, kind: 'infra', resources: ids });
    reporter.progress(`#${seq} deploying the stack ${runner.target.stackName} (${ids.length} resources)`);
    const missing = await this.missingCode(model);
    if (missing) {
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
    const marks = builtAt === undefined ? { ...result.marks, startedAt: started } : { startedAt: started, builtAt, finishedAt: result.marks.endedAt, endedAt: result.marks.endedAt };
    return this.finish({ seq, kind: 'infra', resources: ids, ok: result.ok, ms: Math.round(clock.now() - started), cause: result.cause, marks });
  }

  async syncCode(seq: number, resources: string[], dependencyChanges: string[]): Promise<DeployReport> {
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
