// Executable bits from the git index, for hosts whose file system has none.
import type { HostCommandRunner } from '../core/host-process.js';
import { parseGitLsFiles } from './modes.js';

/** Project path -> mode from `git ls-files -s`, or undefined when the project is not a git work tree. */
export async function readGitModes(root: string, run: HostCommandRunner): Promise<Map<string, number> | undefined> {
  try {
    const result = await run('git', ['ls-files', '-s', '-z'], { cwd: root });
    if (result.exitCode !== 0) return undefined;
    return parseGitLsFiles(result.stdout);
  } catch {
    return undefined; // no git on PATH
  }
}
