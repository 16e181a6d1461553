// One `dsync up`'s SAM side once it runs: the deployer (and its worker) set
// up in the container, every applied batch filtered and handed to it in
// order, the reverse tunnel to a loopback endpoint, --logs, the change log,
// what comes next after a stack deploy, and the stack's lease given back at
// the end.
import { interrupted, interruptible } from '../base/interrupt.js';
import type { DsyncConfig } from '../config/config.js';
import { ReverseTunnel, tunnelTarget, urlPort, type loopbackEndpoint } from '../docker/tunnel.js';
import type { ImageProbe } from '../images/probe.js';
import { functionIds } from '../sam/template.js';
import { tunnelArgv, type SamTarget } from '../sam/commands.js';
import { saveTarget } from '../sam/target-store.js';
import type { PluginRun, SessionHost } from '../session/plugin.js';
import type { StackLease } from '../stack/lease.js';
import { ContentFilter } from './change-filter.js';
import { ChangeLog } from './change-log.js';
import type { Deployer } from './deployer.js';
import { stopLogs, streamLogs } from './function-logs.js';
import { streamTriggerRuns } from '../emulator/trigger-runs.js';
import { NextSteps } from './next-steps.js';
import { prepareSamContainer, setUpSam, type SamSetupInput } from './sam-setup.js';
import { syncedByLayout, templateModel, type SamRequest } from './sam-request.js';
import type { BatchTiming } from '../session/sync-report.js';

/** Where `up --logs` records its `sam logs --tail` process, to stop exactly that one. */
const TAIL_PID_FILE = '/dsync/state/up-logs-tail.pid';
/** Where `up --logs` records its trigger-run follower (emulator mode). */
const RUNS_PID_FILE = '/dsync/state/up-logs-runs.pid';

/** What startSam settled before SAM runs. */
export interface SamStart {
  target: SamTarget;
  templatePath: string;
  infraFiles: string[];
  probe: ImageProbe;
  loopback: ReturnType<typeof loopbackEndpoint> | undefined;
  lease: StackLease | undefined;
}

export class SamRun implements PluginRun {
  private readonly changeLog: ChangeLog;
  private readonly contentFilter: ContentFilter;
  private readonly nextSteps: NextSteps;
  /** Batches go through the filter to the deployer one after another, in order. */
  private filtering: Promise<void> = Promise.resolve();
  private deployer: Deployer | undefined;
  private tunnel: ReverseTunnel | undefined;
  private tailing: Promise<unknown> | undefined;

  private constructor(
    private readonly config: DsyncConfig,
    private readonly request: SamRequest,
    private readonly host: SessionHost,
    private readonly start: SamStart,
  ) {
    const { client } = host;
    this.changeLog = new ChangeLog(client, () => host.containerId());
    this.contentFilter = new ContentFilter(host.fs, config.root, host.platform.path);
    this.nextSteps = new NextSteps({
      client,
      containerId: () => host.containerId(),
      probe: start.probe,
      target: start.target,
      credentials: request.credentials,
      reporter: host.reporter,
    });
  }

  /** Record the target, set SAM up in the container and open the tunnel; rejects with INTERRUPTED when `signal` fires. */
  static async begin(config: DsyncConfig, request: SamRequest, host: SessionHost, start: SamStart, signal?: AbortSignal): Promise<SamRun> {
    await interruptible(saveTarget(host.client, host.containerId(), start.target), signal);
    const run = new SamRun(config, request, host, start);
    // Not raced: a deployer that exists must be closed (its worker stopped) before giving up.
    const deployer = await setUpSam(run.setupInput(), signal);
    run.deployer = deployer;
    try {
      await interruptible(run.openTunnel(), signal);
      if (signal?.aborted) throw interrupted();
    } catch (error) {
      run.tunnel?.close();
      await deployer.close();
      throw error;
    }
    return run;
  }

  applied(paths: string[], seq: number, timing: BatchTiming): void {
    const deployer = this.deployer!;
    this.filtering = this.filtering.then(async () => deployer.notify(await this.contentFilter.changed(paths), seq, timing)).catch(() => undefined);
  }

  async containerRecreated(): Promise<void> {
    // A new container has no helper scripts and no emulator (whose stack lived in memory): set it up and deploy again.
    this.host.reporter.event({
      type: 'container-recreated',
      level: 'warn',
      message: 'the container was recreated: setting SAM up again and redeploying the stack',
    });
    await prepareSamContainer(this.setupInput());
    this.tunnel?.close();
    await this.openTunnel();
    this.deployer!.redeploy();
  }

