// The SAM CLI's version as `sam --version` prints it, and whether it meets a
// team's pin ("samVersion" in dsync.json: an exact version or a semver range).
import semver from 'semver';

/** "SAM CLI, version 1.142.1" -> "1.142.1"; undefined when no version is in the text. */
export function parseSamVersion(output: string): string | undefined {
  const m = /version\s+v?(\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?)/i.exec(output) ?? /\b(\d+\.\d+\.\d+)\b/.exec(output);
  return m?.[1];
}

export type PinVerdict = { ok: true } | { ok: false; reason: 'mismatch' | 'bad-pin' };

/** Whether `version` meets `pin` (exact "1.142.1" or a range like "^1.140.0", ">=1.130 <2"). */
export function meetsPin(version: string, pin: string): PinVerdict {
  if (semver.validRange(pin) === null) return { ok: false, reason: 'bad-pin' };
  return semver.satisfies(version, pin, { includePrerelease: true }) ? { ok: true } : { ok: false, reason: 'mismatch' };
}
