// The sync operations on one project and one container: a full manifest diff,
// a batch of changed paths, and a drift check. Holds the ignore rules, which
// a full sync reloads (ignore files may have changed).
import type { ContainerClient } from '../docker/container-client.js';
import { planBatch } from '../sync/batch-plan.js';
import { preflight } from '../sync/preflight.js';
import { describePath, type DescribeContext } from '../sync/describe.js';
import { diffManifests, type SyncPlan } from '../sync/diff.js';
import { walkHost } from '../sync/host-walk.js';
import type { Manifest } from '../sync/manifest.js';
import { parseRemoteListing, remoteListScript } from '../sync/remote-manifest.js';
import { applyPlan, emptyPackReport, writeVolumeFiles, type TransferResult, type TransferTarget } from '../sync/transfer.js';
import { TarStreamSink } from '../sync/tar-stream-sink.js';
import type { ExtraFile } from '../sync/tar-pack.js';
import { DEFAULT_IGNORES, IgnoreRules } from '../sync/ignore-rules.js';
import { DsyncError } from '../base/errors.js';
import type { Project } from '../docker/project.js';
import type { SavedConflict } from '../sync/conflict-store.js';
import { ConflictKeeper } from './conflict-keeper.js';

export interface SyncOutcome extends TransferResult {
  /** Paths that exist but could not be read, with the error code. */
  unreadable: Map<string, string>;
  /** What really reached the container (the plan minus what the archive left out). */
  plan: SyncPlan;
  /** Paths that moved on while they were sent (vanished or changed): look at them again in the next batch. */
  recheck: string[];
  /** The host manifest the plan was made from (full syncs only). */
  host?: Manifest;
}

export interface SyncerOptions {
  client: ContainerClient;
  project: Project;
  describe: DescribeContext;
  uid: number;
  gid: number;
  hostname: string;
  /** A changed container file was saved under /dsync/conflicts before the sync replaced it. */
  onConflictSaved?(saved: SavedConflict): void;
  now?(): Date;
}

export class Syncer {
  private rules: IgnoreRules;
  private sink: { containerId: string; sink: TarStreamSink | undefined } | undefined;
  private readonly keeper: ConflictKeeper;
  /** Transfers and record writes take turns: they share one in-container tar. */
  private turn: Promise<unknown> = Promise.resolve();
  containerId = '';
  private owner: { uid: number; gid: number };

  constructor(private readonly options: SyncerOptions) {
    // Until the first walk loads the ignore files: the defaults, within the synced scope.
    this.rules = new IgnoreRules(DEFAULT_IGNORES, options.describe.scope);
    this.owner = { uid: options.uid, gid: options.gid };
    this.keeper = new ConflictKeeper({
      client: options.client,
      project: options.project,
      now: options.now ?? (() => new Date()),
      onSaved: (saved) => options.onConflictSaved?.(saved),
    });
  }

  /** Who owns the files sent from now on (a dev container's user). */
  setOwner(uid: number, gid: number): void {
    this.owner = { uid, gid };
  }

  get ignoreRules(): IgnoreRules {
    return this.rules;
  }

  /**
   * Walk the host, list the container, save what the container changed, send
   * the difference. `changed`: paths events named (a batch too big for
   * per-path work, or retried after a lost connection): sent whatever the
   * diff says (see DiffOptions.changed).
   */
  async fullSync(seq: number, changed?: ReadonlySet<string>): Promise<SyncOutcome> {
    const [diff] = await Promise.all([this.computeDiff(changed), this.keeper.load(this.containerId)]);
    const checked = await preflight(this.options.describe, diff.plan);
    for (const [p, code] of checked.unreadable) diff.unreadable.set(p, code);
    return this.inTurn(async () => {
      await this.keeper.beforeFull(this.containerId, checked.plan, this.isIgnored);
      // A file that vanished after the walk is simply not sent; the watcher reports its removal.
      const result = await this.apply(checked.plan, seq, 'full');
      const outcome = { ...this.settle(result, checked.plan, diff.unreadable), host: diff.host };
      const reached = new Set(outcome.plan.send.map((e) => e.path));
      const left = new Set(diff.plan.send.map((e) => e.path).filter((p) => !reached.has(p)));
      this.keeper.afterFull({ host: diff.host, remote: diff.remote, plan: diff.plan, left, written: result.packed.written });
      await this.keeper.flush((file) => this.writeFile(file));
      return outcome;
    });
  }

  /** Sync only the given paths, looking at each on the host as it is now. */
  async syncPaths(paths: Iterable<string>, seq: number): Promise<SyncOutcome> {
    const batch = await planBatch(this.options.describe, this.rules, paths);
    const checked = await preflight(this.options.describe, batch.plan);
    for (const [p, code] of checked.unreadable) batch.unreadable.set(p, code);
    const plan = { send: checked.plan.send, remove: [...checked.plan.remove, ...checked.vanished] };
    return this.inTurn(async () => {
      await this.keeper.beforeBatch(this.containerId, plan, this.isIgnored);
      const result = await this.apply(plan, seq, 'batch');
      const outcome = this.settle(result, plan, batch.unreadable);
      this.keeper.afterBatch(outcome.plan.send, outcome.plan.remove, result.packed.written);
      return outcome;
    });
  }

