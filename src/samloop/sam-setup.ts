// Sets SAM up inside the project's container for `dsync up`: checks that the
// image has SAM (and moto for the emulator), copies dsync's helper scripts in,
// starts the emulator, and wires a runner and a deployer to the container.
import { createHash } from 'node:crypto';
import type { ContainerClient } from '../docker/container-client.js';
import { emulatorStartArgv, type SamTarget } from '../sam/commands.js';
import type { CredentialResolver } from '../sam/credentials.js';
import { SamRunner } from '../sam/runner.js';
import { containerRun } from '../docker/container-run.js';
import type { ImageProbe } from '../images/probe.js';
import { toolFiles } from '../images/tools.js';
import { API_PORTS, EMULATOR_PORT } from '../sam/target.js';
import type { PathFlavour } from '../base/platform.js';
import { packFiles } from '../sync/tar-pack.js';
import type { Clock } from '../base/clock.js';
import { Deployer, type ChangeReport } from './deployer.js';
import { SamWorker } from './worker.js';
import { readEmulatorGaps } from '../emulator/gaps.js';
import { DsyncError } from '../base/errors.js';
import { interruptible } from '../base/interrupt.js';
import type { Project } from '../docker/project.js';
import type { Reporter } from '../base/reporter.js';

export interface SamSetupInput {
  client: ContainerClient;
  containerId: () => string;
  project: Project;
  target: SamTarget;
  credentials: CredentialResolver;
  reporter: Reporter;
  clock: Clock;
  flavour: PathFlavour;
  probe: ImageProbe;
  readTemplate(): Promise<string | undefined>;
  exists(projectPath: string): Promise<boolean>;
  /** Whether dsync syncs a project path (`../shared/x` only when the run's layout includes it). */
  synced?(projectPath: string): boolean;
  templatePath: string;
  infraFiles: string[];
  /** Use the long-lived SAM worker for code syncs (default true). */
  fastPath?: boolean;
  onChange?(changes: readonly ChangeReport[]): void;
  settled?(): Promise<void>;
}

/**
 * Make the (possibly new) container ready for SAM: dsync's helper scripts,
 * and in emulator mode a running emulator with its artifact bucket. Run at
 * start and again whenever the container is recreated.
 */
/** Fail with one clear line when the image has no SAM CLI. */
export function requireSam(probe: ImageProbe): void {
  if (!probe.sam) {
    throw new DsyncError('SAM_MISSING', 'The container image has no `sam` command', {
      hint: 'add the SAM CLI to the image (for a dev container: `pip install aws-sam-cli` in its Dockerfile or a local feature; see docs/team-stacks.md "Team setup"), use an image that has it (public.ecr.aws/sam/build-nodejs22.x; `dsync image` builds dsync\'s), or run with --sync-only',
    });
  }
}

export async function prepareSamContainer(input: SamSetupInput, signal?: AbortSignal): Promise<void> {
  const { client, probe, target, reporter } = input;
  requireSam(probe);
  const files = await toolFiles();
  await interruptible(client.putArchive(input.containerId(), input.project.volumeRoot, packFiles(files)), signal);
  if (target.mode === 'emulator') {
    if (!probe.motoPython) throw new DsyncError('EMULATOR', 'The container image has no moto server for --emulator');
    reporter.progress('starting the AWS emulator (moto) in the container');
    const toolsHash = createHash('sha256');
    for (const f of files) toolsHash.update(f.name).update(f.content);
    const started = await interruptible(
      client.exec(input.containerId(), { cmd: emulatorStartArgv(probe.motoPython, EMULATOR_PORT, toolsHash.digest('hex').slice(0, 16), API_PORTS) }),
      signal,
    );
    if (started.exitCode !== 0) {
      throw new DsyncError('EMULATOR', `The AWS emulator did not start: ${started.stderr.trim().split('\n').pop() ?? `exit ${started.exitCode}`}`, {
        hint: 'see /dsync/state/emulator.log in the container (`dsync exec cat /dsync/state/emulator.log`)',
      });
    }
    reporter.done(`AWS emulator running (moto) for stack ${target.stackName} in ${target.region}`);
  }
}

/** Prepare the container, then return the deployer wired to it. */
export async function setUpSam(input: SamSetupInput, signal?: AbortSignal): Promise<Deployer> {
  const { client, probe, target, reporter } = input;
  await prepareSamContainer(input, signal);
  const run = containerRun(client, input.containerId, input.project.workspace);
  const worker = probe.samPython && input.fastPath !== false ? new SamWorker(client, input.containerId, probe.samPython, input.project.workspace) : undefined;
  worker?.warm();
  const runner = new SamRunner({
    run,
    fastRun: worker?.run(run),
    target,
    credentials: input.credentials,
    // SAM's paths are shown as the host's: the container's mirror is the host's sync root.
    workspace: input.project.mirror,
    root: input.project.syncRoot,
    flavour: input.flavour,
    now: () => input.clock.now(),
    onLine: (step, line) => reporter.event({ type: 'sam-output', step, line, message: `  ${step} │ ${line}` }),
  });
  return new Deployer({
    onClose: () => worker?.close(),
    onChange: input.onChange,
    settled: input.settled,
    runner,
    reporter,
    clock: input.clock,
    readTemplate: input.readTemplate,
    exists: input.exists,
    synced: input.synced,
    templatePath: input.templatePath,
    infraFiles: input.infraFiles,
    samPython: probe.samPython,
    emulatorGaps: target.mode === 'emulator' && probe.motoPython ? () => readEmulatorGaps(client, input.containerId(), probe.motoPython!) : undefined,
  });
}
