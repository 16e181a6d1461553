// Applies a sync plan to the container: one exec removes what the host no
// longer has, one tar carries everything that exists. Both go through the
// Engine API only.
import type { ContainerClient } from '../docker/container-client.js';
import { DsyncError } from '../base/errors.js';
import type { SyncPlan } from './diff.js';
import { shellQuote } from './remote-manifest.js';
import type { PathFlavour } from '../base/platform.js';
import { packEntries, type ExtraFile, type PackReport } from './tar-pack.js';
import type { TarStreamSink } from './tar-stream-sink.js';

export interface TransferTarget {
  client: ContainerClient;
  containerId: string;
  /** The volume mount point; the workspace is <volumeRoot>/workspace. */
  volumeRoot: string;
  hostRoot: string;
  flavour: PathFlavour;
  uid: number;
  gid: number;
  /** A persistent in-container tar, when the image has one; else putArchive per batch. */
  sink?: TarStreamSink;
}

export interface TransferResult {
  sent: number;
  removed: number;
  bytes: number;
  /** What the archive left out or wants sent again (see PackReport); empty when nothing was packed. */
  packed: PackReport;
}

export function emptyPackReport(): PackReport {
  return { vanished: [], changed: [], unreadable: new Map(), refused: [], written: new Map() };
}

export const WORKSPACE_DIR = 'workspace';
export const STATE_FILE = 'state/last-sync.json';

/** Keep each rm's argument list well under ARG_MAX. */
const REMOVE_CHUNK_BYTES = 64 * 1024;

export async function applyPlan(target: TransferTarget, plan: SyncPlan, state?: object): Promise<TransferResult> {
  const workspace = `${target.volumeRoot}/${WORKSPACE_DIR}`;
  const stateJson = state ? JSON.stringify(state) : undefined;
  if (plan.remove.length > 0) {
    const writeState = plan.send.length === 0 ? stateJson : undefined;
    for (const chunk of chunkPaths(plan.remove)) {
      await removeInContainer(target, workspace, chunk, writeState);
    }
  }
  if (plan.send.length === 0) return { sent: 0, removed: plan.remove.length, bytes: 0, packed: emptyPackReport() };
  const archive = packEntries({
    root: target.hostRoot,
    flavour: target.flavour,
    entries: plan.send,
    uid: target.uid,
    gid: target.gid,
    prefix: `${WORKSPACE_DIR}/`,
    extra: stateJson ? [{ name: STATE_FILE, content: stateJson }] : [],
  });
  if (target.sink && stateJson) await target.sink.send(archive.stream, STATE_FILE);
  else await target.client.putArchive(target.containerId, target.volumeRoot, archive.stream);
  const packed = await archive.report;
  const left = new Set([...packed.vanished, ...packed.unreadable.keys(), ...packed.refused]);
  let bytes = 0;
  let sent = 0;
  for (const entry of plan.send) {
    if (left.has(entry.path)) continue;
    sent++;
    bytes += entry.size;
  }
  return { sent, removed: plan.remove.length, bytes, packed };
}

/** Write small files into the volume (outside the workspace) through the same path as a sync. */
export async function writeVolumeFiles(target: TransferTarget, files: readonly ExtraFile[]): Promise<void> {
  const last = files.at(-1);
  if (last === undefined) return;
  const archive = packEntries({ root: target.hostRoot, flavour: target.flavour, entries: [], uid: target.uid, gid: target.gid, prefix: '', extra: files });
  if (target.sink) await target.sink.send(archive.stream, last.name);
  else await target.client.putArchive(target.containerId, target.volumeRoot, archive.stream);
  await archive.report;
}

async function removeInContainer(target: TransferTarget, workspace: string, paths: string[], state: string | undefined): Promise<void> {
  const script = [
    `cd ${shellQuote(workspace)} || exit 3`,
    // A path below something that is now a file (a folder replaced by a file)
    // makes rm fail with ENOTDIR although there is nothing to remove: retry
    // one by one, skipping what does not exist.
    'rm -rf -- "$@" 2>/dev/null || for p do if [ -e "$p" ] || [ -L "$p" ]; then rm -rf -- "$p" || exit 4; fi; done',
    state === undefined ? '' : `mkdir -p ../state && printf '%s' ${shellQuote(state)} > ../${STATE_FILE}`,
  ].join('\n');
  const result = await target.client.exec(target.containerId, { cmd: ['/bin/sh', '-c', script, 'dsync-rm', ...paths] });
  if (result.exitCode !== 0) {
    throw new DsyncError('TRANSFER', `removing ${paths.length} path(s) in the container failed (exit ${result.exitCode}): ${result.stderr.trim()}`);
  }
}

export function chunkPaths(paths: readonly string[], limit = REMOVE_CHUNK_BYTES): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let size = 0;
  for (const p of paths) {
    const cost = Buffer.byteLength(p) + 1;
    if (current.length > 0 && size + cost > limit) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(p);
    size += cost;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
