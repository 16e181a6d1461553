// Check 3: the SAM CLI in the project's running container against the team's
// pin ("samVersion" in dsync.json, exact or a semver range).
import { meetsPin, parseSamVersion } from '../../sam/sam-version.js';
import { fail, pass, warn, type CheckDefinition, type CheckResult } from '../check.js';
import type { DoctorContext } from '../context.js';

export function judgeSamVersion(output: { exitCode: number; stdout: string; stderr: string }, pin: string | undefined): CheckResult {
  const version = parseSamVersion(output.stdout) ?? parseSamVersion(output.stderr);
  if (output.exitCode !== 0 || version === undefined) {
    const said = (output.stderr || output.stdout).trim().split('\n').pop() ?? '';
    return fail(
      'sam',
      `\`sam --version\` failed in the container (exit ${output.exitCode}${said ? `: ${said.slice(0, 120)}` : ''})`,
      'use an image with the SAM CLI (e.g. public.ecr.aws/sam/build-nodejs22.x, or --emulator, which builds one)',
    );
  }
  if (pin === undefined) return warn('sam', `SAM CLI ${version} (no version pinned)`, `add "samVersion": "${version}" to dsync.json so the team builds with the same SAM`);
  const verdict = meetsPin(version, pin);
  if (verdict.ok) return pass('sam', `SAM CLI ${version} meets the pin ${pin}`);
  if (verdict.reason === 'bad-pin')
    return fail('sam', `"samVersion" ${JSON.stringify(pin)} in dsync.json is neither a version nor a semver range`, 'write it like "1.142.1" or "^1.140.0"');
  return fail(
    'sam',
    `SAM CLI ${version} in the container does not meet the pin ${pin}`,
    'use an image with a matching SAM CLI (then `dsync down && dsync up`), or update "samVersion" in dsync.json',
  );
}

export function samVersionCheck(ctx: DoctorContext): CheckDefinition {
  return {
    id: 'sam',
    timeoutMs: ctx.timeouts?.sam ?? 10_000,
    async run() {
      const result = await ctx.execInContainer(['sam', '--version']);
      return judgeSamVersion(result, ctx.config.samVersion);
    },
  };
}
