// Check 10: free space on the workspace volume (/dsync), where the project,
// SAM's build output and the emulator's state live. A full Docker disk
// shows up as odd build failures, so it is said plainly here.
import { VOLUME_ROOT } from '../../docker/project.js';
import { fail, pass, unexpected, warn, type CheckDefinition, type CheckResult } from '../check.js';
import type { DoctorContext } from '../context.js';

export const WARN_BYTES = 1024 ** 3;
export const FAIL_BYTES = 100 * 1024 ** 2;
const FIX = 'free space on the engine (`docker system df`, then `docker image prune` / `docker builder prune`), or give Docker Desktop a bigger disk';

/** Available bytes from `df -P` (POSIX: 1024-byte blocks, the 4th column of the 2nd line). */
export function parseDfAvailable(text: string): number | undefined {
  const line = text.trim().split('\n')[1];
  const available = line?.trim().split(/\s+/)[3];
  return available !== undefined && /^\d+$/.test(available) ? Number(available) * 1024 : undefined;
}

const size = (bytes: number) => (bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`);

export function judgeDisk(bytes: number): CheckResult {
  const text = `${size(bytes)} free on the workspace volume (${VOLUME_ROOT})`;
  if (bytes < FAIL_BYTES) return fail('disk', `only ${text}: builds and syncs will fail`, FIX);
  if (bytes < WARN_BYTES) return warn('disk', `only ${text}`, FIX);
  return pass('disk', text);
}

export function diskCheck(ctx: DoctorContext): CheckDefinition {
  return {
    id: 'disk',
    timeoutMs: ctx.timeouts?.disk ?? 5_000,
    async run() {
      const result = await ctx.execInContainer(['df', '-P', VOLUME_ROOT]);
      const bytes = result.exitCode === 0 ? parseDfAvailable(result.stdout) : undefined;
      if (bytes === undefined) throw unexpected(`\`df -P ${VOLUME_ROOT}\` in the container`, result.stdout || result.stderr);
      return judgeDisk(bytes);
    },
  };
}
