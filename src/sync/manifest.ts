// A manifest is what a tree holds, keyed by project path. The host's and the
// container's are built the same way so that a diff of the two is exact.

export type EntryType = 'file' | 'dir' | 'symlink';

export interface ManifestEntry {
  path: string;
  type: EntryType;
  /** Permission bits (0o777 range). */
  mode: number;
  /** Bytes; 0 for folders and links. */
  size: number;
  /** Whole seconds: tar carries seconds, so that is what survives the trip. */
  mtime: number;
  /** For symlinks: POSIX target relative to the link's folder. */
  target?: string;
}

export type Manifest = Map<string, ManifestEntry>;

/** Why two entries for one path differ, or undefined when they match. */
export function entryDifference(host: ManifestEntry, remote: ManifestEntry): string | undefined {
  if (host.type !== remote.type) return `type ${remote.type} -> ${host.type}`;
  if (host.type === 'symlink') return host.target === remote.target ? undefined : 'link target';
  if (host.mode !== remote.mode) return `mode ${remote.mode.toString(8)} -> ${host.mode.toString(8)}`;
  if (host.type === 'dir') return undefined;
  if (host.size !== remote.size) return 'size';
  if (host.mtime !== remote.mtime) return 'mtime';
  return undefined;
}
