// The only file that imports chokidar.
import { watch } from 'chokidar';
import type { Stats } from 'node:fs';
import { toProjectPath } from '../sync/paths.js';
import type { PathFlavour } from '../sync/platform.js';
import type { Watcher, WatcherFactory, WatchKind } from './watcher.js';

export function chokidarWatcherFactory(flavour: PathFlavour): WatcherFactory {
  return (options) => {
    const fsWatcher = watch(options.root, {
      ignoreInitial: true,
      followSymlinks: false,
      // Ignored trees are never watched, so node_modules costs no watches.
      ignored: (p: string, stats?: Stats) => options.ignored(p, stats ? stats.isDirectory() : undefined),
      // chokidar's atomic mode turns an editor's unlink+add of the same file
      // within 100 ms into one change; dsync stats at transfer time anyway.
      atomic: true,
    });
    const forward = (kind: WatchKind) => (absolute: string) => {
      const p = toProjectPath(options.root, absolute, flavour);
      if (p !== undefined) options.onEvent({ path: p, kind });
    };
    for (const kind of ['add', 'change', 'unlink', 'addDir', 'unlinkDir'] as const) fsWatcher.on(kind, forward(kind));
    fsWatcher.on('error', options.onError);
    const ready = new Promise<void>((resolve) => fsWatcher.once('ready', () => resolve()));
    const watcher: Watcher = {
      ready,
      close: () => fsWatcher.close(),
    };
    return watcher;
  };
}
