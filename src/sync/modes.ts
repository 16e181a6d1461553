// File modes as Linux should see them. On Linux and macOS the host's own bits
// are the truth. Windows has none, so the executable bit comes from the git
// index (mode 100755) when there is one, else from a shebang; never from a
// blanket 0755, which would make every file executable.

export type GitModes = ReadonlyMap<string, number>;

/** What dsync reads from the git index: file modes, and the paths git records as symlinks (mode 120000). */
export interface GitIndex {
  modes: Map<string, number>;
  symlinks: Set<string>;
}

export const DIR_MODE = 0o755;
export const FILE_MODE = 0o644;
export const EXEC_MODE = 0o755;

/** Parse `git ls-files -s -z` output into project path -> permission bits, and the symlinks. */
export function parseGitLsFiles(output: string): GitIndex {
  const modes = new Map<string, number>();
  const symlinks = new Set<string>();
  for (const record of output.split('\0')) {
    // "<mode> <object> <stage>\t<path>"
    const tab = record.indexOf('\t');
    if (tab < 0) continue;
    const mode = record.slice(0, record.indexOf(' '));
    const p = record.slice(tab + 1);
    if (mode === '100755') modes.set(p, EXEC_MODE);
    else if (mode === '100644') modes.set(p, FILE_MODE);
    else if (mode === '120000') symlinks.add(p);
  }
  return { modes, symlinks };
}

export interface ModeInput {
  path: string;
  type: 'file' | 'dir';
  /** The host's stat mode. */
  statMode: number;
  /** The first bytes of the file, when the rule needs them (Windows, not in git). */
  head?: Uint8Array;
}

export function decideMode(input: ModeInput, hasExecBit: boolean, gitModes: GitModes | undefined): number {
  if (hasExecBit) return input.statMode & 0o777;
  if (input.type === 'dir') return DIR_MODE;
  const fromGit = gitModes?.get(input.path);
  if (fromGit !== undefined) return fromGit;
  return hasShebang(input.head) ? EXEC_MODE : FILE_MODE;
}

export function hasShebang(head: Uint8Array | undefined): boolean {
  return head !== undefined && head.length >= 2 && head[0] === 0x23 && head[1] === 0x21;
}

/** A script whose shebang line ends in CRLF fails in Linux with "bad interpreter". */
export function shebangHasCrlf(head: Uint8Array | undefined): boolean {
  if (!hasShebang(head) || head === undefined) return false;
  const nl = head.indexOf(0x0a);
  return nl > 0 && head[nl - 1] === 0x0d;
}
