// Check 4: the container's clock against the host's. AWS rejects requests
// signed more than 5 minutes off (SigV4's RequestTimeTooSkewed), and a
// Docker Desktop VM or WSL that slept can fall behind by that much.
import { fail, pass, unexpected, warn, type CheckDefinition, type CheckResult } from '../check.js';
import type { DoctorContext } from '../context.js';

export const SKEW_WARN_S = 30;
export const SKEW_FAIL_S = 300;
const FIX = "resync the engine's clock: restart Docker Desktop (Windows: `wsl --shutdown`, then start it again; a Linux VM: enable NTP or `sudo hwclock -s`)";

/** Seconds from `date +%s.%N`; a `date` without %N (busybox) gives whole seconds, read as the middle of that second. */
export function parseEpochSeconds(text: string): { seconds: number; precisionS: number } | undefined {
  const m = /^\s*(\d+)(?:\.(\d+))?/.exec(text);
  if (!m) return undefined;
  return m[2] ? { seconds: Number(`${m[1]}.${m[2]}`), precisionS: 0 } : { seconds: Number(m[1]) + 0.5, precisionS: 0.5 };
}

/** `skewS`: container minus host, in seconds; `uncertaintyS`: half the round trip. */
export function judgeSkew(skewS: number, uncertaintyS: number): CheckResult {
  const size = Math.abs(skewS);
  const text = `${size < 10 ? size.toFixed(1) : Math.round(size)} s ${skewS >= 0 ? 'ahead of' : 'behind'} the host (±${uncertaintyS.toFixed(1)} s)`;
  if (size > SKEW_FAIL_S) return fail('clock', `the container's clock is ${text}: AWS rejects requests signed more than 5 minutes off`, FIX);
  if (size > SKEW_WARN_S) return warn('clock', `the container's clock is ${text}`, FIX);
  return pass('clock', `the container's clock is within ${Math.max(size, uncertaintyS).toFixed(1)} s of the host's`);
}

export function clockCheck(ctx: DoctorContext): CheckDefinition {
  return {
    id: 'clock',
    timeoutMs: ctx.timeouts?.clock ?? 5_000,
    async run() {
      await ctx.runningContainer();
      const before = ctx.now();
      const result = await ctx.execInContainer(['date', '+%s.%N']);
      const after = ctx.now();
      const read = result.exitCode === 0 ? parseEpochSeconds(result.stdout) : undefined;
      if (read === undefined) throw unexpected('`date +%s.%N` in the container', result.stdout || result.stderr);
      // The container read its clock somewhere in the round trip: compare with the middle of it.
      const hostS = (before + after) / 2000;
      return judgeSkew(read.seconds - hostS, (after - before) / 2000 + read.precisionS);
    },
  };
}
