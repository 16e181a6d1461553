// What the git index knows that the file system may not: executable bits on
// hosts whose file system has none, and symlinks that git checked out as
// small text files (Git for Windows with core.symlinks=false, its default
// without Developer Mode).
import type { HostCommandRunner } from '../base/host-process.js';
import { parseGitLsFiles, type GitIndex } from './modes.js';
import type { HostPlatform } from '../base/platform.js';

export interface GitIndexRead {
  /** undefined when the project is not a git work tree, or git could not be run. */
  index?: GitIndex;
  /** Set when the index mattered (no executable bits on this host) but git is not on PATH. */
  gitMissing?: boolean;
}

/**
 * The project's git index. On Windows it is always read; elsewhere only when
 * the repository has core.symlinks=false, the one case where it tells
 * something the file system does not.
 */
export async function readGitIndex(root: string, platform: HostPlatform, run: HostCommandRunner): Promise<GitIndexRead> {
  try {
    if (platform.hasExecBit) {
      const setting = await run('git', ['config', '--get', 'core.symlinks'], { cwd: root });
      if (setting.exitCode !== 0 || setting.stdout.trim().toLowerCase() !== 'false') return {};
    }
    const result = await run('git', ['ls-files', '-s', '-z'], { cwd: root });
    if (result.exitCode !== 0) return {};
    return { index: parseGitLsFiles(result.stdout) };
  } catch {
    // No git on PATH: on a host with executable bits nothing is lost.
    return platform.hasExecBit ? {} : { gitMissing: true };
  }
}
