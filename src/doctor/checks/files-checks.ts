// Check 8: scripts that break once synced to Linux: a #! line ending in CRLF
// ("bad interpreter: /usr/bin/env node^M"), and scripts that lost their
// executable bit (a #! file, or one git records as 100755, that is not
// executable on the host; on Windows, one git records as 100644).
import { pass, warn, type CheckDefinition, type CheckResult } from '../check.js';
import type { DoctorContext } from '../context.js';
import type { ProjectScan } from '../project-scan.js';

const SHOWN = 5;

/** Up to five paths, quoted for a shell when needed, and how many more. */
export function listPaths(paths: readonly string[]): { text: string; args: string } {
  const quote = (p: string) => (/^[A-Za-z0-9_./@%+=:,-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`);
  const head = paths.slice(0, SHOWN);
  const more = paths.length > SHOWN ? ` and ${paths.length - SHOWN} more` : '';
  return { text: `${head.join(', ')}${more}`, args: head.map(quote).join(' ') };
}

const scanned = (scan: ProjectScan) => `${scan.truncated ? 'the first ' : ''}${scan.files} file${scan.files === 1 ? '' : 's'}${scan.truncated ? ' (the scan stopped there)' : ''}`;

export function judgeCrlf(scan: ProjectScan): CheckResult {
  if (scan.crlf.length === 0) return pass('crlf', `no #! line ends in CRLF in ${scanned(scan)}`);
  const { text, args } = listPaths(scan.crlf);
  return warn(
    'crlf',
    `${scan.crlf.length} script(s) have a #! line ending in CRLF, which Linux cannot run: ${text}`,
    `dos2unix ${args} (and add \`* text=auto eol=lf\` to .gitattributes so git keeps LF)`,
  );
}

export function judgeExecBits(scan: ProjectScan, windows: boolean): CheckResult {
  if (scan.notExecutable.length === 0) return pass('exec-bits', `every #! script is executable in ${scanned(scan)}`);
  const { text, args } = listPaths(scan.notExecutable.map((n) => n.path));
  const why = scan.notExecutable.some((n) => n.why === 'git') ? 'have a #! line or are 100755 in git' : 'have a #! line';
  const fix = windows ? `git update-index --chmod=+x ${args} (Windows has no executable bit: dsync takes it from git)` : `chmod +x ${args}`;
  return warn('exec-bits', `${scan.notExecutable.length} file(s) ${why} but are not executable, so they will not be executable in the container either: ${text}`, fix);
}

export function crlfCheck(ctx: DoctorContext): CheckDefinition {
  return { id: 'crlf', timeoutMs: ctx.timeouts?.files ?? 6_000, run: async () => judgeCrlf(await ctx.scan()) };
}

export function execBitsCheck(ctx: DoctorContext): CheckDefinition {
  return { id: 'exec-bits', timeoutMs: ctx.timeouts?.files ?? 6_000, run: async () => judgeExecBits(await ctx.scan(), !ctx.platform.hasExecBit) };
}
