// The library entry point: createSession(config, deps, plugin?) gives what
// the commands do with a project's container (prepare, live sync, status,
// exec, down) without argv or process globals, so tests drive it directly.
// The SAM loop plugs in through SessionPlugin (./plugin.ts).
import { posix } from 'node:path';
import type { Clock } from '../base/clock.js';
import { DsyncError } from '../base/errors.js';
import type { HostCommandRunner } from '../base/host-process.js';
import { checkInterrupt, interruptible } from '../base/interrupt.js';
import type { HostPlatform } from '../base/platform.js';
import type { Reporter } from '../base/reporter.js';
import { imagePin, type DsyncConfig } from '../config/config.js';
import type { ContainerClient, ContainerInfo } from '../docker/container-client.js';
import { describeProject, type Project } from '../docker/project.js';
import type { DescribeContext } from '../sync/describe.js';
import { readGitIndex } from '../sync/git-modes.js';
import type { HostFs } from '../sync/host-fs.js';
import type { Manifest } from '../sync/manifest.js';
import { clearConflicts } from '../sync/conflict-store.js';
import type { WatcherFactory } from '../watch/watcher.js';
import { ContainerManager } from './container-manager.js';
import { LiveSync, describeOutcome, type SyncReport } from './live-sync.js';
import type { PluginRun, SessionHost, SessionPlugin } from './plugin.js';
import { sessionStatus, type StatusReport } from './status.js';
import { Syncer } from './syncer.js';
import { containerEnvironment } from './container-env.js';
import { devcontainerLabels } from '../config/devcontainer.js';
import { devcontainerOwner, linkWorkspaceFolder, ownWorkspace, runPostCreate } from './devcontainer-setup.js';

export type { StatusReport } from './status.js';

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

