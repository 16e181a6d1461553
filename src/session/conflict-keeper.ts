// Nothing made inside the container is lost: before a plan overwrites or
// removes a workspace file that changed since dsync last wrote it (or that
// was made inside), the container's copy is saved under /dsync/conflicts.
// The keeper holds the record (what dsync believes the container has), loads
// it from the volume once, keeps it current after every transfer and writes
// it back when it changed. A volume without a record (fresh, or from an older
// dsync) gets no check on its first sync, only a record.
import type { ContainerClient } from '../docker/container-client.js';
import type { Project } from '../docker/project.js';
import { findConflicts } from '../sync/conflicts.js';
import { saveConflicts, type SavedConflict } from '../sync/conflict-store.js';
import type { SyncPlan } from '../sync/diff.js';
import type { Manifest, ManifestEntry } from '../sync/manifest.js';
import {
  parseRecord,
  recordAfterFailure,
  recordAfterFullSync,
  RECORD_FILE,
  serialiseRecord,
  toRecordEntry,
  updateRecord,
  type FullSyncFacts,
  type SyncRecord,
  type Written,
} from '../sync/record.js';
import { ancestorsOf } from '../base/paths.js';
import { RemoteStat } from '../sync/remote-stat.js';
import type { ExtraFile } from '../sync/tar-pack.js';

export interface ConflictKeeperOptions {
  client: ContainerClient;
  project: Project;
  now(): Date;
  onSaved(saved: SavedConflict): void;
}

type IsIgnored = (p: string, isDir: boolean) => boolean;

export class ConflictKeeper {
  /** undefined until loaded, null when the volume had none (no check until one is written). */
  private record: SyncRecord | null | undefined;
  /** The record's text as the volume holds it now. */
  private stored: string | undefined;
  private dirty = false;
  /**
   * Files and links a failed transfer may have written, when looking at
   * them right after the failure was not possible: dsync's own doing, taken
   * into the record the next time a check looks at them.
   */
  private readonly uncertain = new Set<string>();
  private stat: { containerId: string; stat: RemoteStat } | undefined;

  constructor(private readonly options: ConflictKeeperOptions) {}

  /** Whether live batches changed the record since it was last written. */
  get needsWrite(): boolean {
    return this.dirty;
  }

  /** Read the record from the volume, once per session. */
  async load(containerId: string): Promise<void> {
    if (this.record !== undefined) return;
    const { client, project } = this.options;
    const result = await client.exec(containerId, { cmd: ['cat', `${project.volumeRoot}/${RECORD_FILE}`] });
    const record = result.exitCode === 0 ? parseRecord(result.stdout) : undefined;
    // A record that exists but does not parse (cut short by a full volume or a kill) is not "no record":
    // checking against an empty one saves every file the plan changes, a few copies too many at worst.
    this.record = record ?? (result.exitCode === 0 ? new Map() : null);
    this.stored = record ? result.stdout : undefined;
  }

  /**
   * Before a full sync's plan is applied: save what it would lose. The
   * listing the plan came from may be seconds old on a big tree (an attached
   * editor or postCreateCommand may have written since), so the paths the
   * plan touches are looked at again now, as for a live batch.
   */
  async beforeFull(containerId: string, plan: SyncPlan, isIgnored: IsIgnored): Promise<void> {
    await this.beforeBatch(containerId, plan, isIgnored);
  }

  /** Before a live batch's plan is applied: look at its paths in the container, then save what it would lose. */
  async beforeBatch(containerId: string, plan: SyncPlan, isIgnored: IsIgnored): Promise<void> {
    if (!this.record) return;
    const stat = await this.remoteStat(containerId);
    const remote = await stat.list(
      plan.send.map((e) => e.path),
      plan.remove,
    );
    // A file or link sent where the container has a folder replaces the folder and all it holds.
    const replaced = plan.send.filter((e) => e.type !== 'dir' && remote.get(e.path)?.type === 'dir').map((e) => e.path);
    if (replaced.length > 0) for (const [p, e] of await stat.list([], replaced)) remote.set(p, e);
    this.settleUncertain(plan, replaced, remote);
    await this.save(containerId, findConflicts(plan, remote, this.record, isIgnored));
  }

