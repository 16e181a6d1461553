// `dsync logs`: the functions' runtime logs (sam logs in the container).
import { COMMON_HELP, COMMON_OPTIONS, parse } from '../args.js';
import { connectEngine, createCliSession, credentialsFor, loadCliConfig, profileFor, templateFunctionIds, withLayout } from '../deps.js';
import { systemClock } from '../../base/clock.js';
import { showLogs } from '../../samloop/function-logs.js';
import type { OutputStreams } from '../output.js';
import { silentReporter } from '../../base/reporter.js';
import { EXIT } from '../../base/errors.js';

export const help = `Usage: dsync logs [FUNCTION...] [options]

Print the runtime logs of the stack's functions (all of them, or the named
ones, by logical id), as \`sam logs\` does, for the stack the running or last
\`dsync up\` deployed (AWS, the emulator or another endpoint). Follows new
lines until Ctrl-C unless --no-tail.

Options:
  --no-tail       print what is there and stop
  --profile NAME  AWS profile on this machine (default: samconfig's profile, else AWS_PROFILE / default)
  --config-env N  samconfig environment whose profile to use (default: default)
${COMMON_HELP}
`;

export async function run(args: string[], io: OutputStreams): Promise<number> {
  const { values, positionals } = parse(
    'logs',
    args,
    { ...COMMON_OPTIONS, 'no-tail': { type: 'boolean', default: false }, profile: { type: 'string' }, 'config-env': { type: 'string' } },
    true,
  );
  const config = await withLayout(loadCliConfig(values, io.env), { strict: false });
  const session = createCliSession(config, silentReporter, io.env);
  const profile = await profileFor(config, values.profile, values['config-env']);
  // Ctrl-C ends following: stop this command's `sam logs` in the container
  // (an exec outlives its connection), then exit 0.
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  // A closed terminal (SIGHUP) too, without failing on writes to it.
  const onHangup = () => {
    for (const stream of [io.stdout, io.stderr]) stream.on('error', () => undefined);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onHangup);
  try {
    const container = await session.runningContainer();
    const code = await showLogs({
      client: connectEngine(io.env),
      containerId: container.id,
      workspace: session.project.workspace,
      clock: systemClock,
      names: positionals,
      allFunctions: positionals.length === 0 ? await templateFunctionIds(config, values['config-env']) : undefined,
      tail: !values['no-tail'],
      credentials: (mode) => credentialsFor(mode, io.env, profile),
      onLine: (line) => io.stdout.write(values.json ? `${JSON.stringify({ type: 'function-log', line })}\n` : `${line}\n`),
      signal: stop.signal,
    });
    return code === 0 ? EXIT.ok : EXIT.failed;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onHangup);
  }
}
