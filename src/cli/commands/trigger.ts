// `dsync trigger RESOURCE`: fire a schedule, a rule or a mapping of the deployed stack now.
import { COMMON_HELP, COMMON_OPTIONS, parse } from '../args.js';
import { connectEngine, createCliSession, loadCliConfig, withLayout } from '../deps.js';
import { readEvent } from '../event-input.js';
import type { OutputStreams } from '../output.js';
import { silentReporter } from '../../base/reporter.js';
import { DsyncError, EXIT } from '../../base/errors.js';
import { describeFired, fireTrigger } from '../../emulator/trigger.js';

export const help = `Usage: dsync trigger RESOURCE [--event FILE | --event -] [options]

Fire one trigger of the stack a running \`dsync up --emulator\` deployed, now,
instead of waiting for its schedule or crafting its message. RESOURCE is a
logical id of the template as deployed:

  a schedule rule     (SAM's Schedule event, <Function><Event>): its targets
                      get its Scheduled Event
  a rule              (EventBridgeRule, AWS::Events::Rule): its targets get
                      the event given with --event
  a Scheduler schedule (ScheduleV2): its target gets --event, or its Input
  a mapping           (AWS::Lambda::EventSourceMapping): its function runs
                      with the event given with --event
  a function          its one trigger (with several, dsync names them)

Asynchronous targets run in the background; \`dsync logs\` shows them.

Options:
  --event FILE    the event, a JSON file; "-" reads it from stdin
${COMMON_HELP}
`;

export async function run(args: string[], io: OutputStreams): Promise<number> {
  const { values, positionals } = parse('trigger', args, { ...COMMON_OPTIONS, event: { type: 'string' } }, true);
  if (positionals.length !== 1) {
    throw new DsyncError('USAGE', positionals.length === 0 ? 'trigger: name the rule, schedule, mapping or function (its logical id)' : 'trigger: one at a time', {
      hint: 'usage: dsync trigger RESOURCE [--event FILE]',
    });
  }
  const event = await readEvent('trigger', values.event);
  const config = await withLayout(loadCliConfig(values, io.env), { strict: false });
  const container = await createCliSession(config, silentReporter, io.env).runningContainer();
  const outcome = await fireTrigger(connectEngine(io.env), container.id, positionals[0]!, event);
  if (values.json) io.stdout.write(`${JSON.stringify({ type: 'trigger-result', ...outcome })}\n`);
  else io.stdout.write(`${describeFired(outcome)}\n`);
  return outcome.functionError ? EXIT.failed : EXIT.ok;
}
