// The only file that imports chokidar.
import { watch } from 'chokidar';
import { promises as fsp, type Stats } from 'node:fs';
import { toProjectPath } from '../base/paths.js';
import type { PathFlavour } from '../base/platform.js';
import type { Watcher, WatcherFactory, WatcherOptions, WatchKind } from './watcher.js';

/**
 * chokidar drops a file's 'change' events for 50 ms after one is emitted
 * (and raw events for 5 ms), with no trailing event: a second save inside
 * that window (format-on-save, a quick undo) would never be synced. So after
 * every add/change dsync looks at the file once more, a little later, and
 * reports a change itself if it moved on since.
 */
const TRAILING_CHECK_MS = 60;
const REWATCH_SETTLE_MS = 150;

export function chokidarWatcherFactory(flavour: PathFlavour): WatcherFactory {
  const factory = (options: WatcherOptions): Watcher => {
    const fsWatcher = watch(options.root, {
      ignoreInitial: true,
      followSymlinks: false,
      // Ignored trees are never watched, so node_modules costs no watches.
      ignored: (p: string, stats?: Stats) => options.ignored(p, stats ? stats.isDirectory() : undefined),
      // chokidar's atomic mode turns an editor's unlink+add of the same file
      // within 100 ms into one change; dsync stats at transfer time anyway.
      atomic: true,
    });
    const trailing = new Map<string, NodeJS.Timeout>();
    let closed = false;
    const emit = (kind: WatchKind, absolute: string) => {
      const p = toProjectPath(options.root, absolute, flavour);
      if (p !== undefined) options.onEvent({ path: p, kind });
    };
    const recheckLater = (absolute: string, seen: Stats | undefined) => {
      clearTimeout(trailing.get(absolute));
      trailing.set(
        absolute,
        setTimeout(() => {
          trailing.delete(absolute);
          if (closed) return;
          fsp.lstat(absolute).then(
            (now) => {
              if (!closed && (!seen || now.mtimeMs !== seen.mtimeMs || now.size !== seen.size || now.ino !== seen.ino)) emit('change', absolute);
            },
            () => undefined, // gone: its unlink event covers it
          );
        }, TRAILING_CHECK_MS),
      );
    };
    /**
     * chokidar 5 reports a file replaced by a folder of the same name as a
     * 'change' of the file and never watches the new folder: every later
     * edit inside it is lost (issue 18's storm found it). Watching the path
     * again makes chokidar see it as the folder it now is.
     */
    const rewatchFolder = (absolute: string) => {
      fsWatcher.unwatch(absolute);
      fsWatcher.add(absolute);
      // chokidar sets the new watch up asynchronously and reports nothing
      // already inside: name the folder again once the watch is in place, so
      // dsync walks it after that point and nothing falls in between.
      settleFolder(absolute);
    };
    for (const kind of ['add', 'change'] as const) {
      fsWatcher.on(kind, (absolute: string) => {
        emit(kind, absolute);
        // chokidar often passes no stats with 'change'; without a baseline every
        // save would be reported twice (and rebuilt twice), so take one now.
        fsp.lstat(absolute).then(
          (now) => {
            if (closed) return;
            if (now.isDirectory()) rewatchFolder(absolute);
            else recheckLater(absolute, now);
          },
          () => undefined,
        );
      });
    }
    /**
     * chokidar reads a new folder and sets up its watch asynchronously; what
     * lands in it in between (mkdir -p and a burst of writes, a folder moved
     * in and at once edited or moved on) can go unreported: the storm suite
     * run through chokidar found both. Naming the folder once more after the
     * watch has settled makes dsync walk it (or remove it, if gone by then).
     */
    const settleFolder = (absolute: string) => {
      const key = `dir:${absolute}`;
      clearTimeout(trailing.get(key));
      trailing.set(
        key,
        setTimeout(() => {
          trailing.delete(key);
          if (!closed) emit('change', absolute);
        }, REWATCH_SETTLE_MS),
      );
    };
    fsWatcher.on('addDir', (absolute: string) => {
      emit('addDir', absolute);
      settleFolder(absolute);
    });
    for (const kind of ['unlink', 'unlinkDir'] as const) fsWatcher.on(kind, (absolute: string) => emit(kind, absolute));
    fsWatcher.on('error', options.onError);
    const ready = new Promise<void>((resolve) => fsWatcher.once('ready', () => resolve()));
    const watcher: Watcher = {
      ready,
      close: async () => {
        closed = true;
        for (const timer of trailing.values()) clearTimeout(timer);
        trailing.clear();
        await fsWatcher.close();
      },
    };
    return watcher;
  };
  return Object.assign(factory, { watcherName: 'chokidar' });
}
