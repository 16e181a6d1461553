// The library entry point: createSession(config, deps) gives everything the
// commands do, without argv or process globals, so tests drive it directly.
import type { DsyncConfig } from '../config/config.js';
import type { ContainerClient } from '../docker/container-client.js';
import type { DescribeContext } from '../sync/describe.js';
import { readGitIndex } from '../sync/git-modes.js';
import type { HostFs } from '../sync/host-fs.js';
import type { HostPlatform } from '../base/platform.js';
import type { Manifest } from '../sync/manifest.js';
import { STATE_FILE } from '../sync/transfer.js';
import type { WatcherFactory } from '../watch/watcher.js';
import type { Clock } from '../base/clock.js';
import { ContainerManager } from './container-manager.js';
import { DsyncError } from '../base/errors.js';
import { checkInterrupt, interrupted, interruptible } from '../base/interrupt.js';
import type { HostCommandRunner } from '../base/host-process.js';
import { LiveSync, describeOutcome, type SyncReport } from './live-sync.js';
import { describeProject, type Project } from '../docker/project.js';
import type { Reporter } from '../base/reporter.js';
import { Syncer } from './syncer.js';
import { ContentFilter } from '../loop/change-filter.js';
import type { ChangeReport, Deployer } from '../loop/deployer.js';
import { ChangeLog, CHANGES_FILE, type ChangesSummary } from '../loop/change-log.js';
import { ensureSamImage, type SamImageSource } from '../loop/image.js';
import { prepareSamContainer, probeImage, requireSam, setUpSam, type SamSetupInput } from '../loop/setup.js';
import type { TargetMode } from '../sam/commands.js';
import type { CredentialResolver, Credentials } from '../sam/credentials.js';
import { EMULATOR_PORT, type TargetInput } from '../sam/target.js';
import { resolveSamProject } from '../loop/sam-project.js';
import { loadTarget, saveTarget, stopLogs, streamLogs } from '../loop/function-logs.js';

/** Where `up --logs` records its `sam logs --tail` process, to stop exactly that one. */
const TAIL_PID_FILE = '/dsync/state/up-logs-tail.pid';

/** What `dsync up` asks of SAM; absent for --sync-only. */
export interface SamRequest {
  mode: TargetMode;
  flags: TargetInput['flags'];
  env: Record<string, string | undefined>;
  credentials: CredentialResolver;
  /** Who the credentials belong to (STS), to say at start which account the stack goes to; real-AWS mode. */
  identify?(credentials: Credentials, region: string): Promise<{ account: string; arn: string }>;
  /** The Debian SAM image's build inputs, for emulator mode when the image has no moto. */
  samImage(): Promise<SamImageSource>;
  /** Interleave the functions' runtime logs (`sam logs --tail`) with the sync status. */
  logs?: boolean;
}

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
  /** Resolves when every edit seen so far is in the container. */
  idle(): Promise<void>;
  history: readonly SyncReport[];
  /** Every batch's outcome, in order (empty with --sync-only). */
  changes: readonly ChangeReport[];
  stop(): Promise<void>;
}

export interface StatusReport {
  project: string;
  projectId: string;
  engine: string;
  container: { id: string; name: string; state: string; image: string } | null;
  workspace: string;
  lastSync: Record<string, unknown> | null;
  inSync: boolean | null;
  drift?: { toSend: string[]; toRemove: string[] };
  /** The embedded AWS emulator's URL on host loopback, when the container publishes it. */
  endpoint?: string;
  /** The last changes of the current (or last) `up` run and their p50/p95. */
  changes?: ChangesSummary;
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
  exec(cmd: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; tty?: boolean }): Promise<number>;
  down(purge: boolean): Promise<{ containers: string[]; volumes: string[] }>;
  /** Print the functions' runtime logs (`sam logs`) for the stack `up` deployed. */
  logs(names: string[], options: { tail: boolean; credentials(mode: TargetMode): CredentialResolver; onLine(line: string): void; signal?: AbortSignal }): Promise<number>;
}

