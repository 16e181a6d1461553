// The SAM loop as a session plugin: picks dsync's SAM image when the
// emulator needs it, sets SAM up in the container once the files are there
// (helper scripts, the emulator, the deployer and its worker), hands every
// applied batch to the deployer, sets SAM up again in a recreated container,
// and with --logs interleaves the functions' runtime logs.
import { posix } from 'node:path';
import { DsyncError } from '../base/errors.js';
import { interrupted, interruptible } from '../base/interrupt.js';
import { settingSource, type DsyncConfig } from '../config/config.js';
import type { TargetMode } from '../sam/commands.js';
import type { CredentialResolver } from '../sam/credentials.js';
import { debianImageExtras, realAwsImage, runtimesOf } from '../sam/runtimes.js';
import { checkSamVersion } from '../sam/sam-version.js';
import { API_PORTS, EMULATOR_PORT, type TargetInput } from '../sam/target.js';
import { loadTemplateModel, type TemplateModel } from '../sam/template.js';
import type { PluginRun, SessionHost, SessionPlugin } from '../session/plugin.js';
import { ContentFilter } from './change-filter.js';
import { describeApis, readServedApis } from './emulator-apis.js';
import { describeOutputs, readStackOutputs } from './stack-outputs.js';
import { ChangeLog } from './change-log.js';
import type { Deployer } from './deployer.js';
import { saveTarget, stopLogs, streamLogs } from './function-logs.js';
import { ensureSamImage, type SamImageSource } from './image.js';
import { ensureRuntimeImage } from './runtime-image.js';
import { resolveSamProject } from './sam-project.js';
import { prepareSamContainer, probeImage, requireSam, setUpSam, type SamSetupInput } from './setup.js';
import { claimStack, type StackAccount } from './stack-claim.js';
import type { LeaseTiming, StackLease } from './stack-lease.js';
import { loopbackEndpoint, ReverseTunnel, tunnelTarget, urlPort } from './tunnel.js';

/** Where `up --logs` records its `sam logs --tail` process, to stop exactly that one. */
const TAIL_PID_FILE = '/dsync/state/up-logs-tail.pid';

/** What `dsync up` asks of SAM; absent for --sync-only. */
export interface SamRequest {
  mode: TargetMode;
  flags: TargetInput['flags'];
  env: Record<string, string | undefined>;
  credentials: CredentialResolver;
  /**
   * Real AWS and --endpoint-url: the account as the host sees it (who the
   * credentials are, the stack's tags, the stack lease), for the stack per
   * developer, the production guard and one `dsync up` per stack.
   */
  account?(credentials: CredentialResolver, region: string): StackAccount | Promise<StackAccount>;
  /** This machine, for the lease record. */
  machine?: { osUser: string; hostname: string; pid: number };
  /** --take-over: take the stack's lease even while another `dsync up` holds it. */
  takeOver?: boolean;
  /** --allow-protected: sync into a protected stack dsync did not create. */
  allowProtected?: boolean;
  leaseTiming?: LeaseTiming;
  /** dsync must stop (the stack's lease was taken over): the CLI ends the run with this error. */
  fatal?(error: DsyncError): void;
  /** The Debian SAM image's build inputs, for emulator mode when the image has no moto. */
  samImage(): Promise<SamImageSource>;
  /** Interleave the functions' runtime logs (`sam logs --tail`) with the sync status. */
  logs?: boolean;
}

