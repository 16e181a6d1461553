// Packs manifest entries into one tar stream with tar-stream. dsync writes
// every header itself (POSIX names built from project paths, explicit
// uid/gid, the decided mode, link targets already vetted) and reads each file
// through one open descriptor, so the archive never depends on the file
// system holding still:
// - a file that vanished (or turned into something else) since it was
//   described is left out and reported, never an error of the whole stream
//   (tar-fs's pack destroys the stream on the first failed lstat, which
//   under an edit storm crashed `dsync up`: issue 18);
// - a file that shrinks while it is read is padded, one that grows is cut at
//   the size in its header, and both are reported as changed so the next
//   batch sends them again;
// - a name or link target that could leave the workspace is refused here,
//   whatever the extractor does (the stream path runs tar with
//   --absolute-names, so tar's own checks are off).
import { constants as fsConstants, promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import tarStream, { type Header, type Pack } from 'tar-stream';
import { errnoCode } from '../base/errors.js';
import type { ManifestEntry } from './manifest.js';
import { isProjectPath, linkTargetStaysInside, toHostPath } from '../base/paths.js';
import type { PathFlavour } from '../base/platform.js';

export interface ExtraFile {
  name: string;
  content: string | Buffer;
  mode?: number;
}

export interface PackOptions {
  root: string;
  flavour: PathFlavour;
  entries: readonly ManifestEntry[];
  uid: number;
  gid: number;
  /** Prepended to every entry name, e.g. "workspace/" when extracting at the volume root. */
  prefix: string;
  /** Small in-memory files added after the entries (state written alongside the sync). */
  extra?: readonly ExtraFile[];
}

/** What really went into the archive, known once the stream has ended. */
export interface PackReport {
  /** Gone (or no longer a regular file) when it was opened: not in the archive. */
  vanished: string[];
  /** Changed while it was read: in the archive, but worth sending again. */
  changed: string[];
  /** Exists but could not be opened now (locked, no permission): path -> code. */
  unreadable: Map<string, string>;
  /** Refused because its name or link target would leave the workspace. */
  refused: string[];
  /** Files as their headers went out (size, whole-second mtime): what the container holds now, whatever was described earlier. */
  written: Map<string, { size: number; mtime: number }>;
}

export interface PackedArchive {
  stream: Readable;
  /** Settles when the last entry was written; rejects only on a bug-level failure. */
  report: Promise<PackReport>;
}

type EntrySink = ReturnType<Pack['entry']>;

const CHUNK = 256 * 1024;
/** O_NOFOLLOW where the platform has it: a file swapped for a symlink is not followed out of the project. */
const OPEN_FLAGS = fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0);
const GONE = new Set(['ENOENT', 'ENOTDIR', 'ELOOP', 'EISDIR']);

export function packEntries(options: PackOptions): PackedArchive {
  const pack = tarStream.pack();
  // Nothing below destroys the pack for a file-system reason; this listener
  // only keeps a consumer that attaches late from turning a real failure into
  // an uncaught 'error' event (it still reaches the consumer and `report`).
  pack.on('error', () => undefined);
  const report: PackReport = { vanished: [], changed: [], unreadable: new Map(), refused: [], written: new Map() };
  const done = (async () => {
    try {
      // Small files are opened and read a few ahead while earlier ones are written:
      // one after another, a file's open/stat/read/close round trips cost more than its bytes.
      const ahead: Array<Promise<Prepared>> = [];
      let next = 0;
      const fill = () => {
        while (ahead.length < READ_AHEAD && next < options.entries.length) ahead.push(prepare(options, options.entries[next++]!));
      };
      fill();
      while (ahead.length > 0) {
        const prepared = await ahead.shift()!;
        fill();
        await addPrepared(pack, options, prepared, report);
      }
      for (const file of options.extra ?? []) {
        if (!isProjectPath(file.name)) throw new Error(`refusing unsafe archive name ${JSON.stringify(file.name)}`);
        const content = typeof file.content === 'string' ? Buffer.from(file.content) : file.content;
        await writeEntry(pack, { name: file.name, mode: file.mode ?? 0o644, uid: options.uid, gid: options.gid, mtime: new Date(), type: 'file', size: content.length }, content);
      }
      pack.finalize();
      return report;
    } catch (error) {
      pack.destroy(error as Error);
      throw error;
    }
  })();
  // The caller awaits `report` after the stream; never leave it unhandled meanwhile.
  done.catch(() => undefined);
  return { stream: pack as unknown as Readable, report: done };
}

/** Files up to this size are read whole, ahead of their turn; bigger ones are streamed in their turn. */
const SMALL_FILE = 1024 * 1024;
const READ_AHEAD = 16;

/** A file read ahead of its turn, or what happened when it was tried; anything else is packed in its turn. */
type Prepared = { entry: ManifestEntry; read?: { data: Buffer; mtimeMs: number; changed: boolean } };

