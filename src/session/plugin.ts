// How a loop plugs into a session. The session owns the container, the
// sync and their lifecycle and knows nothing of SAM; the SAM loop
// (src/loop/sam-loop.ts) is a plugin: it says what the container needs,
// may pick its image, gets ready after the initial sync, hears about every
// batch that reached the container and about a recreated container, and
// stops with the session.
import type { Clock } from '../base/clock.js';
import type { HostPlatform } from '../base/platform.js';
import type { Reporter } from '../base/reporter.js';
import type { ContainerClient } from '../docker/container-client.js';
import type { Project } from '../docker/project.js';
import type { HostFs } from '../sync/host-fs.js';
import type { ContainerExtras } from './container-manager.js';
import type { BatchTiming } from './sync-report.js';

/** What a session offers its plugin. */
export interface SessionHost {
  client: ContainerClient;
  project: Project;
  reporter: Reporter;
  clock: Clock;
  platform: HostPlatform;
  fs: HostFs;
  /** The project's container now (it changes when the container is recreated). */
  containerId(): string;
  /** A project file's text, or undefined when it does not exist. */
  readHost(projectPath: string): Promise<string | undefined>;
  /** Whether a project path exists on the host. */
  exists(projectPath: string): Promise<boolean>;
  /** Move the project to a container of another image (same volume) and sync it; resolves with that container's id. */
  switchImage(image: string): Promise<string>;
  /** Resolves when the sync side has applied every edit it has seen. */
  settled(): Promise<void>;
}

export interface SessionPlugin {
  /** Ports and cache volumes the container needs. */
  readonly container?: ContainerExtras;
  /** Before the container is made: an image to use instead of the configured one, if any. */
  chooseImage?(host: SessionHost, signal?: AbortSignal): Promise<string | undefined>;
  /** After the initial sync, before the session watches: get ready. Rejects with INTERRUPTED when `signal` fires. */
  start(host: SessionHost, signal?: AbortSignal): Promise<PluginRun>;
}

export interface PluginRun {
  /** A batch reached the container, with the project paths it sent or removed; every batch, in order. */
  applied(paths: string[], seq: number, timing: BatchTiming): void;
  /** The container was recreated: its processes and in-memory state are gone. */
  containerRecreated(): Promise<void>;
  /** The session watches now. */
  watching(): void;
  /** Resolves when everything handed to the plugin so far is done. */
  idle(): Promise<void>;
  /** Finish what is in flight and release everything. */
  stop(): Promise<void>;
}
