// The Linux watcher: one inotify watch (fs.watch) per folder, none per file.
//
// chokidar watches every file with an fs.watch of its own: on a 50,000-file
// project that is 50,000 inotify watches and about 150 MB of heap, and its
// start-up stats every file. An inotify watch on a folder already reports
// every change of the entries in it, and dsync looks at each path as it is
// at transfer time (a folder path is sent with everything below it), so a
// watcher only has to say which paths moved; it never needs a file's stats.
//
// - A new folder is watched (with everything below it) before its path is
//   reported, so nothing created inside it in between is missed: the sync
//   walks it after that point.
// - A folder replaced by another of the same name (a new inode) is watched
//   afresh; a removed one has its watches closed.
// - Ignored folders are never watched (node_modules costs nothing).
import { promises as fsp, watch, type Dirent, type FSWatcher, type Stats } from 'node:fs';
import path from 'node:path';
import { errnoCode } from '../base/errors.js';
import { toProjectPath } from '../base/paths.js';
import type { Watcher, WatcherFactory, WatcherOptions, WatchKind } from './watcher.js';

interface Watched {
  watcher: FSWatcher;
  ino: number;
}

export function dirWatcherFactory(): WatcherFactory {
  return Object.assign((options: WatcherOptions) => new DirWatcher(options), { watcherName: 'inotify folders' });
}

class DirWatcher implements Watcher {
  readonly ready: Promise<void>;
  /** Absolute folder -> its watch and the inode it was made for. */
  private readonly watched = new Map<string, Watched>();
  /** Folders being watched right now (with what is below them): one walk per folder at a time. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private closed = false;
  private limitSaid = false;

  constructor(private readonly options: WatcherOptions) {
    this.ready = this.watchTree(options.root);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.ready.catch(() => undefined);
    for (const w of this.watched.values()) w.watcher.close();
    this.watched.clear();
  }

  private emit(absolute: string, kind: WatchKind): void {
    const p = toProjectPath(this.options.root, absolute, path.posix);
    if (p !== undefined && !this.closed) this.options.onEvent({ path: p, kind });
  }

  private unwatchBelow(dir: string): void {
    for (const [d, w] of this.watched) {
      if (d === dir || d.startsWith(`${dir}/`)) {
        w.watcher.close();
        this.watched.delete(d);
      }
    }
  }

  /** Watch `dir` and every folder below it that is not ignored (once at a time per folder). */
  private watchTree(dir: string): Promise<void> {
    const running = this.inFlight.get(dir);
    if (running) return running;
    const started = this.watchTreeNow(dir).finally(() => this.inFlight.delete(dir));
    this.inFlight.set(dir, started);
    return started;
  }

  private async watchTreeNow(dir: string): Promise<void> {
    if (this.closed) return;
    let ino: number;
    try {
      ino = (await fsp.lstat(dir)).ino;
    } catch {
      return; // gone already: its parent reports that
    }
    const existing = this.watched.get(dir);
    if (existing?.ino === ino) return;
    if (existing) this.unwatchBelow(dir);
    if (!this.watchFolder(dir, ino)) return;
    let entries: Dirent[];
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    await Promise.all(
      entries
        .filter((e) => e.isDirectory())
        .map((e) => path.join(dir, e.name))
        .filter((child) => !this.options.ignored(child, true))
        .map((child) => this.watchTree(child)),
    );
  }

  /** One inotify watch on `dir`; false when it could not be made (gone, or the system's limit reached: said once). */
  private watchFolder(dir: string, ino: number): boolean {
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, { persistent: true }, (_event, name) => this.onEntry(dir, name === null ? null : String(name)));
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') return false;
      if (code !== 'ENOSPC') this.options.onError(error);
      else if (!this.limitSaid) {
        this.limitSaid = true;
        this.options.onError(
          new Error(
            `the system's limit of inotify watches is reached (fs.inotify.max_user_watches); changes under ${dir} and other folders are not seen. Raise it, e.g. sysctl fs.inotify.max_user_watches=524288`,
          ),
        );
      }
      return false;
    }
    watcher.on('error', (error) => {
      // The folder went away under its watch: its parent's event says so.
      if (errnoCode(error) !== 'EPERM' && errnoCode(error) !== 'ENOENT') this.options.onError(error);
    });
    this.watched.set(dir, { watcher, ino });
    return true;
  }

  /** Something changed in `dir` (name: the entry; null: unknown, look at the folder). */
  private onEntry(dir: string, name: string | null): void {
    if (this.closed) return;
    if (name === null) {
      this.emit(dir, 'change');
      return;
    }
    const absolute = path.join(dir, name);
    void fsp.lstat(absolute).then(
      (stats) => this.changed(absolute, stats),
      () => {
        const wasDir = this.watched.has(absolute);
        if (wasDir) this.unwatchBelow(absolute);
        if (!this.options.ignored(absolute, wasDir)) this.emit(absolute, wasDir ? 'unlinkDir' : 'unlink');
      },
    );
  }

  /** An entry that exists: a folder is watched (before it is reported), a file reported. */
  private async changed(absolute: string, stats: Stats): Promise<void> {
    if (stats.isDirectory()) {
      if (this.options.ignored(absolute, true)) return;
      const known = this.watched.get(absolute);
      if (known?.ino === stats.ino) return; // the folder's own times or mode: its contents report themselves
      await this.watchTree(absolute);
      this.emit(absolute, known ? 'change' : 'addDir');
      return;
    }
    if (this.watched.has(absolute)) this.unwatchBelow(absolute); // a folder replaced by a file
    if (!this.options.ignored(absolute, false)) this.emit(absolute, 'change');
  }
}