export function createSession(config: DsyncConfig, deps: SessionDeps, sam?: SamRequest): Session {
  const project = describeProject(config.root, deps.platform, { hostname: deps.hostname, user: deps.user });
  const emulator = sam?.mode === 'emulator';
  const manager = new ContainerManager(deps.client, project, config.image, deps.reporter, {
    ports: emulator ? { [EMULATOR_PORT]: 0 } : undefined,
    // Caches outlive the container: npm's download cache; SAM's own build cache lives in the workspace volume.
    caches: sam ? { 'npm-cache': '/root/.npm' } : undefined,
  });
  const warned = new Set<string>();
  const describe: DescribeContext = {
    root: config.root,
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
  const syncer = new Syncer({ client: deps.client, project, describe, uid: config.uid, gid: config.gid, hostname: deps.hostname });

  const loadGitIndex = async () => {
    const index = await readGitIndex(config.root, deps.platform, deps.runHost);
    describe.gitModes = index?.modes;
    describe.gitSymlinks = index?.symlinks;
  };

  const requireContainer = async () => {
    const found = await manager.find();
    if (!found) {
      throw new DsyncError('NOT_FOUND', `No dsync container for ${project.root}`, { hint: 'run `dsync up` in this folder first' });
    }
    return found;
  };

  const connect = async (signal?: AbortSignal) => {
    await interruptible(deps.client.ping(), signal);
    // Emulator mode with the default image: go straight to the Debian SAM image (it has moto).
    if (emulator && !config.imageChosen && sam) manager.useImage(await interruptible(ensureSamImage(deps.client, deps.reporter, await sam.samImage()), signal));
    await interruptible(loadGitIndex(), signal);
    const container = await interruptible(manager.ensure(), signal);
    syncer.containerId = container.id;
    return container.id;
  };

  const initialSync = async () => {
    deps.reporter.progress('comparing host and container');
    let snapshot: Manifest | undefined;
    const started = deps.clock.now();
    const outcome = await syncer.fullSync(0);
    snapshot = outcome.host;
    const ms = Math.round(deps.clock.now() - started);
    deps.reporter.done(`initial sync: ${describeOutcome(outcome)} in ${ms} ms`);
    deps.reporter.event({ type: 'initial-sync', sent: outcome.sent, removed: outcome.removed, bytes: outcome.bytes, ms, containerId: syncer.containerId });
    for (const [p, code] of outcome.unreadable) {
      deps.reporter.event({ type: 'file-unreadable', level: 'warn', path: p, code, message: `could not read ${p} (${code}); not sent` });
    }
    return snapshot;
  };

  let deployerRef: Deployer | undefined;
  let liveRef: LiveSync | undefined;
  let samSetup: SamSetupInput | undefined;
  let filtering: Promise<void> = Promise.resolve();
  const contentFilter = new ContentFilter(deps.fs, config.root, deps.platform.path);

  const readHost = async (rel: string): Promise<string | undefined> => {
    try {
      return await deps.fs.readFile(deps.platform.path.join(config.root, ...rel.split('/')));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  };

  /** Probe the image, switch to the SAM image if the emulator needs moto, then set SAM up. */
  const startSam = async (request: SamRequest, signal?: AbortSignal): Promise<Deployer> => {
    let probe = await interruptible(probeImage(deps.client, syncer.containerId!), signal);
    if (request.mode === 'emulator' && !probe.motoPython) {
      deps.reporter.event({ type: 'image-switch', message: `${config.image} has no moto server; using dsync's SAM image for --emulator` });
      manager.useImage(await interruptible(ensureSamImage(deps.client, deps.reporter, await request.samImage()), signal));
      syncer.containerId = (await interruptible(manager.ensure(), signal)).id;
      await interruptible(initialSync(), signal);
      probe = await interruptible(probeImage(deps.client, syncer.containerId), signal);
    }
    requireSam(probe);
    const { target, templatePath, infraFiles } = await resolveSamProject({
      config,
      mode: request.mode,
      flags: request.flags,
      env: request.env,
      projectName: deps.platform.path.basename(config.root),
      readHost,
      flavour: deps.platform.path,
    });
    let identity = '';
    if (request.identify) {
      const credentials = await interruptible(request.credentials.get(), signal);
      const who = await interruptible(request.identify(credentials, target.region), signal).catch((error: unknown) => {
        throw new DsyncError('CREDENTIALS', `AWS did not accept the credentials from ${credentials.source}: ${(error as Error).message.split('\n')[0]}`, {
          hint: 'refresh them (`aws sso login`, new keys) or check the profile with `aws sts get-caller-identity`',
          cause: error,
        });
      });
      identity = ` as ${who.arn} (account ${who.account}, credentials from ${credentials.source})`;
      deps.reporter.event({ type: 'aws-identity', account: who.account, arn: who.arn, credentials: credentials.source });
    }
    deps.reporter.event({
      type: 'sam-ready',
      mode: target.mode,
      stackName: target.stackName,
      region: target.region,
      samVersion: probe.samVersion,
      message: `SAM ${probe.samVersion ?? '?'} → stack ${target.stackName} in ${target.region}${target.mode === 'emulator' ? ' (emulator)' : target.endpointUrl ? ` at ${target.endpointUrl}` : ''}${identity}`,
    });
    await interruptible(saveTarget(deps.client, syncer.containerId!, target), signal);
    const changeLog = new ChangeLog(deps.client, () => syncer.containerId!);
    samSetup = {
      onChange: (changes) => changeLog.write(changes),
      settled: async () => {
        await liveRef?.idle();
        await filtering;
      },
      client: deps.client,
      containerId: () => syncer.containerId!,
      project,
      target,
      credentials: request.credentials,
      reporter: deps.reporter,
      clock: deps.clock,
      flavour: deps.platform.path,
      probe,
      readTemplate: () => readHost(templatePath),
      exists: async (p) => {
        try {
          await deps.fs.lstat(deps.platform.path.join(config.root, ...p.split('/').filter(Boolean)));
          return true;
        } catch {
          return false;
        }
      },
      templatePath,
      infraFiles,
    };
    // Not raced: a deployer that exists must be closed (its worker stopped) before giving up.
    const deployer = await setUpSam(samSetup, signal);
    if (signal?.aborted) {
      await deployer.close();
      throw interrupted();
    }
    return deployer;
  };

  const prepare = async () => {
    const containerId = await connect();
    try {
      await initialSync();
    } finally {
      syncer.close();
    }
    return { containerId };
  };

  return {
    project,
    prepare,
    async startLiveSync(options: { signal?: AbortSignal } = {}) {
      const { signal } = options;
      const containerId = await connect(signal);
      const live = new LiveSync(syncer, {
        root: config.root,
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
          if (before !== undefined && id !== before && samSetup && deployerRef) {
            // A new container has no helper scripts and no emulator (whose stack lived in memory): set it up and deploy again.
            syncer.containerId = id;
            deps.reporter.event({ type: 'container-recreated', level: 'warn', message: 'the container was recreated: setting SAM up again and redeploying the stack' });
            await prepareSamContainer(samSetup);
            deployerRef.redeploy();
          }
          return id;
        },
        ping: () => deps.client.ping(),
        onApplied: (paths, seq, timing) => {
          if (!deployerRef) return;
          // Sequential, so batches reach the deployer in order.
          const deployer = deployerRef;
          filtering = filtering.then(async () => deployer.notify(await contentFilter.changed(paths), seq, timing)).catch(() => undefined);
        },
      });
      // The watcher's start-up scan and the initial diff both walk the tree; run them side by side.
      liveRef = live;
      let snapshot: Manifest | undefined;
      let deployer: Deployer | undefined;
      try {
        [, snapshot] = await interruptible(Promise.all([live.start(), initialSync()]), signal);
        if (sam) deployer = await startSam(sam, signal);
        checkInterrupt(signal);
      } catch (error) {
        await deployer?.close();
        await live.close();
        throw error;
      }
      deployerRef = deployer;
      await live.release(snapshot);
      deployer?.requestInfra(0);
      let tailing: Promise<unknown> | undefined;
      if (sam?.logs && deployer && samSetup) {
        const { target } = samSetup;
        tailing = deployer.idle().then(() =>
          streamLogs({
            client: deps.client,
            containerId: () => syncer.containerId!,
            workspace: project.workspace,
            target,
            credentials: sam.credentials,
            names: [],
            tail: true,
            pidFile: TAIL_PID_FILE,
            onLine: (line) => deps.reporter.event({ type: 'function-log', line, message: `  logs │ ${line}` }),
          }).catch((error: unknown) => deps.reporter.event({ type: 'warning', level: 'warn', message: `function logs stopped: ${(error as Error).message}` })),
        );
      }
      deps.reporter.event({ type: 'watching', message: `watching ${config.root} (Ctrl-C to stop; the container stays for the next run)` });
      return {
        containerId: syncer.containerId ?? containerId,
        idle: async () => {
          await live.idle();
          await filtering;
          await deployer?.idle();
        },
        history: live.history,
        changes: deployer?.changes ?? [],
        stop: async () => {
          await live.close();
          if (tailing) {
            await stopLogs(deps.client, syncer.containerId!, TAIL_PID_FILE).catch(() => undefined);
            await tailing;
          }
          if (deployer) {
            deps.reporter.progress('waiting for the running SAM step to finish');
            await deployer.close();
          }
        },
      };
    },
    async status() {
      await deps.client.ping();
      const container = await manager.find();
      const report: StatusReport = {
        project: project.root,
        projectId: project.id,
        engine: deps.client.endpoint,
        container: container ? { id: container.id, name: container.name, state: container.state, image: container.image } : null,
        workspace: project.workspace,
        lastSync: null,
        inSync: null,
      };
      if (!container || container.state !== 'running') return report;
      const ports = await deps.client.publishedPorts(container.id);
      if (ports[EMULATOR_PORT]) report.endpoint = `http://127.0.0.1:${ports[EMULATOR_PORT]}`;
      syncer.containerId = container.id;
      await loadGitIndex();
      const state = await deps.client.exec(container.id, { cmd: ['cat', `${project.volumeRoot}/${STATE_FILE}`] });
      if (state.exitCode === 0) {
        try {
          report.lastSync = JSON.parse(state.stdout) as Record<string, unknown>;
        } catch {
          report.lastSync = null;
        }
      }
      const log = await deps.client.exec(container.id, { cmd: ['cat', CHANGES_FILE] });
      if (log.exitCode === 0) {
        try {
          report.changes = JSON.parse(log.stdout) as ChangesSummary;
        } catch {
          // A half-written file: leave it out.
        }
      }
      const { plan } = await syncer.computeDiff();
      report.inSync = plan.send.length === 0 && plan.remove.length === 0;
      report.drift = { toSend: plan.send.map((e) => e.path).slice(0, 50), toRemove: plan.remove.slice(0, 50) };
      return report;
    },
    async exec(cmd, io) {
      const container = await requireContainer();
      if (container.state !== 'running') {
        throw new DsyncError('NOT_FOUND', `The dsync container ${container.name} is ${container.state}`, { hint: 'run `dsync up` to start it' });
      }
      const result = await deps.client.exec(container.id, { cmd, workingDir: project.workspace, stdout: io.stdout, stderr: io.stderr, tty: io.tty });
      return result.exitCode;
    },
    down: (purge) => manager.down(purge),
    async logs(names, options) {
      const container = await requireContainer();
      if (container.state !== 'running') {
        throw new DsyncError('NOT_FOUND', `The dsync container ${container.name} is ${container.state}`, { hint: 'run `dsync up` to start it' });
      }
      const target = await loadTarget(deps.client, container.id);
      const base = { client: deps.client, containerId: () => container.id, workspace: project.workspace, target, credentials: options.credentials(target.mode), tail: options.tail };
      // Each stream records its own pid, so Ctrl-C stops exactly this command's `sam logs` and no other.
      const token = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
      const streams = (names.length <= 1 ? [undefined] : names).map((name, i) => ({ name, pidFile: `/dsync/state/logs-${token}-${i}.pid` }));
      let finished = false;
      // A stream may not have written its pid yet when Ctrl-C comes: keep trying until all have ended.
      const stop = () => {
        void (async () => {
          while (!finished) {
            await Promise.all(streams.map((s) => stopLogs(deps.client, container.id, s.pidFile).catch(() => undefined)));
            await deps.clock.sleep(250);
          }
        })();
      };
      options.signal?.addEventListener('abort', stop, { once: true });
      try {
        // sam logs does not say which function a line came from: one stream per named function, prefixed.
        const codes = await Promise.all(
          streams.map((s) =>
            streamLogs({
              ...base,
              names: s.name === undefined ? names : [s.name],
              pidFile: s.pidFile,
              onLine: s.name === undefined ? options.onLine : (line) => options.onLine(`${s.name} │ ${line}`),
            }),
          ),
        );
        if (options.signal?.aborted) return 0;
        return codes.find((c) => c !== 0) ?? 0;
      } finally {
        finished = true;
        options.signal?.removeEventListener('abort', stop);
      }
    },

  };
}

