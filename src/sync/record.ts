// The record: what dsync believes each synced file and symlink in the
// container is, because it wrote it there or last saw it equal to the host's.
// A container entry that differs from its record entry (or has none) was
// changed or made inside the container, and is saved before dsync overwrites
// or removes it (see conflicts.ts). Folders are not recorded: only files and
// links hold anything to lose. Pure; persisted in the volume as JSON.
import type { SyncPlan } from './diff.js';
import { entryDifference, type EntryType, type Manifest, type ManifestEntry } from './manifest.js';
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

/** What a full sync saw and did, for the record that follows it. */
export interface FullSyncFacts {
  /** The host's entries the plan was made from. */
  host: Manifest;
  /** The container's entries when the plan was made (its listing). */
  remote: Manifest;
  /** The plan as the diff made it. */
  plan: SyncPlan;
  /** Plan entries that did not reach the container (vanished, unreadable): the container still has what it had. */
  left: ReadonlySet<string>;
  /** Files as the archive really carried them. */
  written: ReadonlyMap<string, Written>;
}

/**
 * The record after a full sync, built from what the container holds rather
 * than from what the host has: every container entry the sync left alone
 * is recorded as listed when it equals the host's (dsync's or not, nothing
 * of it would be lost), and keeps its previous record entry otherwise (a
 * folder the host could not read keeps the container's copy, and with it
 * the record of what dsync wrote there). What the sync sent is recorded as
 * written; what it removed is gone.
 */
export function recordAfterFullSync(previous: SyncRecord | undefined, facts: FullSyncFacts): SyncRecord {
  const { host, remote, plan, left, written } = facts;
  const next: SyncRecord = new Map();
  const removed = new Set(plan.remove);
  const wasRemoved = (p: string) => removed.has(p) || ancestorsOf(p).some((a) => removed.has(a));
  const keepPrevious = (p: string) => {
    const old = previous?.get(p);
    if (old) next.set(p, old);
  };
  const sent = new Set(plan.send.map((e) => e.path));
  for (const entry of remote.values()) {
    if (entry.type === 'dir' || sent.has(entry.path) || wasRemoved(entry.path)) continue;
    const own = host.get(entry.path);
    if (own !== undefined && entryDifference(own, entry) === undefined) next.set(entry.path, toRecordEntry(entry)!);
    else keepPrevious(entry.path);
  }
  for (const entry of plan.send) {
    if (left.has(entry.path)) {
      if (!wasRemoved(entry.path)) keepPrevious(entry.path);
      continue;
    }
    const recorded = toRecordEntry(entry, written.get(entry.path));
    if (recorded) next.set(entry.path, recorded);
  }
  return next;
}

/**
 * After a transfer that failed part-way, what the container holds now at
 * the plan's paths (`seen`: its entries at the sent paths and below the
 * removed ones). Whatever is at a sent path is dsync's own doing (all of
 * it, or none, or a file cut short), so it is taken as written; a removed
 * path no longer there is forgotten.
 */
export function recordAfterFailure(record: SyncRecord, plan: SyncPlan, seen: Manifest): void {
  for (const entry of plan.send) {
    const now = seen.get(entry.path);
    const recorded = now === undefined ? undefined : toRecordEntry(now);
    if (recorded) record.set(entry.path, recorded);
    else record.delete(entry.path);
  }
  if (plan.remove.length === 0) return;
  const removed = new Set(plan.remove);
  for (const p of record.keys()) {
    if (seen.has(p)) continue;
    if (removed.has(p) || ancestorsOf(p).some((a) => removed.has(a))) record.delete(p);
  }
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
