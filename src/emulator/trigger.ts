// `dsync trigger`: fire one trigger of the deployed stack in the emulator
// now (a schedule, a rule, a Scheduler schedule, an event source mapping, or
// a function's one trigger), by logical id, through the emulator's trigger
// route (docker/emulator/dsync_emulator/eventbridge/trigger.py).
import { DsyncError } from '../base/errors.js';
import type { ContainerClient } from '../docker/container-client.js';
import { emulatorStack, postRoute } from './post-route.js';

export interface TriggerOutcome {
  /** The trigger fired (a function's one trigger when a function was named). */
  fired: string;
  kind: 'rule' | 'schedule' | 'mapping';
  /** Where it went: the targets' ARNs. */
  targets: string[];
  /** A mapping runs its function at once: "Unhandled" when it failed. */
  functionError?: string | null;
}

export async function fireTrigger(client: ContainerClient, containerId: string, logicalId: string, event: string | undefined): Promise<TriggerOutcome> {
  const { target, python } = await emulatorStack(
    client,
    containerId,
    'dsync trigger fires triggers',
    'in AWS, run the target with `sam remote invoke` or send the event with the AWS CLI',
  );
  const { ok, answer } = await postRoute(client, containerId, python, ['_dsync', 'trigger', target.region, target.stackName, logicalId], event ?? '');
  if (!ok) {
    const triggers = Array.isArray(answer.triggers) ? (answer.triggers as string[]) : [];
    throw new DsyncError('NOT_FOUND', String(answer.message ?? 'the emulator refused the trigger'), {
      hint: triggers.length > 0 ? `the stack's triggers: ${triggers.join(', ')}` : 'name a rule, schedule or event source mapping (its logical id), or a function with one trigger',
    });
  }
  return answer as unknown as TriggerOutcome;
}

/** What was fired, for the terminal. */
export function describeFired(outcome: TriggerOutcome): string {
  const where = outcome.targets.map((arn) => arn.split(':').slice(5).join(':') || arn).join(', ');
  return `fired ${outcome.kind} ${outcome.fired} -> ${where || 'no targets'}`;
}
