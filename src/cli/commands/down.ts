// `dsync down [--purge]`: remove the project's container (and its volumes).
import { COMMON_HELP, COMMON_OPTIONS, parse } from '../args.js';
import { createCliSession, loadCliConfig } from '../deps.js';
import { chooseReporter, type OutputStreams } from '../output.js';
import { EXIT } from '../../base/errors.js';

export const help = `Usage: dsync down [--purge] [options]

Remove this project's container. The workspace volume is kept, so the next
\`dsync up\` only sends what changed; --purge removes the volumes too.

Options:
  --purge         also remove the project's volumes
${COMMON_HELP}
`;

export async function run(args: string[], io: OutputStreams): Promise<number> {
  const { values } = parse('down', args, { ...COMMON_OPTIONS, purge: { type: 'boolean', default: false } });
  const config = loadCliConfig(values, io.env);
  const reporter = await chooseReporter(io, values.json);
  const session = createCliSession(config, reporter, io.env);
  const removed = await session.down(values.purge);
  const what = [
    removed.containers.length ? `container ${removed.containers.join(', ')}` : 'no container',
    values.purge ? (removed.volumes.length ? `volumes ${removed.volumes.join(', ')}` : 'no volumes') : '',
  ].filter(Boolean);
  reporter.event({ type: 'down', containers: removed.containers, volumes: removed.volumes, message: `removed ${what.join(' and ')}` });
  reporter.close();
  return EXIT.ok;
}
