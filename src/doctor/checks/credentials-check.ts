// Check 6 (real AWS only): the host has AWS credentials the way `dsync up`
// resolves them (--profile, samconfig's profile, the SDK's chain, the AWS
// CLI), and temporary ones are not about to expire.
import type { Credentials } from '../../sam/credentials.js';
import { pass, skip, warn, type CheckDefinition, type CheckResult } from '../check.js';
import type { DoctorContext } from '../context.js';

export const EXPIRY_WARN_MS = 15 * 60_000;

const minutes = (ms: number) => (ms < 120_000 ? `${Math.max(0, Math.round(ms / 1000))} s` : `${Math.round(ms / 60_000)} min`);

export function judgeCredentials(c: Credentials, now: number): CheckResult {
  if (c.expiresAt === undefined) return pass('credentials', `AWS credentials from ${c.source} (long-lived keys)`);
  const left = c.expiresAt - now;
  const login = /profile "([^"]+)"/.exec(c.source)?.[1];
  if (left < EXPIRY_WARN_MS) {
    return warn(
      'credentials',
      `the AWS credentials from ${c.source} expire in ${minutes(left)}`,
      `refresh them before a long session: \`aws sso login${login ? ` --profile ${login}` : ''}\` (or your usual login)`,
    );
  }
  return pass('credentials', `AWS credentials from ${c.source} (temporary, expire in ${minutes(left)})`);
}

export function credentialsCheck(ctx: DoctorContext): CheckDefinition {
  return {
    id: 'credentials',
    timeoutMs: ctx.timeouts?.credentials ?? 10_000,
    timeoutFix: 'check that `aws sts get-caller-identity` answers on this machine (an SSO login or MFA prompt may be waiting)',
    async run() {
      if (ctx.mode === 'emulator') return skip('credentials', '--emulator uses fixed local keys');
      return judgeCredentials(await ctx.probes.credentials(), ctx.now());
    },
  };
}
