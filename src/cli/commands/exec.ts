// `dsync exec -- CMD`: run a command in the container's workspace.
import { COMMON_HELP, COMMON_OPTIONS, parse } from '../args.js';
import { createCliSession, loadCliConfig, withLayout } from '../deps.js';
import type { OutputStreams } from '../output.js';
import { silentReporter } from '../../base/reporter.js';
import { DsyncError } from '../../base/errors.js';

export const help = `Usage: dsync exec [options] -- COMMAND [ARGS...]

Run COMMAND in the project's workspace inside its container, streaming its
output. dsync exits with the command's exit code.

Options:
${COMMON_HELP}
`;

export async function run(args: string[], io: OutputStreams): Promise<number> {
  const dashdash = args.indexOf('--');
  const own = dashdash < 0 ? args : args.slice(0, dashdash);
  const { values, positionals } = parse('exec', own, COMMON_OPTIONS, true);
  const command = dashdash < 0 ? positionals : [...positionals, ...args.slice(dashdash + 1)];
  if (command.length === 0) {
    throw new DsyncError('USAGE', 'exec: no command given', { hint: 'usage: dsync exec -- COMMAND [ARGS...]' });
  }
  const config = await withLayout(loadCliConfig(values, io.env), { strict: false });
  const session = createCliSession(config, silentReporter, io.env);
  return session.exec(command, { stdout: io.stdout, stderr: io.stderr });
}
