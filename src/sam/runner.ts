// Runs SAM commands (and dsync's helper scripts) in the container with
// per-command credentials, streams every line back with the step that
// produced it, and turns the result into ok / failure-with-cause.
import type { CredentialResolver } from './credentials.js';
import { envList, samEnv, type SamTarget } from './commands.js';
import { classifySamLine, failureCause, hostPaths } from './sam-output.js';
import type { PathFlavour } from '../base/platform.js';
import type { ContainerRun } from '../docker/container-run.js';
import { stripAnsi } from '../base/lines.js';

export interface StepResult {
  ok: boolean;
  exitCode: number;
  lines: string[];
  /** One-line cause when !ok. */
  cause?: string;
  ms: number;
  /** When (clock ms) the command started and ended, and when SAM's progress lines arrived. */
  marks: StepMarks;
}

export interface StepMarks {
  startedAt: number;
  endedAt: number;
  /** First "Syncing Lambda Function X..." (SAM set up, about to build). */
  syncingAt?: number;
  /** Last builder line ("Running NodejsNpmBuilder:...", "Build Succeeded"). */
  builtAt?: number;
  /** Last "Finished syncing ..." (code updated and the function reported ready). */
  finishedAt?: number;
}

export interface RunnerOptions {
  run: ContainerRun;
  /** Where code syncs go when a long-lived SAM process is available (same argv, no start-up cost). */
  fastRun?: ContainerRun;
  target: SamTarget;
  credentials: CredentialResolver;
  workspace: string;
  root: string;
  flavour: PathFlavour;
  now(): number;
  /** Each output line, already cleaned, with its step label. */
  onLine(step: string, line: string): void;
}

export class SamRunner {
  constructor(private readonly options: RunnerOptions) {}

  get target(): SamTarget {
    return this.options.target;
  }

  /**
   * Run one command. `sam sync` asks for a confirmation once per
   * template+stack and has no flag for it; the piped "y" answers it (and is
   * ignored when SAM does not ask), so dsync never hangs there.
   */
  async step(step: string, argv: string[], options: { fast?: boolean; quiet?: boolean } = {}): Promise<StepResult> {
    const o = this.options;
    const started = o.now();
    const credentials = await o.credentials.get();
    const env = envList(samEnv(o.target, credentials));
    const lines: string[] = [];
    const marks: StepMarks = { startedAt: started, endedAt: started };
    const run = options.fast && o.fastRun ? o.fastRun : o.run;
    const exitCode = await run(
      argv,
      env,
      (raw) => {
        const line = hostPaths(stripAnsi(raw), o.workspace, o.root, o.flavour);
        if (line.trim() === '') return;
        lines.push(line);
        const c = classifySamLine(line);
        const at = o.now();
        if (c.kind === 'resource-done') marks.finishedAt = at;
        else if (c.kind === 'resource-start') marks.syncingAt ??= at;
        else if (/^\s*Running \w+:\w+|^Build Succeeded/.test(line)) marks.builtAt = at;
        if (!options.quiet && !isBoilerplate(line)) o.onLine(step, line);
      },
      'y\n',
    );
    const ok = exitCode === 0 && !lines.some((l) => /^Build Failed$/.test(l.trim()));
    marks.endedAt = o.now();
    return {
      ok,
      exitCode,
      lines,
      marks,
      ms: Math.round(marks.endedAt - started),
      cause: ok ? undefined : exitCode === 127 ? 'command not found in the image' : failureCause(lines),
    };
  }
}

/** SAM's "what to run next" advice and dsync's own result line: kept for parsing, not shown. */
function isBoilerplate(line: string): boolean {
  const t = line.trim();
  return /^(DSYNC_RESULT |DSYNC_VERIFY |Commands you can use next|=+$|\[\*\] |Execute the following command to deploy|sam deploy --template-file|\[Y\/n\]:|Enter Y to proceed)/.test(
    t,
  );
}
