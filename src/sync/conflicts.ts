// Which container files a plan is about to overwrite or remove although they
// changed inside the container since dsync last wrote them (or were made
// there). Those are saved under /dsync/conflicts before the plan is applied:
// the host's version still wins in the workspace, the container's is kept.
// Pure; the record is what dsync believes the container holds (record.ts).
import type { SyncPlan } from './diff.js';
import type { Manifest, ManifestEntry } from './manifest.js';
import { entryDifference } from './manifest.js';
import { matchesRecord, type SyncRecord } from './record.js';
import { ancestorsOf } from '../base/paths.js';

export interface Conflict {
  /** The container's entry, as listed before the plan was applied. */
  entry: ManifestEntry;
  /** The host no longer has it (or has a folder there): it is removed, not overwritten. */
  removed: boolean;
}

/** The conflicts folder in the volume; each save goes into a folder named by its UTC time. */
export const CONFLICTS_DIR = 'conflicts';

/**
 * `remote` lists the container's entries at (and, for replaced folders,
 * below) the plan's paths; `isIgnored` is the diff's own rule, so paths the
 * sync leaves alone are never saved either.
 */
export function findConflicts(plan: SyncPlan, remote: Manifest, record: SyncRecord, isIgnored: (p: string, isDir: boolean) => boolean): Conflict[] {
  const found = new Map<string, Conflict>();
  const consider = (entry: ManifestEntry, removed: boolean) => {
    if (entry.type === 'dir' || found.has(entry.path) || isIgnored(entry.path, false)) return;
    if (matchesRecord(entry, record.get(entry.path))) return;
    found.set(entry.path, { entry, removed });
  };
  // Removed paths hold the outermost folder only: every file listed below one goes too.
  const replaced = new Set(plan.remove);
  for (const entry of plan.send) {
    const existing = remote.get(entry.path);
    if (existing === undefined) continue;
    // tar unlinks a folder (with all it holds) to put a file or link in its place.
    if (existing.type === 'dir' && entry.type !== 'dir') replaced.add(entry.path);
    // Already what the host sends: nothing of the container's would be lost.
    if (entryDifference(entry, existing) === undefined && entry.mtime === existing.mtime) continue;
    consider(existing, false);
  }
  if (replaced.size > 0) {
    for (const entry of remote.values()) {
      if (replaced.has(entry.path) || ancestorsOf(entry.path).some((a) => replaced.has(a))) consider(entry, true);
    }
  }
  return [...found.values()].sort((a, b) => (a.entry.path < b.entry.path ? -1 : a.entry.path > b.entry.path ? 1 : 0));
}

/** The UTC time as a folder name: 20261127T134501Z. */
export function conflictStamp(at: Date): string {
  return at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}
