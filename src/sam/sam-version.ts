// The "samVersion" pin: the SAM CLI version the container must have, exact
// ("1.170.0") or a range (">=1.150 <2"), checked against `sam --version`
// ("SAM CLI, version 1.170.0") once the container runs.
import { DsyncError } from '../base/errors.js';
import { isVersionRange, satisfiesRange } from '../config/versions.js';

/** "SAM CLI, version 1.170.0" (or the bare "1.170.0" dsync's probe keeps) -> "1.170.0". */
export function parseSamVersion(output: string | undefined): string | undefined {
  return /(?:^|version\s+|\s)v?(\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?)/.exec(output?.trim() ?? '')?.[1];
}

/** Throws when the container's SAM CLI is not the pinned one; `from` names the setting (dsync.json "samVersion"). */
export function checkSamVersion(found: string | undefined, pin: string, from: string): void {
  const version = parseSamVersion(found);
  if (version === undefined) {
    throw new DsyncError(
      'SAM_MISSING',
      `the container's SAM CLI did not say its version (\`sam --version\` printed ${JSON.stringify(found ?? '')}); this project pins ${pin} (${from})`,
      {
        hint: 'see what the image has: `dsync exec -- sam --version`',
      },
    );
  }
  if (satisfiesRange(version, pin)) return;
  throw new DsyncError('SAM_MISSING', `the container has SAM CLI ${version}; this project pins ${pin} (${from})`, {
    hint: `use an image with SAM CLI ${pin} ("image" and "imageDigest" in dsync.json; SAM's build images carry one SAM version each), or if the team moves to ${version}, update "samVersion"`,
  });
}

export type PinVerdict = { ok: true } | { ok: false; reason: 'mismatch' | 'bad-pin' };

/** Whether `version` meets `pin` (exact "1.142.1" or a range like "^1.140.0", ">=1.130 <2"), for `dsync doctor`. */
export function meetsPin(version: string, pin: string): PinVerdict {
  if (!isVersionRange(pin)) return { ok: false, reason: 'bad-pin' };
  return satisfiesRange(version, pin) ? { ok: true } : { ok: false, reason: 'mismatch' };
}
