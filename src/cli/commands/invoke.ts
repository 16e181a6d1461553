// `dsync invoke FUNCTION`: run a function of the deployed stack in the emulator.
import { COMMON_HELP, COMMON_OPTIONS, parse } from '../args.js';
import { readEvent } from '../event-input.js';
import { connectEngine, createCliSession, loadCliConfig, withLayout } from '../deps.js';
import type { OutputStreams } from '../output.js';
import { silentReporter } from '../../base/reporter.js';
import { DsyncError, EXIT } from '../../base/errors.js';
import { failureLine, invokeFunction } from '../../emulator/invoke-function.js';

export const help = `Usage: dsync invoke FUNCTION [--event FILE | --event -] [options]

Run FUNCTION (its logical id in the template) in the emulator of a running
\`dsync up --emulator\`, with exactly the code that was last synced, and print
its answer on stdout. The function runs as in Lambda: the deployed package
with its layers, the template's environment (references resolved to the
emulator's resources), AWS_ENDPOINT_URL pointing at the emulator, its Timeout.
Exit status 0 when it answered, 5 when it failed (threw or timed out).

Options:
  --event FILE    the event, a JSON file; "-" reads it from stdin (default: {})
  --logs          also print its logs (START ... REPORT) on stderr
${COMMON_HELP}
`;

export async function run(args: string[], io: OutputStreams): Promise<number> {
  const { values, positionals } = parse('invoke', args, { ...COMMON_OPTIONS, event: { type: 'string' }, logs: { type: 'boolean', default: false } }, true);
  if (positionals.length !== 1) {
    throw new DsyncError('USAGE', positionals.length === 0 ? 'invoke: name the function (its logical id in the template)' : 'invoke: one function at a time', {
      hint: 'usage: dsync invoke FUNCTION [--event FILE]',
    });
  }
  const event = (await readEvent('invoke', values.event)) ?? '{}';
  const config = await withLayout(loadCliConfig(values, io.env), { strict: false });
  const session = createCliSession(config, silentReporter, io.env);
  const container = await session.runningContainer();
  const outcome = await invokeFunction(connectEngine(io.env), container.id, positionals[0]!, event);
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ type: 'invoke-result', ...outcome })}\n`);
  } else {
    if (values.logs) io.stderr.write(outcome.logs);
    io.stdout.write(`${outcome.payload}\n`);
    if (outcome.functionError) io.stderr.write(`${failureLine(outcome.logicalId, outcome.payload)}\n`);
  }
  return outcome.functionError ? EXIT.failed : EXIT.ok;
}
