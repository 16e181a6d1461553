// One finding of `dsync doctor`: what was checked, how it went, and for a
// warning or a failure the one thing to do about it. Every check runs under
// a time limit, and an error inside one becomes its failure, never a crash.
import { DsyncError, isDsyncError } from '../base/errors.js';
import type { EngineGap, EngineKind } from '../docker/engine-kind.js';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  id: string;
  status: CheckStatus;
  message: string;
  /** For warn and fail: one line saying what to do. */
  fix?: string;
  /** The engine check only, when the engine answered: which engine it is, for --json. */
  engine?: EngineReport;
}

/** What `doctor --json` says about the engine it found. */
export interface EngineReport {
  kind: EngineKind;
  /** "Podman", "Docker Desktop 4.33.0", "Docker Engine", ... */
  label: string;
  version: string;
  apiVersion: string;
  os: string;
  arch: string;
  rootless: boolean;
  /** Where it was reached, and from what setting. */
  endpoint: string;
  gaps: EngineGap[];
}

export const pass = (id: string, message: string): CheckResult => ({ id, status: 'pass', message });
export const warn = (id: string, message: string, fix: string): CheckResult => ({ id, status: 'warn', message, fix });
export const fail = (id: string, message: string, fix: string): CheckResult => ({ id, status: 'fail', message, fix });
export const skip = (id: string, reason: string): CheckResult => ({ id, status: 'skip', message: reason });

/** Thrown by a check's helpers to end it as skipped (e.g. no running container). */
export class Skip extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** A failure from an error: a DsyncError's message and hint, else the error's first line. */
export function fromError(id: string, error: unknown, fallbackFix = 'run the failing step by hand to see more (DSYNC_DEBUG=1 shows causes)'): CheckResult {
  if (error instanceof Skip) return skip(id, error.reason);
  if (isDsyncError(error)) return fail(id, error.message, error.hint ?? fallbackFix);
  const text = error instanceof Error ? error.message : String(error);
  return fail(id, text.split('\n')[0] ?? text, fallbackFix);
}

export interface CheckDefinition {
  id: string;
  /** The longest the check may take. */
  timeoutMs: number;
  /** What a check that ran out of time reports (default warn: it could not tell). */
  onTimeout?: 'warn' | 'fail';
  /** Fix printed when the check runs out of time. */
  timeoutFix?: string;
  run(): Promise<CheckResult>;
}

/** Run one check within its time limit; whatever happens, a result comes back. */
export async function runCheck(check: CheckDefinition): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => {
      const seconds = `${Math.round(check.timeoutMs / 100) / 10} s`;
      const fix = check.timeoutFix ?? 'run `dsync doctor` again; if it keeps timing out, check the Docker engine and the network';
      const message = `no answer within ${seconds}`;
      resolve(check.onTimeout === 'fail' ? fail(check.id, message, fix) : warn(check.id, `could not check: ${message}`, fix));
    }, check.timeoutMs);
  });
  try {
    return await Promise.race([check.run().catch((error: unknown) => fromError(check.id, error)), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** A DsyncError to hand to fromError when a probe's answer makes no sense. */
export function unexpected(what: string, got: string): DsyncError {
  return new DsyncError('ENGINE', `${what}: unexpected answer ${JSON.stringify(got.trim().slice(0, 120))}`);
}
