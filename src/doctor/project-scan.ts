// A bounded look at the files dsync syncs (same walk, same ignore rules), for
// what breaks them in Linux: a #! line ending in CRLF ("bad interpreter")
// and scripts that lost their executable bit. It also counts the folders
// the Linux watcher will watch. It stops after a number of entries or a
// time budget and says so, so `dsync doctor` stays quick on any tree.
import { posix } from 'node:path';
import type { HostPlatform } from '../base/platform.js';
import type { DsyncConfig } from '../config/config.js';
import type { DescribeContext } from '../sync/describe.js';
import type { HostFs } from '../sync/host-fs.js';
import { walkHost } from '../sync/host-walk.js';
import { EXEC_MODE, hasShebang, shebangHasCrlf, type GitIndex } from '../sync/modes.js';
import { toHostPath } from '../base/paths.js';

export interface ProjectScan {
  files: number;
  /** Folders below the root (the watcher watches these and the root). */
  dirs: number;
  /** The scan stopped early: the counts are lower bounds. */
  truncated: boolean;
  /** Files whose #! line ends in CRLF (project paths, sorted). */
  crlf: string[];
  /** Scripts that will not be executable in the container, and why they should be. */
  notExecutable: Array<{ path: string; why: 'shebang' | 'git' }>;
}

export const SCAN_MAX_ENTRIES = 20_000;
export const SCAN_BUDGET_MS = 3_000;
const HEAD_BYTES = 256;
const CONCURRENCY = 32;

export interface ScanInput {
  config: DsyncConfig;
  platform: HostPlatform;
  fs: HostFs;
  gitIndex(): Promise<GitIndex | undefined>;
  budgetMs?: number;
  maxEntries?: number;
  now?(): number;
}

export async function scanProject(input: ScanInput): Promise<ProjectScan> {
  const now = input.now ?? (() => performance.now());
  const deadline = now() + (input.budgetMs ?? SCAN_BUDGET_MS);
  const maxEntries = input.maxEntries ?? SCAN_MAX_ENTRIES;
  const layout = input.config.layout ?? { syncRoot: input.config.root, projectDir: '' };
  const index = await input.gitIndex().catch(() => undefined);
  const ctx: DescribeContext = {
    root: layout.syncRoot,
    scope: layout.scope,
    fs: input.fs,
    platform: input.platform,
    // Without executable bits (Windows) the modes the sync sends come from git, as in a session.
    gitModes: input.platform.hasExecBit ? undefined : index?.modes,
    maxFileSize: input.config.maxFileSize,
    warn: () => undefined,
  };
  const walk = await walkHost(ctx, { stop: (m) => m.size >= maxEntries || now() > deadline });
  let truncated = walk.truncated === true;
  const files = [...walk.manifest.values()].filter((e) => e.type === 'file');
  const dirs = [...walk.manifest.values()].filter((e) => e.type === 'dir').length;
  const crlf: string[] = [];
  const notExecutable: ProjectScan['notExecutable'] = [];
  const queue = [...files];
  const worker = async () => {
    for (let entry = queue.shift(); entry; entry = queue.shift()) {
      if (now() > deadline) {
        truncated = true;
        queue.length = 0;
        return;
      }
      const head = await input.fs.readHead(toHostPath(layout.syncRoot, entry.path, input.platform.path), HEAD_BYTES).catch(() => undefined);
      if (shebangHasCrlf(head)) crlf.push(entry.path);
      if ((entry.mode & 0o100) !== 0) continue;
      if (hasShebang(head)) notExecutable.push({ path: entry.path, why: 'shebang' });
      else if (index?.modes.get(entry.path) === EXEC_MODE) notExecutable.push({ path: entry.path, why: 'git' });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  // Paths as the user sees them from the project folder (`../shared/x` in a monorepo).
  const shown = (p: string) => (layout.projectDir === '' ? p : posix.relative(layout.projectDir, p));
  return {
    files: files.length,
    dirs,
    truncated,
    crlf: crlf.map(shown).sort(),
    notExecutable: notExecutable.map((n) => ({ ...n, path: shown(n.path) })).sort((a, b) => a.path.localeCompare(b.path)),
  };
}