export function createSession(config: DsyncConfig, deps: SessionDeps, plugin?: SessionPlugin): Session {
  const layout = config.layout ?? { syncRoot: config.root, projectDir: '' };
  const project = describeProject(config.root, deps.platform, { hostname: deps.hostname, user: deps.user }, layout);
  const syncRoot = layout.syncRoot;
  /** A synced path (relative to syncRoot) as the project sees it: `../shared/x` for shared code in a monorepo. */
  const toProjectRelative = (p: string) => (layout.projectDir === '' ? p : posix.relative(layout.projectDir, p));
  const pin = imagePin(config);
  const dc = config.devcontainer;
  const manager = new ContainerManager(deps.client, project, config.image, deps.reporter, plugin?.container, {
    env: config.containerEnv ?? containerEnvironment({ containerEnv: dc?.config.containerEnv, hostEnv: {}, extraCa: config.extraCa }),
    // VS Code and the devcontainer CLI find a project's container by these labels.
    labels: devcontainerLabels({ root: config.root, configFile: dc?.configFile, imageMetadata: dc?.imageMetadata, remoteUser: dc?.config.remoteUser, workspaceFolder: project.workspace }),
    extraCa: config.extraCa,
  }, pin);
  const warned = new Set<string>();
  const describe: DescribeContext = {
    root: syncRoot,
    scope: layout.scope,
    fs: deps.fs,
    platform: deps.platform,
    gitModes: undefined,
    maxFileSize: config.maxFileSize,
    warn(key, message) {
      if (warned.has(key)) return;
      warned.add(key);
      deps.reporter.event({ type: 'warning', level: 'warn', message });
    },
  };
  const syncer = new Syncer({
    client: deps.client,
    project,
    describe,
    uid: config.uid,
    gid: config.gid,
    hostname: deps.hostname,
    onConflictSaved: ({ entry, removed, copy }) =>
      deps.reporter.event({
        type: 'conflict-saved',
        level: 'warn',
        path: entry.path,
        copy,
        removed,
        message: `saved the container's changed copy of ${entry.path} to ${copy} (${removed ? 'the host removed it' : "the host's version is synced"})`,
      }),
  });
  const hostPath = (p: string) => deps.platform.path.join(config.root, ...p.split('/').filter(Boolean));

  /** Whether the folder or one above it holds .git (the project may be a folder of a bigger repository). */
  const insideGitWorkTree = async (root: string): Promise<boolean> => {
    const p = deps.platform.path;
    for (let dir = root; ; dir = p.dirname(dir)) {
      if (await deps.fs.lstat(p.join(dir, '.git')).then(() => true, () => false)) return true;
      if (p.dirname(dir) === dir) return false;
    }
  };

  const loadGitIndex = async () => {
    const { index, gitMissing } = await readGitIndex(syncRoot, deps.platform, deps.runHost);
    describe.gitModes = index?.modes;
    describe.gitSymlinks = index?.symlinks;
    if (gitMissing && (await insideGitWorkTree(syncRoot))) {
      describe.warn(
        'git-missing',
        'git is not on PATH, so the git index cannot be read: executable bits come from #! lines only, and symlinks checked out as text files are sent as files (install Git for Windows, or put git on PATH)',
      );
    }
  };

  const runningContainer = async (): Promise<ContainerInfo> => {
    const found = await manager.find();
    if (!found) throw new DsyncError('NOT_FOUND', `No dsync container for ${project.root}`, { hint: 'run `dsync up` in this folder first' });
    if (found.state !== 'running') {
      throw new DsyncError('NOT_FOUND', `The dsync container ${found.name} is ${found.state}`, { hint: 'run `dsync up` to start it' });
    }
    return found;
  };

  const initialSync = async (): Promise<Manifest | undefined> => {
    deps.reporter.progress('comparing host and container');
    const started = deps.clock.now();
    const outcome = await syncer.fullSync(0);
    const ms = Math.round(deps.clock.now() - started);
    deps.reporter.done(`initial sync: ${describeOutcome(outcome)} in ${ms} ms`);
    deps.reporter.event({ type: 'initial-sync', sent: outcome.sent, removed: outcome.removed, bytes: outcome.bytes, ms, containerId: syncer.containerId });
    for (const [p, code] of outcome.unreadable) {
      deps.reporter.event({ type: 'file-unreadable', level: 'warn', path: p, code, message: `could not read ${p} (${code}); not sent` });
    }
    return outcome.host;
  };

  let live: LiveSync | undefined;
  const host: SessionHost = {
    client: deps.client,
    project,
    reporter: deps.reporter,
    clock: deps.clock,
    platform: deps.platform,
    fs: deps.fs,
    containerId: () => syncer.containerId,
    async readHost(p) {
      try {
        return await deps.fs.readFile(hostPath(p));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async exists(p) {
      try {
        await deps.fs.lstat(hostPath(p));
        return true;
      } catch {
        return false;
      }
    },
    async switchImage(image) {
      manager.useImage(image);
      syncer.containerId = (await manager.ensure()).id;
      await adoptDevcontainer(syncer.containerId);
      await initialSync();
      return syncer.containerId;
    },
    settled: async () => {
      await live?.idle();
    },
  };

  const connect = async (signal?: AbortSignal) => {
    await interruptible(deps.client.ping(), signal);
    if (config.imageDigest !== undefined && !pin) {
      const why = config.devcontainer?.providesImage ? `is built from ${config.devcontainer.configFile}` : 'was chosen for this run (--image or DSYNC_IMAGE)';
      deps.reporter.event({ type: 'image-pin', level: 'warn', message: `image ${config.image} ${why}: the project's "imageDigest" pin does not cover it` });
    }
    const image = plugin?.chooseImage ? await plugin.chooseImage(host, signal) : undefined;
    if (image) manager.useImage(image);
    await interruptible(loadGitIndex(), signal);
    const container = await interruptible(manager.ensure(), signal);
    syncer.containerId = container.id;
    await interruptible(adoptDevcontainer(container.id), signal);
    return container.id;
  };

  /** The dev container's workspace folder and file owner (dsync.json's uid/gid win). */
  const adoptDevcontainer = async (containerId: string) => {
    if (!dc) return;
    await linkWorkspaceFolder(deps.client, containerId, project, dc.config.workspaceFolder, deps.reporter);
    if (config.origins?.uid !== undefined || config.origins?.gid !== undefined) return;
    const owner = await devcontainerOwner(deps.client, containerId, dc);
    if (!owner) return;
    syncer.setOwner(owner.uid, owner.gid);
    await ownWorkspace(deps.client, containerId, project, owner);
  };

  return {
    project,
    async prepare() {
      const containerId = await connect();
      try {
        await initialSync();
      } finally {
        syncer.close();
      }
      return { containerId };
    },
    async startLiveSync(options: { signal?: AbortSignal } = {}) {
      const { signal } = options;
      const containerId = await connect(signal);
      let run: PluginRun | undefined;
      live = new LiveSync(syncer, {
        root: syncRoot,
        flavour: deps.platform.path,
        clock: deps.clock,
        reporter: deps.reporter,
        watcherFactory: deps.watcherFactory,
        quietMs: config.quietMs,
        maxWaitMs: config.maxWaitMs,
        fullSyncThreshold: config.fullSyncThreshold,
        ensureContainer: async () => {
          const before = syncer.containerId;
          const id = (await manager.ensure()).id;
          if (id !== before) await adoptDevcontainer(id);
          if (before !== '' && id !== before && run) {
            syncer.containerId = id;
            await run.containerRecreated();
          }
          return id;
        },
        ping: () => deps.client.ping(),
        onApplied: (paths, seq, timing) => run?.applied(layout.projectDir === '' ? paths : paths.map(toProjectRelative), seq, timing),
      });
      const current = live;
      let snapshot: Manifest | undefined;
      try {
        // The watcher's start-up scan and the initial diff both walk the tree; run them side by side.
        [, snapshot] = await interruptible(Promise.all([current.start(), initialSync()]), signal);
        if (dc) await runPostCreate(deps.client, syncer.containerId, project, dc, deps.reporter, signal);
        if (plugin) run = await plugin.start(host, signal);
        checkInterrupt(signal);
      } catch (error) {
        await run?.stop();
        await current.close();
        throw error;
      }
      await current.release(snapshot);
      run?.watching();
      const watched = layout.scope ? `${layout.scope.map((s) => s || '.').join(', ')} in ${syncRoot}` : config.root;
      deps.reporter.event({ type: 'watching', message: `watching ${watched} (Ctrl-C to stop; the container stays for the next run)` });
      return {
        containerId: syncer.containerId || containerId,
        idle: async () => {
          await current.idle();
          await run?.idle();
        },
        history: current.history,
        stop: async () => {
          await current.close();
          await run?.stop();
        },
      };
    },
    async status() {
      await deps.client.ping();
      const container = await manager.find();
      if (container?.state === 'running') {
        syncer.containerId = container.id;
        await loadGitIndex();
      }
      return sessionStatus({ client: deps.client, project, container, syncer, scope: layout.scope });
    },
    async clearConflicts() {
      const container = await runningContainer();
      return clearConflicts(deps.client, container.id, project.volumeRoot);
    },
    findContainer: () => manager.find(),
    runningContainer,
    async exec(cmd, io) {
      const container = await runningContainer();
      const result = await deps.client.exec(container.id, { cmd, workingDir: project.workspace, stdout: io.stdout, stderr: io.stderr, tty: io.tty });
      return result.exitCode;
    },
    down: (purge) => manager.down(purge),
  };
}
