// The SAM work for one run of the deployer: a stack deploy (`sam sync`, in
// every mode) or a code sync of some resources (`sam sync --code`, through the
// long-lived worker), each reported as it starts and ends.
import type { Clock } from '../base/clock.js';
import type { Reporter } from '../base/reporter.js';
import { syncCodeArgv, syncInfraArgv } from '../sam/commands.js';
import type { SamRunner } from '../sam/runner.js';
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
    // Every mode runs SAM's own `sam sync`; the emulator applies the SAM transform as CloudFormation does.
    const result = await runner.step('sync', syncInfraArgv(runner.target));
    reporter.event({ type: 'build-finished', seq, resources: ids, ok: result.ok, ms: result.ms });
    const marks = { ...result.marks, startedAt: started };
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
