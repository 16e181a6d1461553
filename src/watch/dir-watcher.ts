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
import { promises as fsp, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { toProjectPath } from '../base/paths.js';
import type { Watcher, WatcherFactory, WatchKind } from './watcher.js';

interface Watched {
  watcher: FSWatcher;
  ino: number;
}

const errnoOf = (error: unknown) => (error as NodeJS.ErrnoException)?.code;

export function dirWatcherFactory(): WatcherFactory {
  return (options) => {
    const { root } = options;
    const watched = new Map<string, Watched>();
    let closed = false;
    let limitSaid = false;

    const emit = (absolute: string, kind: WatchKind) => {
      const p = toProjectPath(root, absolute, path.posix);
      if (p !== undefined && !closed) options.onEvent({ path: p, kind });
    };

    const unwatchBelow = (dir: string) => {
      for (const [d, w] of watched) {
        if (d === dir || d.startsWith(`${dir}/`)) {
          w.watcher.close();
          watched.delete(d);
        }
      }
    };

    const inFlight = new Map<string, Promise<void>>();
    /** Watch `dir` and every folder below it that is not ignored (once at a time per folder). */
    const watchTree = (dir: string): Promise<void> => {
      const running = inFlight.get(dir);
      if (running) return running;
      const started = watchTreeNow(dir).finally(() => inFlight.delete(dir));
      inFlight.set(dir, started);
      return started;
    };

    const watchTreeNow = async (dir: string): Promise<void> => {
      if (closed) return;
      let ino: number;
      try {
        ino = (await fsp.lstat(dir)).ino;
      } catch {
        return; // gone already: its parent reports that
      }
      const existing = watched.get(dir);
      if (existing?.ino === ino) return;
      if (existing) unwatchBelow(dir);
      let watcher: FSWatcher;
      try {
        watcher = watch(dir, { persistent: true }, (_event, name) => onEntry(dir, name === null ? null : String(name)));
      } catch (error) {
        const code = errnoOf(error);
        if (code === 'ENOENT' || code === 'ENOTDIR') return;
        if (code === 'ENOSPC') {
          if (!limitSaid) {
            limitSaid = true;
            options.onError(new Error(`the system's limit of inotify watches is reached (fs.inotify.max_user_watches); changes under ${dir} and other folders are not seen. Raise it, e.g. sysctl fs.inotify.max_user_watches=524288`));
          }
          return;
        }
        options.onError(error);
        return;
      }
      watcher.on('error', (error) => {
        // The folder went away under its watch: its parent's event says so.
        if (errnoOf(error) !== 'EPERM' && errnoOf(error) !== 'ENOENT') options.onError(error);
      });
      watched.set(dir, { watcher, ino });
      let entries: import('node:fs').Dirent[];
      try {
        entries = await fsp.readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      await Promise.all(
        entries
          .filter((e) => e.isDirectory())
          .map((e) => path.join(dir, e.name))
          .filter((child) => !options.ignored(child, true))
          .map((child) => watchTree(child)),
      );
    };

    /** Something changed in `dir` (name: the entry; null: unknown, look at the folder). */
    const onEntry = (dir: string, name: string | null) => {
      if (closed) return;
      if (name === null) {
        emit(dir, 'change');
        return;
      }
      const absolute = path.join(dir, name);
      void fsp.lstat(absolute).then(
        async (stats) => {
          if (stats.isDirectory()) {
            if (options.ignored(absolute, true)) return;
            const known = watched.get(absolute);
            if (known?.ino === stats.ino) return; // the folder's own times or mode: its contents report themselves
            await watchTree(absolute);
            emit(absolute, known ? 'change' : 'addDir');
            return;
          }
          if (watched.has(absolute)) unwatchBelow(absolute); // a folder replaced by a file
          if (!options.ignored(absolute, false)) emit(absolute, 'change');
        },
        () => {
          const wasDir = watched.has(absolute);
          if (wasDir) unwatchBelow(absolute);
          if (!options.ignored(absolute, wasDir)) emit(absolute, wasDir ? 'unlinkDir' : 'unlink');
        },
      );
    };

    const ready = watchTree(root);
    const watcher: Watcher = {
      ready,
      close: async () => {
        closed = true;
        await ready.catch(() => undefined);
        for (const w of watched.values()) w.watcher.close();
        watched.clear();
      },
    };
    return watcher;
  };
}
