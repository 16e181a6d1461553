// One project's session: its container, the initial sync, live sync and
// the plugin's run, status, exec and down. The container's id lives in the
// syncer and changes in one place (useContainer) whatever moved it: the
// first connect, a plugin switching images, a container recreated under a
// live sync.
import { posix } from 'node:path';
import { DsyncError } from '../base/errors.js';
import { checkInterrupt, interruptible } from '../base/interrupt.js';
import { imagePin, type DsyncConfig, type ImagePin } from '../config/config.js';
import { devcontainerLabels } from '../config/devcontainer-file.js';
import type { ContainerInfo } from '../docker/container-client.js';
import { containerEnvironment } from '../docker/container-env.js';
import { describeProject, type Project } from '../docker/project.js';
import { devcontainerOwner, linkWorkspaceFolder, ownWorkspace, runPostCreate } from '../devcontainer/setup.js';
import { clearConflicts } from '../sync/conflict-store.js';
import type { Manifest } from '../sync/manifest.js';
import { ContainerManager } from './container-manager.js';
import { HostTree } from './host-tree.js';
import { LiveSync } from './live-sync.js';
import type { PluginRun, SessionHost, SessionPlugin } from './plugin.js';
import { sessionStatus, type StatusReport } from './session-status.js';
import { Syncer } from './syncer.js';
import type { RunningSync, Session, SessionDeps } from './types.js';
import { describeOutcome } from './sync-report.js';

type Layout = NonNullable<DsyncConfig['layout']>;

export class ProjectSession implements Session {
  readonly project: Project;
  private readonly layout: Layout;
  private readonly pin: ImagePin | undefined;
  private readonly manager: ContainerManager;
  private readonly tree: HostTree;
  private readonly syncer: Syncer;
  private live: LiveSync | undefined;
  private run: PluginRun | undefined;

