// The host side of a project as the sync reads it: the describe context
// (root, scope, size limit, the git index's modes and symlinks) and the
// warnings it gives once each.
import type { HostCommandRunner } from '../base/host-process.js';
import type { HostPlatform } from '../base/platform.js';
import type { Reporter } from '../base/reporter.js';
import type { DescribeContext } from '../sync/describe.js';
import { readGitIndex } from '../sync/git-modes.js';
import type { HostFs } from '../sync/host-fs.js';

export interface HostTreeOptions {
  root: string;
  scope?: readonly string[];
  maxFileSize: number;
  fs: HostFs;
  platform: HostPlatform;
  runHost: HostCommandRunner;
  reporter: Reporter;
}

export class HostTree {
  readonly describe: DescribeContext;
  private readonly warned = new Set<string>();

  constructor(private readonly options: HostTreeOptions) {
    this.describe = {
      root: options.root,
      scope: options.scope,
      fs: options.fs,
      platform: options.platform,
      gitModes: undefined,
      maxFileSize: options.maxFileSize,
      warn: (key, message) => this.warn(key, message),
    };
  }

  /** Read the git index (executable bits, symlinks checked out as files); without git, say once what that costs. */
  async loadGitIndex(): Promise<void> {
    const { root, platform, runHost } = this.options;
    const { index, gitMissing } = await readGitIndex(root, platform, runHost);
    this.describe.gitModes = index?.modes;
    this.describe.gitSymlinks = index?.symlinks;
    if (gitMissing && (await this.insideGitWorkTree())) {
      this.warn(
        'git-missing',
        'git is not on PATH, so the git index cannot be read: executable bits come from #! lines only, and symlinks checked out as text files are sent as files (install Git for Windows, or put git on PATH)',
      );
    }
  }

  private warn(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.options.reporter.event({ type: 'warning', level: 'warn', message });
  }

  /** Whether the folder or one above it holds .git (the project may be a folder of a bigger repository). */
  private async insideGitWorkTree(): Promise<boolean> {
    const { fs, platform, root } = this.options;
    const p = platform.path;
    for (let dir = root; ; dir = p.dirname(dir)) {
      if (
        await fs.lstat(p.join(dir, '.git')).then(
          () => true,
          () => false,
        )
      )
        return true;
      if (p.dirname(dir) === dir) return false;
    }
  }
}