export function createSamLoop(config: DsyncConfig, request: SamRequest): SessionPlugin {
  const emulator = request.mode === 'emulator';
  return {
    container: {
      // The emulator, and one port per API it serves (published on host loopback).
      ports: emulator ? Object.fromEntries([EMULATOR_PORT, ...API_PORTS].map((p) => [p, 0])) : undefined,
      // Caches outlive the container: npm's and pip's download caches; SAM's own build cache lives in the workspace volume.
      caches: { 'npm-cache': '/root/.npm', 'pip-cache': '/root/.cache/pip' },
    },
    async chooseImage(host, signal) {
      if (config.imageChosen) return undefined;
      const runtimes = runtimesOf(await templateModel(config, request, host));
      if (!emulator) {
        // Real AWS: SAM's build image for the template's runtime.
        const { image, runtime } = realAwsImage(runtimes);
        host.reporter.event({ type: 'image-choice', image, runtime, message: `image ${image} (the template's runtime is ${runtime})` });
        return image;
      }
      // Emulator: dsync's Debian SAM image (it has moto), with the template's toolchains.
      return emulatorImage(request, host, runtimes, signal);
    },
    start: (host, signal) => startSam(config, request, host, signal),
  };
}

/** dsync's Debian SAM image with the toolchains these runtimes need, built first where missing. */
async function emulatorImage(request: SamRequest, host: SessionHost, runtimes: ReadonlyMap<string, string[]>, signal?: AbortSignal): Promise<string> {
  const extras = debianImageExtras(runtimes);
  const base = await interruptible(ensureSamImage(host.client, host.reporter, await request.samImage()), signal);
  return interruptible(ensureRuntimeImage(host.client, host.reporter, base, extras), signal);
}

/** The SAM project (samconfig, template path, target) as flags, dsync.json and samconfig say. */
function samProject(config: DsyncConfig, request: SamRequest, host: SessionHost) {
  return resolveSamProject({
    config,
    mode: request.mode,
    flags: request.flags,
    env: request.env,
    projectName: host.platform.path.basename(config.root),
    readHost: (p) => host.readHost(p),
    flavour: host.platform.path,
  });
}

/** The template as dsync models it, to choose toolchains; an empty model when it does not parse yet (the deployer says why). */
async function templateModel(config: DsyncConfig, request: SamRequest, host: SessionHost): Promise<TemplateModel> {
  const { templatePath } = await samProject(config, request, host);
  const text = await host.readHost(templatePath);
  try {
    return loadTemplateModel(text ?? '', templatePath);
  } catch {
    return { file: templatePath, resources: new Map(), infraFiles: [], references: [] };
  }
}

/** The template's functions (logical ids), for `sam logs --name`. */
export function functionIds(model: TemplateModel): string[] {
  return [...model.resources.values()].filter((r) => r.kind === 'function').map((r) => r.id);
}

