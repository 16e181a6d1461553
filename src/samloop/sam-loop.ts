// The SAM loop as a session plugin: picks dsync's SAM image when the
// emulator needs it, sets SAM up in the container once the files are there
// (helper scripts, the emulator, the deployer and its worker), hands every
// applied batch to the deployer, sets SAM up again in a recreated container,
// and with --logs interleaves the functions' runtime logs.
import { pathToFileURL } from 'node:url';
import { DsyncError } from '../base/errors.js';
import { interruptible } from '../base/interrupt.js';
import { settingSource, type DsyncConfig } from '../config/config.js';
import { loopbackEndpoint } from '../docker/tunnel.js';
import { probeImage } from '../images/probe.js';
import { ensureRuntimeImage } from '../images/runtime-image.js';
import { ensureSamImage } from '../images/sam-image.js';
import { debianImageExtras, realAwsImage, runtimesOf } from '../sam/runtimes.js';
import { checkSamVersion } from '../sam/sam-version.js';
import { API_PORTS, EMULATOR_HOST_ALIASES, EMULATOR_PORT } from '../sam/target.js';
import type { PluginRun, SessionHost, SessionPlugin } from '../session/plugin.js';
import { claimStack } from '../stack/claim.js';
import type { StackLease } from '../stack/lease.js';
import { requireSam } from './sam-setup.js';
import { SamRun } from './sam-run.js';
import { samProject, templateModel, type SamRequest } from './sam-request.js';
import { DEBUGPY_DIR, DEBUGPY_VERSION, debugSettings, describeDebug, ensureDebugpy, writeDebugSettings, type DebugPlan } from '../emulator/debug.js';

export type { SamRequest } from './sam-request.js';

export function createSamLoop(config: DsyncConfig, request: SamRequest): SessionPlugin {
  const emulator = request.mode === 'emulator';
  return {
    container: {
      // The emulator, one port per API it serves (published on host loopback), and with --debug each
      // debugged function's port, the same number on both sides (a debugger's address stays the same).
      ports: emulator
        ? { ...Object.fromEntries([EMULATOR_PORT, ...API_PORTS].map((p) => [p, 0])), ...Object.fromEntries((request.debug?.targets ?? []).map((t) => [t.port, t.port])) }
        : undefined,
      // Caches outlive the container: npm's and pip's download caches; SAM's own build cache lives in the workspace volume.
      caches: { 'npm-cache': '/root/.npm', 'pip-cache': '/root/.cache/pip' },
      hosts: emulator ? { ...EMULATOR_HOST_ALIASES } : undefined,
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
      return emulatorImage(config, request, host, runtimes, signal);
    },
    start: (host, signal) => startSam(config, request, host, signal),
  };
}

/** dsync's Debian SAM image with the toolchains these runtimes need, built first where missing. */
async function emulatorImage(config: DsyncConfig, request: SamRequest, host: SessionHost, runtimes: ReadonlyMap<string, string[]>, signal?: AbortSignal): Promise<string> {
  const extras = debianImageExtras(runtimes);
  const base = await interruptible(ensureSamImage(host.client, host.reporter, await request.samImage()), signal);
  return interruptible(ensureRuntimeImage(host.client, host.reporter, base, extras, config.runtimeImages), signal);
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
    const image = await emulatorImage(config, request, host, runtimesOf(await templateModel(config, request, host)), signal);
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
    const claimed = await claimStack({
      config,
      request: { ...request, account: request.account, exact: request.flags.stackName !== undefined },
      target,
      reporter,
      signal,
    });
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
  if (request.mode === 'emulator')
    await startDebugging(host, target.stackName, request.debug, pathToFileURL(config.layout?.syncRoot ?? config.root).href, probe.motoPython ?? 'python3');
  try {
    return await SamRun.begin(config, request, host, { target, templatePath, infraFiles, probe, loopback, lease }, signal);
  } catch (error) {
    await lease?.release().catch(() => undefined);
    throw error;
  }
}

/** --debug: debugpy in the container for Python functions, then tell the emulator which functions (before the first deploy), and say where to attach, once. */
async function startDebugging(host: SessionHost, stackName: string, asked: DebugPlan | undefined, hostMirrorUrl: string, python: string): Promise<void> {
  let plan = asked;
  let debugpy: string | undefined;
  if (plan?.targets.some((t) => t.protocol === 'debugpy')) {
    host.reporter.progress(`debug: installing debugpy ${DEBUGPY_VERSION} in the container for the Python functions (once)`);
    try {
      await ensureDebugpy(host.client, host.containerId(), python);
      debugpy = DEBUGPY_DIR;
    } catch (error) {
      // Without debugpy the Python functions still run; the rest is still debugged.
      const why = (error as Error).message;
      plan = {
        targets: plan.targets.filter((t) => t.protocol !== 'debugpy'),
        unsupported: [...plan.unsupported, ...plan.targets.filter((t) => t.protocol === 'debugpy').map((t) => ({ function: t.function, runtime: t.runtime, why }))],
      };
    }
  }
  const places = { workspace: host.project.workspace, mirror: host.project.mirror, hostMirrorUrl, debugpy };
  await writeDebugSettings(host.client, host.containerId(), plan && debugSettings(stackName, plan, places));
  if (!plan) return;
  const targets = plan.targets.map(({ codePath: _, ...t }) => t);
  for (const message of describeDebug(plan)) host.reporter.event({ type: 'debug', targets, message });
}
