// What a session is and what it needs, as types: the library's surface
// (createSession in session.ts builds one).
import type { Clock } from '../base/clock.js';
import type { HostCommandRunner } from '../base/host-process.js';
import type { HostPlatform } from '../base/platform.js';
import type { Reporter } from '../base/reporter.js';
import type { ContainerClient, ContainerInfo } from '../docker/container-client.js';
import type { Project } from '../docker/project.js';
import type { HostFs } from '../sync/host-fs.js';
import type { WatcherFactory } from '../watch/watcher.js';
import type { StatusReport } from './session-status.js';
import type { SyncReport } from './sync-report.js';

export interface SessionDeps {
  client: ContainerClient;
  reporter: Reporter;
  clock: Clock;
  platform: HostPlatform;
  fs: HostFs;
  runHost: HostCommandRunner;
  watcherFactory: WatcherFactory;
  hostname: string;
  /** The OS user running dsync: with the host name, part of the project's identity. */
  user: string;
}

export interface RunningSync {
  containerId: string;
  /** Resolves when every edit seen so far is in the container (and, with a plugin, handled by it). */
  idle(): Promise<void>;
  history: readonly SyncReport[];
  stop(): Promise<void>;
}

export interface Session {
  project: Project;
  /** Create or reuse the container and run the initial sync. */
  prepare(): Promise<{ containerId: string }>;
  /**
   * prepare(), then keep the container in sync until stop(). When `signal`
   * fires before it is ready, what was started is closed and it rejects
   * with an INTERRUPTED error.
   */
  startLiveSync(options?: { signal?: AbortSignal }): Promise<RunningSync>;
  status(): Promise<StatusReport>;
  /** Remove every saved copy in /dsync/conflicts; returns how many there were. */
  clearConflicts(): Promise<number>;
  /** The project's container (a running one first), whatever its state; undefined when there is none. */
  findContainer(): Promise<ContainerInfo | undefined>;
  /** The project's running container, or a NOT_FOUND error with a hint. */
  runningContainer(): Promise<ContainerInfo>;
  exec(cmd: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; tty?: boolean }): Promise<number>;
  down(purge: boolean): Promise<{ containers: string[]; volumes: string[] }>;
}