  watching(): void {
    this.deployer!.requestInfra(0);
    if (this.request.logs) this.tailing = this.deployer!.idle().then(() => this.tailLogs());
  }

  async idle(): Promise<void> {
    await this.filtering;
    await this.deployer!.idle();
    await this.nextSteps.idle();
  }

  async stop(): Promise<void> {
    const { client, reporter } = this.host;
    if (this.tailing) {
      await stopLogs(client, this.host.containerId(), TAIL_PID_FILE).catch(() => undefined);
      await stopLogs(client, this.host.containerId(), RUNS_PID_FILE).catch(() => undefined);
      await this.tailing;
    }
    reporter.progress('waiting for the running SAM step to finish');
    await this.deployer!.close();
    this.tunnel?.close();
    await this.releaseLease();
  }

  private setupInput(): SamSetupInput {
    const { config, request, host, start } = this;
    return {
      onChange: (changes) => {
        this.changeLog.write(changes);
        const last = changes[changes.length - 1];
        if (last?.kind === 'infra' && last.ok) this.nextSteps.afterDeploy();
      },
      settled: async () => {
        await host.settled();
        await this.filtering;
      },
      client: host.client,
      containerId: () => host.containerId(),
      project: host.project,
      target: start.target,
      credentials: request.credentials,
      reporter: host.reporter,
      clock: host.clock,
      flavour: host.platform.path,
      probe: start.probe,
      readTemplate: () => host.readHost(start.templatePath),
      exists: (p) => host.exists(p),
      synced: (p) => syncedByLayout(config, p),
      templatePath: start.templatePath,
      infraFiles: start.infraFiles,
    };
  }

  /** A loopback endpoint is the caller's machine: carry it into the container. */
  private async openTunnel(): Promise<void> {
    const { loopback, probe } = this.start;
    if (!loopback) return;
    this.tunnel = await ReverseTunnel.open(this.host.client, this.host.containerId(), tunnelArgv(probe.samPython ?? 'python3', urlPort(loopback)), tunnelTarget(loopback));
  }

  /** --logs: the functions' runtime logs (and in emulator mode each trigger run), interleaved with the sync status, until stop. */
  private async tailLogs(): Promise<void> {
    await Promise.all([this.tailFunctionLogs(), this.tailTriggerRuns()]);
  }

  private async tailTriggerRuns(): Promise<void> {
    const { host, start } = this;
    if (start.target.mode !== 'emulator') return;
    await streamTriggerRuns({
      client: host.client,
      containerId: () => host.containerId(),
      workspace: host.project.workspace,
      target: start.target,
      python: start.probe.samPython ?? 'python3',
      pidFile: RUNS_PID_FILE,
      onLine: (line) => host.reporter.event({ type: 'function-log', line, message: `  trigger │ ${line}` }),
    }).catch((error: unknown) => host.reporter.event({ type: 'warning', level: 'warn', message: `trigger runs stopped: ${(error as Error).message}` }));
  }

  private async tailFunctionLogs(): Promise<void> {
    const { host, request, start } = this;
    await streamLogs({
      client: host.client,
      containerId: () => host.containerId(),
      workspace: host.project.workspace,
      target: start.target,
      credentials: request.credentials,
      // The functions by name: without names, sam logs also looks up every HTTP API's "$default"
      // stage, and fails on an API whose stage is named (NotFoundException).
      names: functionIds(await templateModel(this.config, request, host)),
      tail: true,
      pidFile: TAIL_PID_FILE,
      onLine: (line) => host.reporter.event({ type: 'function-log', line, message: `  logs │ ${line}` }),
    }).catch((error: unknown) => host.reporter.event({ type: 'warning', level: 'warn', message: `function logs stopped: ${(error as Error).message}` }));
  }

  private async releaseLease(): Promise<void> {
    const { lease, target } = this.start;
    if (!lease) return;
    const { reporter } = this.host;
    const released = await lease.release().catch((error: unknown) => {
      reporter.event({
        type: 'warning',
        level: 'warn',
        message: `could not release the lease on stack ${target.stackName}: ${(error as Error).message}; it goes stale by itself`,
      });
      return false;
    });
    if (released) reporter.event({ type: 'lease-released', stackName: target.stackName });
  }
}