  /** Whether live batches changed the record since it was written (see flushRecord). */
  get recordNeedsWrite(): boolean {
    return this.keeper.needsWrite;
  }

  /** Write the record to the volume if live batches changed it; live sync calls it when idle. */
  async flushRecord(): Promise<void> {
    await this.inTurn(async () => {
      await this.keeper.flush((file) => this.writeFile(file));
    });
  }

  /** The diff's rule: what the host ignores is left alone in the container (and never saved). */
  private readonly isIgnored = (p: string, isDir: boolean) => this.rules.inScope(p) && this.rules.isIgnored(p, isDir);

  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const run = this.turn.then(work, work);
    this.turn = run.catch(() => undefined);
    return run;
  }

  /** Fold what the archive left out into the outcome: warnings for refused names, retries for the rest. */
  private settle(result: TransferResult, plan: SyncPlan, unreadable: Map<string, string>): SyncOutcome {
    const { packed } = result;
    for (const [p, code] of packed.unreadable) unreadable.set(p, code);
    for (const p of packed.refused) {
      this.options.describe.warn(`refused:${p}`, `not sending ${JSON.stringify(p)}: its name or link target would leave the workspace`);
    }
    const left = new Set([...packed.vanished, ...packed.unreadable.keys(), ...packed.refused]);
    const sent = left.size === 0 ? plan : { send: plan.send.filter((e) => !left.has(e.path)), remove: plan.remove };
    return { ...result, unreadable, plan: sent, recheck: [...packed.vanished, ...packed.changed] };
  }

  /** Describe one host path now (for checking events against a snapshot). */
  describe(p: string) {
    return describePath(this.options.describe, p);
  }

  /** What a full sync would do now, without doing it. */
  async computeDiff(changed?: ReadonlySet<string>): Promise<{ plan: SyncPlan; unreadable: Map<string, string>; host: Manifest; remote: Manifest }> {
    const [walk, remote] = await Promise.all([walkHost(this.options.describe), this.listRemote()]);
    this.rules = walk.rules;
    const plan = diffManifests(walk.manifest, remote, {
      // Ignored paths are left alone in the container; paths outside the synced scope (an earlier layout's) are not kept.
      isIgnored: (p, isDir) => walk.rules.inScope(p) && walk.rules.isIgnored(p, isDir),
      keep: new Set(walk.unreadable.keys()),
      changed,
    });
    return { plan, unreadable: walk.unreadable, host: walk.manifest, remote };
  }

  async listRemote(): Promise<Manifest> {
    const result = await this.options.client.exec(this.containerId, {
      cmd: ['/bin/sh', '-c', remoteListScript(this.options.project.mirror)],
    });
    if (result.exitCode !== 0) {
      throw new DsyncError('TRANSFER', `listing the container's workspace failed (exit ${result.exitCode}): ${result.stderr.trim().split('\n')[0] ?? ''}`, {
        hint: 'the image needs /bin/sh with find and stat (busybox is enough)',
      });
    }
    return parseRemoteListing(result.stdout);
  }

  private async apply(plan: SyncPlan, seq: number, kind: 'full' | 'batch'): Promise<TransferResult> {
    if (plan.send.length === 0 && plan.remove.length === 0) return { sent: 0, removed: 0, bytes: 0, packed: emptyPackReport() };
    const sink = await this.streamSink();
    const state = {
      seq,
      kind,
      at: new Date().toISOString(),
      host: this.options.hostname,
      sent: plan.send.length,
      removed: plan.remove.length,
    };
    return applyPlan(this.target(sink), plan, state).catch(async (error: unknown) => {
      sink?.close();
      if (this.sink?.sink === sink) this.sink = undefined;
      // Part of the plan may be in the container now, written by dsync but not in its record.
      await this.keeper.transferFailed(this.containerId, plan);
      throw error;
    });
  }

  private async writeFile(file: ExtraFile): Promise<void> {
    const sink = await this.streamSink();
    await writeVolumeFiles(this.target(sink), [file]).catch((error: unknown) => this.dropSink(sink, error));
  }

  /** The stream is in an unknown state after any failure; start a fresh one next time. */
  private dropSink(sink: TarStreamSink | undefined, error: unknown): never {
    sink?.close();
    if (this.sink?.sink === sink) this.sink = undefined;
    throw error;
  }

  private target(sink: TarStreamSink | undefined): TransferTarget {
    return {
      client: this.options.client,
      containerId: this.containerId,
      volumeRoot: this.options.project.volumeRoot,
      hostRoot: this.options.describe.root,
      flavour: this.options.describe.platform.path,
      uid: this.owner.uid,
      gid: this.owner.gid,
      sink,
    };
  }

  private async streamSink(): Promise<TarStreamSink | undefined> {
    if (this.sink?.containerId !== this.containerId) {
      this.sink?.sink?.close();
      const sink = await TarStreamSink.probe(this.options.client, this.containerId, this.options.project.volumeRoot);
      this.sink = { containerId: this.containerId, sink };
    }
    return this.sink.sink;
  }

  close(): void {
    this.sink?.sink?.close();
    this.sink = undefined;
    this.keeper.close();
  }
}
