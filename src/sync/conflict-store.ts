// The conflicts folder in the volume. saveConflicts copies the container's
// changed files there before a plan overwrites or removes them: one exec, paths as argv (any name), cp -pP
// so mode and mtime survive and links stay links (GNU and busybox alike).
// Each save gets a folder of its own, named by the UTC time; a second save
// within the same second gets -2, -3... rather than mixing with the first.
import type { ContainerClient } from '../docker/container-client.js';
import { DsyncError } from '../base/errors.js';
import { conflictStamp, CONFLICTS_DIR, type Conflict } from './conflicts.js';
import { shellQuote } from './remote-manifest.js';
import { chunkPaths } from './transfer.js';

export interface SavedConflict extends Conflict {
  /** The copy's absolute path in the container. */
  copy: string;
}

const SAVE_SCRIPT = [
  'ws=$1; base=$2; fresh=$3; shift 3',
  'cd "$ws" || exit 3',
  'd=$base',
  'if [ "$fresh" = 1 ]; then n=1; while [ -e "$d" ]; do n=$((n + 1)); d="$base-$n"; done; fi',
  'mkdir -p -- "$d" || exit 4',
  // The folder first, then every path that could not be copied (it vanished meanwhile), NUL-terminated.
  `printf '%s\\000' "$d"`,
  // A path that is gone was simply not there to lose; one that is there but cannot be copied (a full
  // volume, no permission) stops the save, and with it the plan: nothing is overwritten unsaved.
  'for p do',
  '  case $p in */*) mkdir -p -- "$d/${p%/*}" || exit 4 ;; esac',
  '  if ! cp -pP -- "$p" "$d/$p"; then',
  '    if [ -e "$p" ] || [ -L "$p" ]; then echo "could not copy $p" >&2; exit 5; fi',
  `    printf '%s\\000' "$p"`,
  '  fi',
  'done',
].join('\n');

export async function saveConflicts(
  client: ContainerClient,
  containerId: string,
  volumeRoot: string,
  workspace: string,
  conflicts: readonly Conflict[],
  at: Date,
): Promise<SavedConflict[]> {
  if (conflicts.length === 0) return [];
  let dir = `${volumeRoot}/${CONFLICTS_DIR}/${conflictStamp(at)}`;
  const failed = new Set<string>();
  let fresh = true;
  for (const chunk of chunkPaths(conflicts.map((c) => c.entry.path))) {
    const result = await client.exec(containerId, { cmd: ['/bin/sh', '-c', SAVE_SCRIPT, 'dsync-save', workspace, dir, fresh ? '1' : '0', ...chunk] });
    if (result.exitCode !== 0) {
      throw new DsyncError('TRANSFER', `saving ${chunk.length} changed file(s) from the container to ${dir} failed (exit ${result.exitCode}): ${result.stderr.trim()}`, {
        hint: `the host's version was not synced over them; free space in the volume or look at ${shellQuote(dir)}`,
      });
    }
    const [chosen, ...left] = result.stdout.split('\0');
    if (chosen) dir = chosen;
    for (const p of left) if (p !== '') failed.add(p);
    fresh = false;
  }
  return conflicts.filter((c) => !failed.has(c.entry.path)).map((c) => ({ ...c, copy: `${dir}/${c.entry.path}` }));
}

/** A saved copy still in the volume. */
export interface OpenConflict {
  /** The project path it was saved from. */
  path: string;
  /** The copy's absolute path in the container. */
  copy: string;
  /** The save's folder name (its UTC time). */
  savedAt: string;
}

/** Every saved copy (files and links) still in the conflicts folder, oldest save first. */
export async function listConflicts(client: ContainerClient, containerId: string, volumeRoot: string): Promise<OpenConflict[]> {
  const root = `${volumeRoot}/${CONFLICTS_DIR}`;
  const result = await client.exec(containerId, {
    cmd: ['/bin/sh', '-c', 'cd "$1" 2>/dev/null || exit 0; find . ! -type d -exec printf \'%s\\000\' {} +', 'dsync-conflicts', root],
  });
  if (result.exitCode !== 0) throw new DsyncError('TRANSFER', `listing ${root} in the container failed (exit ${result.exitCode}): ${result.stderr.trim()}`);
  const open: OpenConflict[] = [];
  for (const found of result.stdout.split('\0')) {
    const rel = found.startsWith('./') ? found.slice(2) : '';
    const slash = rel.indexOf('/');
    if (slash <= 0) continue;
    open.push({ savedAt: rel.slice(0, slash), path: rel.slice(slash + 1), copy: `${root}/${rel}` });
  }
  return open.sort((a, b) => (a.savedAt < b.savedAt ? -1 : a.savedAt > b.savedAt ? 1 : a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Remove every saved copy; returns how many there were. */
export async function clearConflicts(client: ContainerClient, containerId: string, volumeRoot: string): Promise<number> {
  const open = await listConflicts(client, containerId, volumeRoot);
  const root = `${volumeRoot}/${CONFLICTS_DIR}`;
  const result = await client.exec(containerId, { cmd: ['rm', '-rf', '--', root] });
  if (result.exitCode !== 0) throw new DsyncError('TRANSFER', `removing ${root} in the container failed (exit ${result.exitCode}): ${result.stderr.trim()}`);
  return open.length;
}
