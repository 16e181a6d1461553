import { COMMON_HELP, COMMON_OPTIONS, parse } from '../args.js';
import { createCliSession, loadCliConfig } from '../deps.js';
import { chooseReporter, type OutputStreams } from '../output.js';
import { DsyncError, EXIT } from '../../core/errors.js';

export const help = `Usage: dsync up --sync-only [options]

Create (or reuse) this project's container, copy the project into it, then
keep it in sync as you edit, until Ctrl-C. The container and its workspace
volume stay for the next run, which then only sends what changed.

Options:
  --sync-only     only sync files (SAM build and deploy are not available yet)
${COMMON_HELP}
`;

export async function run(args: string[], io: OutputStreams): Promise<number> {
  const { values } = parse('up', args, { ...COMMON_OPTIONS, 'sync-only': { type: 'boolean', default: false } });
  if (!values['sync-only']) {
    throw new DsyncError('USAGE', 'up: SAM build and sync are not available in this version', {
      hint: 'run `dsync up --sync-only` to mirror the project into its container',
    });
  }
  const config = loadCliConfig(values, io.env);
  const reporter = await chooseReporter(io, values.json);
  const session = createCliSession(config, reporter, io.env);
  const running = await session.startLiveSync();

  // Ctrl-C and SIGTERM run the same teardown: stop watching, finish the batch
  // in flight, leave the container for next time.
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  reporter.progress('stopping: finishing the current batch');
  await running.stop();
  reporter.done('stopped; the container is kept for the next `dsync up`');
  reporter.event({ type: 'stopped' });
  reporter.close();
  return EXIT.ok;
}
