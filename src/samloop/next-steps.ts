// After a stack deploy, what a person needs next, said again only when it
// changes: the stack's Outputs, resolved, and in emulator mode the
// emulator's endpoint and the APIs served on this machine.
import type { Reporter } from '../base/reporter.js';
import type { ContainerClient } from '../docker/container-client.js';
import { describeApis, readServedApis } from '../emulator/apis.js';
import type { ImageProbe } from '../images/probe.js';
import type { SamTarget } from '../sam/commands.js';
import type { CredentialResolver } from '../sam/credentials.js';
import { EMULATOR_PORT } from '../sam/target.js';
import { describeOutputs, readStackOutputs } from '../stack/outputs.js';

export interface NextStepsInput {
  client: ContainerClient;
  containerId(): string;
  probe: ImageProbe;
  target: SamTarget;
  credentials: CredentialResolver;
  reporter: Reporter;
}

export class NextSteps {
  private outputsSaid = '';
  private apisSaid = '';
  /** Sayings run one after another; a failed one is dropped (they are hints, not results). */
  private saying: Promise<void> = Promise.resolve();

  constructor(private readonly input: NextStepsInput) {}

  /** A stack deploy succeeded: look again, and say what changed. */
  afterDeploy(): void {
    this.saying = this.saying.then(() => this.say()).catch(() => undefined);
  }

  /** Resolves when everything asked so far has been said. */
  idle(): Promise<void> {
    return this.saying;
  }

  private async say(): Promise<void> {
    await this.sayOutputs();
    await this.sayApis();
  }

  private async sayOutputs(): Promise<void> {
    const { client, probe, target, credentials, reporter } = this.input;
    if (!probe.samPython) return;
    const outputs = await readStackOutputs(client, this.input.containerId(), probe.samPython, target, credentials);
    const lines = describeOutputs(target.stackName, outputs);
    if (lines.join('\n') === this.outputsSaid) return;
    this.outputsSaid = lines.join('\n');
    reporter.event({ type: 'outputs', stackName: target.stackName, outputs, message: lines.length > 0 ? lines.join('\n') : undefined });
  }

  private async sayApis(): Promise<void> {
    const { client, probe, target, reporter } = this.input;
    if (target.mode !== 'emulator' || !probe.motoPython) return;
    const id = this.input.containerId();
    const apis = await readServedApis(client, id, probe.motoPython, target.stackName);
    const emulatorPort = (await client.publishedPorts(id).catch(() => ({}) as Record<number, number>))[EMULATOR_PORT];
    const endpoint = emulatorPort ? `http://127.0.0.1:${emulatorPort}` : undefined;
    const lines = [...(endpoint ? [`emulator: ${endpoint} (--endpoint-url for the AWS CLI and SDKs)`] : []), ...describeApis(apis)];
    if (lines.join('\n') === this.apisSaid) return;
    this.apisSaid = lines.join('\n');
    reporter.event({ type: 'apis', apis, endpoint, message: lines.length > 0 ? ['on this machine:', ...lines.map((l) => `  ${l}`)].join('\n') : undefined });
  }
}