/** Whether this run's layout sends a path the template names (relative to the project folder). */
export function syncedByLayout(config: DsyncConfig, p: string): boolean {
  const layout = config.layout;
  if (posix.isAbsolute(p) || /^[A-Za-z]:\//.test(p)) return false;
  const inside = (q: string) => q !== '..' && !q.startsWith('../');
  if (!layout?.scope) return inside(p);
  const fromRoot = posix.normalize(posix.join(layout.projectDir, p));
  return inside(fromRoot) && layout.scope.some((s) => s === '' || fromRoot === s || fromRoot.startsWith(`${s}/`));
}

/** Probe the image (switching to the SAM image if the emulator needs moto), say where the stack goes, then set SAM up. */
async function startSam(config: DsyncConfig, request: SamRequest, host: SessionHost, signal?: AbortSignal): Promise<PluginRun> {
  const { client, reporter } = host;
  const loopback = request.mode === 'endpoint' && request.flags.endpointUrl ? loopbackEndpoint(request.flags.endpointUrl) : undefined;
  let probe = await interruptible(probeImage(client, host.containerId()), signal);
  if (config.devcontainer?.providesImage) {
    // The dev container's image is the team's environment: never swap it for another behind the user's back.
    requireSam(probe);
    if (request.mode === 'emulator' && !probe.motoPython) {
      throw new DsyncError('EMULATOR', `The dev container image ${config.image} has SAM but no moto server, which --emulator needs`, {
        hint: 'build the dev container FROM dsync\'s SAM image (`dsync image` prints its tag), or add `pip install "moto[server]"` to its Dockerfile',
      });
    }
  }
  if (request.mode === 'emulator' && !probe.motoPython) {
    reporter.event({ type: 'image-switch', message: `${config.image} has no moto server; using dsync's SAM image for --emulator` });
    const image = await emulatorImage(request, host, runtimesOf(await templateModel(config, request, host)), signal);
    await interruptible(host.switchImage(image), signal);
    probe = await interruptible(probeImage(client, host.containerId()), signal);
  }
  requireSam(probe);
  // The team's SAM CLI pin, before anything is deployed with another version.
  if (config.samVersion !== undefined) checkSamVersion(probe.samVersion, config.samVersion, settingSource(config, 'samVersion'));
  const project = await samProject(config, request, host);
  const { templatePath, infraFiles } = project;
  let target = project.target;
  let identity = '';
  let lease: StackLease | undefined;
  if (request.account) {
    // Which stack (one per developer unless told otherwise), may dsync touch it, and is anyone else on it.
    const claimed = await claimStack({ config, request: { ...request, account: request.account, exact: request.flags.stackName !== undefined }, target, reporter, signal });
    target = { ...target, stackName: claimed.stackName };
    identity = claimed.identity;
    lease = claimed.lease;
  }
  reporter.event({
    type: 'sam-ready',
    mode: target.mode,
    stackName: target.stackName,
    region: target.region,
    samVersion: probe.samVersion,
    message: `SAM ${probe.samVersion ?? '?'} → stack ${target.stackName} in ${target.region}${target.mode === 'emulator' ? ' (emulator)' : target.endpointUrl ? ` at ${target.endpointUrl}` : ''}${identity}`,
  });
  try {
    return await runSam(config, request, host, { target, templatePath, infraFiles, probe, loopback, lease }, signal);
  } catch (error) {
    await lease?.release().catch(() => undefined);
    throw error;
  }
}

interface SamStart {
  target: Awaited<ReturnType<typeof samProject>>['target'];
  templatePath: string;
  infraFiles: string[];
  probe: Awaited<ReturnType<typeof probeImage>>;
  loopback: ReturnType<typeof loopbackEndpoint> | undefined;
  lease: StackLease | undefined;
}

async function runSam(config: DsyncConfig, request: SamRequest, host: SessionHost, start: SamStart, signal?: AbortSignal): Promise<PluginRun> {
  const { client, reporter } = host;
  const { target, templatePath, infraFiles, probe, loopback, lease } = start;
  await interruptible(saveTarget(client, host.containerId(), target), signal);

  const changeLog = new ChangeLog(client, () => host.containerId());
  const contentFilter = new ContentFilter(host.fs, config.root, host.platform.path);
  let filtering: Promise<void> = Promise.resolve();
  // After a stack deploy, what a person needs next (again when it changes): the
  // stack's Outputs, resolved, and in emulator mode the APIs and where to call them.
  let outputsSaid = '';
  let apisSaid = '';
  const sayWhatComesNext = async () => {
    if (probe.samPython) {
      const outputs = await readStackOutputs(client, host.containerId(), probe.samPython, target, request.credentials);
      const lines = describeOutputs(target.stackName, outputs);
      if (lines.join('\n') !== outputsSaid) {
        outputsSaid = lines.join('\n');
        reporter.event({ type: 'outputs', stackName: target.stackName, outputs, message: lines.length > 0 ? lines.join('\n') : undefined });
      }
    }
    if (target.mode !== 'emulator' || !probe.motoPython) return;
    const apis = await readServedApis(client, host.containerId(), probe.motoPython, target.stackName);
    const emulatorPort = (await client.publishedPorts(host.containerId()).catch(() => ({}) as Record<number, number>))[EMULATOR_PORT];
    const endpoint = emulatorPort ? `http://127.0.0.1:${emulatorPort}` : undefined;
    const lines = [...(endpoint ? [`emulator: ${endpoint} (--endpoint-url for the AWS CLI and SDKs)`] : []), ...describeApis(apis)];
    if (lines.join('\n') === apisSaid) return;
    apisSaid = lines.join('\n');
    reporter.event({ type: 'apis', apis, endpoint, message: lines.length > 0 ? ['on this machine:', ...lines.map((l) => `  ${l}`)].join('\n') : undefined });
  };
  let saying: Promise<void> = Promise.resolve();
  const setup: SamSetupInput = {
    onChange: (changes) => {
      changeLog.write(changes);
      const last = changes[changes.length - 1];
      if (last?.kind === 'infra' && last.ok) saying = saying.then(sayWhatComesNext).catch(() => undefined);
    },
    settled: async () => {
      await host.settled();
      await filtering;
    },
    client,
    containerId: () => host.containerId(),
    project: host.project,
    target,
    credentials: request.credentials,
    reporter,
    clock: host.clock,
    flavour: host.platform.path,
    probe,
    readTemplate: () => host.readHost(templatePath),
    exists: (p) => host.exists(p),
    synced: (p) => syncedByLayout(config, p),
    templatePath,
    infraFiles,
  };
  // Not raced: a deployer that exists must be closed (its worker stopped) before giving up.
  const deployer: Deployer = await setUpSam(setup, signal);
  // A loopback endpoint is the caller's machine: carry it into the container.
  let tunnel: ReverseTunnel | undefined;
  const openTunnel = async () => {
    if (loopback) tunnel = await ReverseTunnel.open(client, host.containerId(), probe.samPython ?? 'python3', urlPort(loopback), tunnelTarget(loopback));
  };
  try {
    await interruptible(openTunnel(), signal);
  } catch (error) {
    await deployer.close();
    throw error;
  }
  if (signal?.aborted) {
    tunnel?.close();
    await deployer.close();
    throw interrupted();
  }

  let tailing: Promise<unknown> | undefined;
  return {
    applied(paths, seq, timing) {
      // Sequential, so batches reach the deployer in order.
      filtering = filtering.then(async () => deployer.notify(await contentFilter.changed(paths), seq, timing)).catch(() => undefined);
    },
    async containerRecreated() {
      // A new container has no helper scripts and no emulator (whose stack lived in memory): set it up and deploy again.
      reporter.event({ type: 'container-recreated', level: 'warn', message: 'the container was recreated: setting SAM up again and redeploying the stack' });
      await prepareSamContainer(setup);
      tunnel?.close();
      await openTunnel();
      deployer.redeploy();
    },
    watching() {
      deployer.requestInfra(0);
      if (!request.logs) return;
      tailing = deployer.idle().then(async () =>
        streamLogs({
          client,
          containerId: () => host.containerId(),
          workspace: host.project.workspace,
          target,
          credentials: request.credentials,
          // The functions by name: without names, sam logs also looks up every HTTP API's "$default"
          // stage, and fails on an API whose stage is named (NotFoundException).
          names: functionIds(await templateModel(config, request, host)),
          tail: true,
          pidFile: TAIL_PID_FILE,
          onLine: (line) => reporter.event({ type: 'function-log', line, message: `  logs │ ${line}` }),
        }).catch((error: unknown) => reporter.event({ type: 'warning', level: 'warn', message: `function logs stopped: ${(error as Error).message}` })),
      );
    },
    async idle() {
      await filtering;
      await deployer.idle();
      await saying;
    },
    async stop() {
      if (tailing) {
        await stopLogs(client, host.containerId(), TAIL_PID_FILE).catch(() => undefined);
        await tailing;
      }
      reporter.progress('waiting for the running SAM step to finish');
      await deployer.close();
      tunnel?.close();
      if (lease) {
        const released = await lease.release().catch((error: unknown) => {
          reporter.event({ type: 'warning', level: 'warn', message: `could not release the lease on stack ${target.stackName}: ${(error as Error).message}; it goes stale by itself` });
          return false;
        });
        if (released) reporter.event({ type: 'lease-released', stackName: target.stackName });
      }
    },
  };
}
