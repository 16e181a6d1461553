// The plan that makes the container's tree equal the host's: what to send and
// what to remove. Pure, so it is where most sync unit tests live.
import { entryDifference, type Manifest, type ManifestEntry } from './manifest.js';
import { outermost, ancestorsOf } from '../base/paths.js';

export interface SyncPlan {
  /** Entries to send, parents before children. */
  send: ManifestEntry[];
  /** Outermost container paths to delete (recursively) before sending. */
  remove: string[];
}

export interface DiffOptions {
  /** Paths the host rules ignore are left alone in the container (build output, caches). */
  isIgnored(p: string, isDir: boolean): boolean;
  /** Paths that exist on the host but could not be read: keep the container's copy. */
  keep?: ReadonlySet<string>;
  /**
   * Paths a watcher event named (with what is below them): their files and
   * links are sent even when size and mtime match, because an edit within
   * the same second that keeps the size changes neither.
   */
  changed?: ReadonlySet<string>;
}

export function diffManifests(host: Manifest, remote: Manifest, options: DiffOptions): SyncPlan {
  const send: ManifestEntry[] = [];
  const remove: string[] = [];
  const changed = options.changed;
  const named = (p: string) => changed !== undefined && changed.size > 0 && (changed.has(p) || ancestorsOf(p).some((a) => changed.has(a)));
  for (const entry of host.values()) {
    const existing = remote.get(entry.path);
    if (existing === undefined) {
      send.push(entry);
      continue;
    }
    const why = entryDifference(entry, existing);
    if (why === undefined && !(entry.type !== 'dir' && named(entry.path))) continue;
    // A folder turning into a file (or back) is removed first, so no stale children survive.
    if (entry.type !== existing.type) remove.push(entry.path);
    send.push(entry);
  }
  const keep = options.keep ?? new Set<string>();
  for (const entry of remote.values()) {
    if (host.has(entry.path) || keep.has(entry.path)) continue;
    if (ancestorsOf(entry.path).some((a) => keep.has(a))) continue;
    if (options.isIgnored(entry.path, entry.type === 'dir')) continue;
    remove.push(entry.path);
  }
  send.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { send, remove: outermost(remove) };
}

export function isEmptyPlan(plan: SyncPlan): boolean {
  return plan.send.length === 0 && plan.remove.length === 0;
}