  constructor(
    private readonly config: DsyncConfig,
    private readonly deps: SessionDeps,
    private readonly plugin?: SessionPlugin,
  ) {
    this.layout = config.layout ?? { syncRoot: config.root, projectDir: '' };
    this.project = describeProject(config.root, deps.platform, { hostname: deps.hostname, user: deps.user }, this.layout);
    this.pin = imagePin(config);
    this.manager = this.containerManager();
    this.tree = new HostTree({ root: this.layout.syncRoot, scope: this.layout.scope, maxFileSize: config.maxFileSize, ...deps });
    this.syncer = new Syncer({
      client: deps.client,
      project: this.project,
      describe: this.tree.describe,
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
  }

  private containerManager(): ContainerManager {
    const { config, deps, project } = this;
    const dc = config.devcontainer;
    const env = config.containerEnv ?? containerEnvironment({ containerEnv: dc?.config.containerEnv, hostEnv: {}, extraCa: config.extraCa });
    // VS Code and the devcontainer CLI find a project's container by these labels.
    const labels = devcontainerLabels({
      root: config.root,
      configFile: dc?.configFile,
      imageMetadata: dc?.imageMetadata,
      remoteUser: dc?.config.remoteUser,
      workspaceFolder: project.workspace,
    });
    return new ContainerManager(deps.client, project, config.image, deps.reporter, this.plugin?.container, { env, labels, extraCa: config.extraCa }, this.pin);
  }

  async prepare(): Promise<{ containerId: string }> {
    const containerId = await this.connect();
    try {
      await this.initialSync();
    } finally {
      this.syncer.close();
    }
    return { containerId };
  }

  async startLiveSync(options: { signal?: AbortSignal } = {}): Promise<RunningSync> {
    const { signal } = options;
    const containerId = await this.connect(signal);
    this.run = undefined;
    const live = this.liveSync();
    this.live = live;
    let snapshot: Manifest | undefined;
    try {
      // The watcher's start-up scan and the initial diff both walk the tree; run them side by side.
      [, snapshot] = await interruptible(Promise.all([live.start(), this.initialSync()]), signal);
      const dc = this.config.devcontainer;
      if (dc) await runPostCreate(this.deps.client, this.syncer.containerId, this.project, dc, this.deps.reporter, signal);
      if (this.plugin) this.run = await this.plugin.start(this.pluginHost(), signal);
      checkInterrupt(signal);
    } catch (error) {
      await this.run?.stop();
      await live.close();
      throw error;
    }
    await live.release(snapshot);
    this.run?.watching();
    const { scope, syncRoot } = this.layout;
    const watched = scope ? `${scope.map((s) => s || '.').join(', ')} in ${syncRoot}` : this.config.root;
    this.deps.reporter.event({
      type: 'watching',
      message: `watching ${watched} (Ctrl-C to stop; the container stays for the next run)`,
      watcher: this.deps.watcherFactory.watcherName,
    });
    const run = this.run;
    return {
      containerId: this.syncer.containerId || containerId,
      idle: async () => {
        await live.idle();
        await run?.idle();
      },
      history: live.history,
      stop: async () => {
        await live.close();
        await run?.stop();
      },
    };
  }

  async status(): Promise<StatusReport> {
    await this.deps.client.ping();
    const container = await this.manager.find();
    if (container?.state === 'running') {
      this.syncer.containerId = container.id;
      await this.tree.loadGitIndex();
    }
    return sessionStatus({ client: this.deps.client, project: this.project, container, syncer: this.syncer, scope: this.layout.scope });
  }

  async clearConflicts(): Promise<number> {
    const container = await this.runningContainer();
    return clearConflicts(this.deps.client, container.id, this.project.volumeRoot);
  }

  findContainer(): Promise<ContainerInfo | undefined> {
    return this.manager.find();
  }

  async runningContainer(): Promise<ContainerInfo> {
    const found = await this.manager.find();
    if (!found) throw new DsyncError('NOT_FOUND', `No dsync container for ${this.project.root}`, { hint: 'run `dsync up` in this folder first' });
    if (found.state !== 'running') {
      throw new DsyncError('NOT_FOUND', `The dsync container ${found.name} is ${found.state}`, { hint: 'run `dsync up` to start it' });
    }
    return found;
  }

  async exec(cmd: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; tty?: boolean }): Promise<number> {
    const container = await this.runningContainer();
    const result = await this.deps.client.exec(container.id, { cmd, workingDir: this.project.workspace, stdout: io.stdout, stderr: io.stderr, tty: io.tty });
    return result.exitCode;
  }

  down(purge: boolean): Promise<{ containers: string[]; volumes: string[] }> {
    return this.manager.down(purge);
  }

  /** Reach the engine, pick the image, read the git index, make sure the container runs; resolves with its id. */
  private async connect(signal?: AbortSignal): Promise<string> {
    const { config, deps } = this;
    await interruptible(deps.client.ping(), signal);
    if (config.imageDigest !== undefined && !this.pin) {
      const why = config.devcontainer?.providesImage ? `is built from ${config.devcontainer.configFile}` : 'was chosen for this run (--image or DSYNC_IMAGE)';
      deps.reporter.event({ type: 'image-pin', level: 'warn', message: `image ${config.image} ${why}: the project's "imageDigest" pin does not cover it` });
    }
    const image = this.plugin?.chooseImage ? await this.plugin.chooseImage(this.pluginHost(), signal) : undefined;
    if (image) this.manager.useImage(image);
    await interruptible(this.tree.loadGitIndex(), signal);
    const container = await interruptible(this.manager.ensure(), signal);
    await interruptible(this.useContainer(container.id), signal);
    return container.id;
  }

  /** From now on the project's container is `id`: the syncer sends there, and a dev container's set-up is applied to it. */
  private async useContainer(id: string): Promise<void> {
    this.syncer.containerId = id;
    await this.adoptDevcontainer(id);
  }

  /** The dev container's workspace folder and file owner (dsync.json's uid/gid win). */
  private async adoptDevcontainer(containerId: string): Promise<void> {
    const { config, deps, project } = this;
    const dc = config.devcontainer;
    if (!dc) return;
    await linkWorkspaceFolder(deps.client, containerId, project, dc.config.workspaceFolder, deps.reporter);
    if (config.origins?.uid !== undefined || config.origins?.gid !== undefined) return;
    const owner = await devcontainerOwner(deps.client, containerId, dc);
    if (!owner) return;
    this.syncer.setOwner(owner.uid, owner.gid);
    await ownWorkspace(deps.client, containerId, project, owner);
  }

  private async initialSync(): Promise<Manifest | undefined> {
    const { reporter, clock } = this.deps;
    reporter.progress('comparing host and container');
    const started = clock.now();
    const outcome = await this.syncer.fullSync(0);
    const ms = Math.round(clock.now() - started);
    reporter.done(`initial sync: ${describeOutcome(outcome)} in ${ms} ms`);
    reporter.event({ type: 'initial-sync', sent: outcome.sent, removed: outcome.removed, bytes: outcome.bytes, ms, containerId: this.syncer.containerId });
    for (const [p, code] of outcome.unreadable) {
      reporter.event({ type: 'file-unreadable', level: 'warn', path: p, code, message: `could not read ${p} (${code}); not sent` });
    }
    return outcome.host;
  }

  private liveSync(): LiveSync {
    const { config, deps, layout } = this;
    /** A synced path (relative to syncRoot) as the project sees it: `../shared/x` for shared code in a monorepo. */
    const toProjectRelative = (p: string) => (layout.projectDir === '' ? p : posix.relative(layout.projectDir, p));
    return new LiveSync(this.syncer, {
      root: layout.syncRoot,
      flavour: deps.platform.path,
      clock: deps.clock,
      reporter: deps.reporter,
      watcherFactory: deps.watcherFactory,
      quietMs: config.quietMs,
      maxWaitMs: config.maxWaitMs,
      fullSyncThreshold: config.fullSyncThreshold,
      ensureContainer: () => this.ensureContainer(),
      ping: () => deps.client.ping(),
      onApplied: (paths, seq, timing) => this.run?.applied(layout.projectDir === '' ? paths : paths.map(toProjectRelative), seq, timing),
    });
  }

  /** Under a live sync: the container runs (recreated if it had to be), and the plugin hears when it is a new one. */
  private async ensureContainer(): Promise<string> {
    const before = this.syncer.containerId;
    const id = (await this.manager.ensure()).id;
    if (id === before) return id;
    await this.useContainer(id);
    if (before !== '') await this.run?.containerRecreated();
    return id;
  }

  /** What the plugin may do with the session. */
  private pluginHost(): SessionHost {
    const { deps, project } = this;
    const hostPath = (p: string) => deps.platform.path.join(this.config.root, ...p.split('/').filter(Boolean));
    return {
      client: deps.client,
      project,
      reporter: deps.reporter,
      clock: deps.clock,
      platform: deps.platform,
      fs: deps.fs,
      containerId: () => this.syncer.containerId,
      readHost: (p) =>
        deps.fs.readFile(hostPath(p)).catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') return undefined;
          throw error;
        }),
      exists: (p) =>
        deps.fs.lstat(hostPath(p)).then(
          () => true,
          () => false,
        ),
      switchImage: async (image) => {
        this.manager.useImage(image);
        await this.useContainer((await this.manager.ensure()).id);
        await this.initialSync();
        return this.syncer.containerId;
      },
      settled: async () => {
        await this.live?.idle();
      },
    };
  }
}