  /**
   * A transfer failed part-way (a batch retried after a file changed while
   * it was packed, an extraction error, a lost stream): some of its entries
   * may be in the container, written by dsync but not recorded. Look at its
   * paths now and take what is there into the record; when even that fails
   * (the container is gone), the sent paths stay uncertain until they are
   * next looked at. Never a conflict either way: they are dsync's writes.
   */
  async transferFailed(containerId: string, plan: SyncPlan): Promise<void> {
    if (!this.record) return;
    const written = plan.send.filter((e) => e.type !== 'dir').map((e) => e.path);
    try {
      const stat = await this.remoteStat(containerId);
      recordAfterFailure(this.record, plan, await stat.list(written, plan.remove));
      for (const p of written) this.uncertain.delete(p);
      this.dirty = true;
    } catch {
      for (const p of written) this.uncertain.add(p);
    }
  }

  /** Uncertain paths the check just looked at: what is there is dsync's (recorded), what is not there is forgotten. */
  private settleUncertain(plan: SyncPlan, replaced: readonly string[], remote: Manifest): void {
    if (this.uncertain.size === 0 || !this.record) return;
    const trees = new Set([...plan.remove, ...replaced]);
    const sent = new Set(plan.send.map((e) => e.path));
    for (const p of [...this.uncertain]) {
      const seen = remote.get(p);
      if (seen === undefined && !sent.has(p) && !trees.has(p) && !ancestorsOf(p).some((a) => trees.has(a))) continue;
      const recorded = seen === undefined ? undefined : toRecordEntry(seen);
      if (recorded) this.record.set(p, recorded);
      else this.record.delete(p);
      this.uncertain.delete(p);
      this.dirty = true;
    }
  }

  /** After a full sync: the record follows the container (see recordAfterFullSync). */
  afterFull(facts: FullSyncFacts): void {
    this.record = recordAfterFullSync(this.record ?? undefined, facts);
    // Every uncertain path still in the container either equals the host's now or was looked at before the plan touched it.
    this.uncertain.clear();
    this.dirty = true;
  }

  /** After a live batch: what it really sent and removed. */
  afterBatch(sent: readonly ManifestEntry[], removed: readonly string[], written: ReadonlyMap<string, Written>): void {
    if (!this.record) return;
    if (sent.length === 0 && removed.length === 0) return;
    updateRecord(this.record, sent, removed, written);
    this.dirty = true;
  }

  /** Write the record if it differs from what the volume holds. */
  async flush(write: (file: ExtraFile) => Promise<void>): Promise<void> {
    if (!this.dirty || !this.record) return;
    this.dirty = false;
    const text = serialiseRecord(this.record);
    if (text === this.stored) return;
    try {
      await write({ name: RECORD_FILE, content: text });
      this.stored = text;
    } catch (error) {
      this.dirty = true;
      throw error;
    }
  }

  close(): void {
    this.stat?.stat.close();
    this.stat = undefined;
  }

  private async save(containerId: string, conflicts: ReturnType<typeof findConflicts>): Promise<void> {
    if (conflicts.length === 0) return;
    const { client, project } = this.options;
    const saved = await saveConflicts(client, containerId, project.volumeRoot, project.mirror, conflicts, this.options.now());
    for (const s of saved) this.options.onSaved(s);
  }

  private async remoteStat(containerId: string): Promise<RemoteStat> {
    if (this.stat?.containerId !== containerId) {
      this.stat?.stat.close();
      this.stat = { containerId, stat: await RemoteStat.probe(this.options.client, containerId, this.options.project.mirror) };
    }
    return this.stat.stat;
  }
}