async function prepare(options: PackOptions, entry: ManifestEntry): Promise<Prepared> {
  if (entry.type !== 'file' || entry.size > SMALL_FILE || !isProjectPath(entry.path)) return { entry };
  let handle: FileHandle;
  try {
    handle = await fsp.open(toHostPath(options.root, entry.path, options.flavour), OPEN_FLAGS);
  } catch {
    // Not there (or not readable) yet: it is looked at again in its turn, as every other entry.
    return { entry };
  }
  try {
    const before = await handle.stat();
    if (!before.isFile()) return { entry };
    // It grew past what is read ahead since it was described: stream it in its turn.
    if (before.size > SMALL_FILE) return { entry };
    const data = Buffer.alloc(before.size);
    let got = 0;
    while (got < data.length) {
      const n = await handle.read(data, got, data.length - got, got).then(
        (r) => r.bytesRead,
        () => 0,
      );
      if (n === 0) break;
      got += n;
    }
    const after = await handle.stat().catch(() => undefined);
    // Short (padded with zeros) or moved on while read: sent as it is and looked at again.
    const changed = got < data.length || !after || after.size !== before.size || after.mtimeMs !== before.mtimeMs;
    return { entry, read: { data, mtimeMs: before.mtimeMs, changed } };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

async function addPrepared(pack: Pack, options: PackOptions, prepared: Prepared, report: PackReport): Promise<void> {
  const { entry, read } = prepared;
  if (read === undefined) return addEntry(pack, options, entry, report);
  const name = options.prefix + entry.path;
  if (!isProjectPath(name)) {
    report.refused.push(entry.path);
    return;
  }
  const mtime = new Date(Math.floor(read.mtimeMs / 1000) * 1000);
  await writeEntry(pack, { name, uid: options.uid, gid: options.gid, mode: entry.mode, mtime, type: 'file', size: read.data.length }, read.data);
  report.written.set(entry.path, { size: read.data.length, mtime: mtime.getTime() / 1000 });
  if (read.changed) report.changed.push(entry.path);
}

async function addEntry(pack: Pack, options: PackOptions, entry: ManifestEntry, report: PackReport): Promise<void> {
  const name = options.prefix + entry.path;
  if (!isProjectPath(entry.path) || !isProjectPath(name)) {
    report.refused.push(entry.path);
    return;
  }
  const base = { name, uid: options.uid, gid: options.gid, mode: entry.mode, mtime: new Date(entry.mtime * 1000) };
  if (entry.type === 'dir') {
    await writeEntry(pack, { ...base, type: 'directory' });
    return;
  }
  if (entry.type === 'symlink') {
    if (entry.target === undefined || !linkTargetStaysInside(entry.path, entry.target)) {
      report.refused.push(entry.path);
      return;
    }
    await writeEntry(pack, { ...base, mode: 0o777, type: 'symlink', linkname: entry.target });
    return;
  }
  let handle: FileHandle;
  try {
    handle = await fsp.open(toHostPath(options.root, entry.path, options.flavour), OPEN_FLAGS);
  } catch (error) {
    const code = errnoCode(error) ?? 'EIO';
    if (GONE.has(code)) report.vanished.push(entry.path);
    else report.unreadable.set(entry.path, code);
    return;
  }
  try {
    const before = await handle.stat();
    if (!before.isFile()) {
      report.vanished.push(entry.path);
      return;
    }
    const size = before.size;
    const mtime = Math.floor(before.mtimeMs / 1000);
    const sink = pack.entry({ ...base, type: 'file', size, mtime: new Date(mtime * 1000) });
    report.written.set(entry.path, { size, mtime });
    const finished = entryFinished(sink);
    let offset = 0;
    let short = false;
    while (offset < size) {
      const want = Math.min(CHUNK, size - offset);
      const buffer = Buffer.allocUnsafe(want);
      let got = 0;
      if (!short) {
        try {
          got = (await handle.read(buffer, 0, want, offset)).bytesRead;
        } catch {
          got = 0; // read errors mid-file (a network share going away): pad, and send it again later
        }
      }
      if (got < want) {
        // The file shrank under us: pad to the size promised in the header.
        buffer.fill(0, got);
        short = true;
      }
      offset += want;
      if (!sink.write(buffer)) await drained(sink);
    }
    (sink as unknown as { end(): void }).end();
    await finished;
    const after = await handle.stat().catch(() => undefined);
    if (short || !after || after.size !== size || after.mtimeMs !== before.mtimeMs) report.changed.push(entry.path);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Add one entry and wait until tar-stream has taken all of it. */
function writeEntry(pack: Pack, header: Partial<Header> & Pick<Header, 'name'>, content?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry(header, content ?? Buffer.alloc(0), (error?: Error | null) => (error ? reject(error) : resolve()));
  });
}

function entryFinished(sink: EntrySink): Promise<void> {
  return new Promise((resolve, reject) => {
    sink.once('finish', () => resolve());
    sink.once('close', () => resolve());
    sink.once('error', reject);
  });
}

function drained(sink: EntrySink): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      sink.off('drain', done);
      sink.off('close', done);
      resolve();
    };
    sink.on('drain', done);
    sink.on('close', done);
  });
}

/** A tar of in-memory files (build contexts, helper scripts), owned by root. */
export function packFiles(files: readonly ExtraFile[]): Readable {
  return packEntries({ root: '.', flavour: path.posix, entries: [], uid: 0, gid: 0, prefix: '', extra: files }).stream;
}
