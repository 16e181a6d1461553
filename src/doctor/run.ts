// `dsync doctor` as a library: every check, in the order they are printed,
// run side by side (each within its own time limit; those that need the
// engine or the container wait for them, and are skipped when they are
// missing). The CLI only wires the probes and prints.
import { runCheck, type CheckDefinition, type CheckResult } from './check.js';
import { clockCheck } from './checks/clock-check.js';
import { configCheck } from './checks/config-check.js';
import { createDoctorContext, type DoctorContext, type DoctorInput, type DoctorProbes } from './context.js';
import { credentialsCheck } from './checks/credentials-check.js';
import { diskCheck } from './checks/disk-check.js';
import { engineCheck } from './checks/engine-check.js';
import { crlfCheck, execBitsCheck } from './checks/files-checks.js';
import { imageCheck } from './checks/image-check.js';
import { proxyCheck } from './checks/proxy-check.js';
import { samVersionCheck } from './checks/sam-version-check.js';
import { templateCheck } from './checks/template-check.js';
import { watchLimitCheck } from './checks/watch-limit-check.js';

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
