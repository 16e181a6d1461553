// `dsync doctor` as a library: every check, in the order they are printed,
// run side by side (each within its own time limit; those that need the
// engine or the container wait for them, and are skipped when they are
// missing). The CLI only wires the probes and prints.
import { runCheck, type CheckDefinition, type CheckResult } from './check.js';
import { clockCheck } from './clock-check.js';
import { configCheck } from './config-check.js';
import { createDoctorContext, type DoctorContext, type DoctorInput, type DoctorProbes } from './context.js';
import { credentialsCheck } from './credentials-check.js';
import { diskCheck } from './disk-check.js';
import { engineCheck } from './engine-check.js';
import { crlfCheck, execBitsCheck } from './files-checks.js';
import { imageCheck } from './image-check.js';
import { proxyCheck } from './proxy-check.js';
import { samVersionCheck } from './sam-version-check.js';
import { templateCheck } from './template-check.js';
import { watchLimitCheck } from './watch-limit-check.js';

export type { CheckResult, CheckStatus } from './check.js';
export type { DoctorInput, DoctorProbes, DoctorEngine, DoctorMode } from './context.js';

const CHECKS: Array<(ctx: DoctorContext) => CheckDefinition> = [
  configCheck,
  engineCheck,
  imageCheck,
  samVersionCheck,
  clockCheck,
  proxyCheck,
  credentialsCheck,
  templateCheck,
  crlfCheck,
  execBitsCheck,
  watchLimitCheck,
  diskCheck,
];

export async function runDoctor(input: DoctorInput, probes: DoctorProbes): Promise<CheckResult[]> {
  const ctx = createDoctorContext(input, probes);
  return Promise.all(CHECKS.map((check) => runCheck(check(ctx))));
}

/** Whether any check failed (warnings and skips alone do not). */
export const anyFailed = (results: readonly CheckResult[]) => results.some((r) => r.status === 'fail');
