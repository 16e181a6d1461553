// What the pipeline needs from a file watcher: project-relative events.
// The chokidar adapter lives in chokidar-watcher.ts; tests can feed events directly.

export type WatchKind = 'add' | 'change' | 'unlink' | 'addDir' | 'unlinkDir';

export interface WatchEvent {
  /** Project path, POSIX separators. */
  path: string;
  kind: WatchKind;
}

export interface WatcherOptions {
  root: string;
  /** Called with absolute host paths; true keeps chokidar from even descending. */
  ignored(absolutePath: string, isDir: boolean | undefined): boolean;
  onEvent(event: WatchEvent): void;
  onError(error: unknown): void;
}

export interface Watcher {
  /** Resolves once the initial scan is done and events are flowing. */
  ready: Promise<void>;
  close(): Promise<void>;
}

export type WatcherFactory = ((options: WatcherOptions) => Watcher) & {
  /** Which watcher this is ("chokidar", "inotify folders"), for `up --json` and the tests that run both. */
  readonly watcherName?: string;
};
