// The record: what dsync believes each synced file and symlink in the
// container is, because it wrote it there or last saw it equal to the host's.
// A container entry that differs from its record entry (or has none) was
// changed or made inside the container, and is saved before dsync overwrites
// or removes it (see conflicts.ts). Folders are not recorded: only files and
// links hold anything to lose. Pure; persisted in the volume as JSON.
import type { EntryType, Manifest, ManifestEntry } from './manifest.js';
import { ancestorsOf } from '../base/paths.js';

export interface RecordEntry {
  type: Exclude<EntryType, 'dir'>;
  /** Bytes (files). */
  size: number;
  /** Whole seconds, as tar carries them. */
  mtime: number;
  /** Symlinks: the target. */
  target?: string;
}

export type SyncRecord = Map<string, RecordEntry>;

/** In the volume, next to state/last-sync.json. */
export const RECORD_FILE = 'state/record.json';
const VERSION = 1;

/** What a file actually went into the archive as (it may have changed since it was described). */
export interface Written {
  size: number;
  mtime: number;
}

export function toRecordEntry(entry: ManifestEntry, written?: Written): RecordEntry | undefined {
  if (entry.type === 'file') return { type: 'file', size: written?.size ?? entry.size, mtime: written?.mtime ?? entry.mtime };
  if (entry.type === 'symlink') return { type: 'symlink', size: 0, mtime: 0, target: entry.target };
  return undefined;
}

/** Whether the container's entry is what the record says dsync left there. */
export function matchesRecord(remote: ManifestEntry, recorded: RecordEntry | undefined): boolean {
  if (recorded === undefined || remote.type !== recorded.type) return false;
  if (remote.type === 'symlink') return remote.target === recorded.target;
  return remote.size === recorded.size && remote.mtime === recorded.mtime;
}

/**
 * The record after a full sync: the host's synced files, as they are now in
 * the container. `left` are plan paths that did not reach the container
 * (unreadable, vanished): their previous record entry stands.
 */
export function recordAfterFullSync(
  previous: SyncRecord | undefined,
  host: Manifest,
  left: ReadonlySet<string>,
  written: ReadonlyMap<string, Written>,
): SyncRecord {
  const next: SyncRecord = new Map();
  for (const entry of host.values()) {
    if (left.has(entry.path)) {
      const old = previous?.get(entry.path);
      if (old) next.set(entry.path, old);
      continue;
    }
    const recorded = toRecordEntry(entry, written.get(entry.path));
    if (recorded) next.set(entry.path, recorded);
  }
  return next;
}

/** Fold one live batch into the record: what it removed (with everything below) and what it sent. */
export function updateRecord(record: SyncRecord, sent: readonly ManifestEntry[], removed: readonly string[], written: ReadonlyMap<string, Written>): void {
  if (removed.length > 0) {
    const gone = new Set(removed);
    for (const p of record.keys()) {
      if (gone.has(p) || ancestorsOf(p).some((a) => gone.has(a))) record.delete(p);
    }
  }
  for (const entry of sent) {
    const recorded = toRecordEntry(entry, written.get(entry.path));
    if (recorded) record.set(entry.path, recorded);
    // A folder sent over a file or link replaced it, and everything that was there.
    else record.delete(entry.path);
  }
}

/** JSON, sorted by path, so an unchanged record serialises to the same text. */
export function serialiseRecord(record: SyncRecord): string {
  const paths = [...record.keys()].sort();
  const rows = paths.map((p) => {
    const e = record.get(p)!;
    return e.type === 'symlink' ? [p, 'l', e.target ?? ''] : [p, 'f', e.size, e.mtime];
  });
  return JSON.stringify({ version: VERSION, entries: rows });
}

/** The record written by serialiseRecord, or undefined when the text is not one (half-written, another version). */
export function parseRecord(text: string): SyncRecord | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const { version, entries } = data as { version?: unknown; entries?: unknown };
  if (version !== VERSION || !Array.isArray(entries)) return undefined;
  const record: SyncRecord = new Map();
  for (const row of entries as unknown[]) {
    if (!Array.isArray(row) || typeof row[0] !== 'string') return undefined;
    const [p, kind, a, b] = row as [string, unknown, unknown, unknown];
    if (kind === 'l' && typeof a === 'string') record.set(p, { type: 'symlink', size: 0, mtime: 0, target: a });
    else if (kind === 'f' && typeof a === 'number' && typeof b === 'number') record.set(p, { type: 'file', size: a, mtime: b });
    else return undefined;
  }
  return record;
}
