// `dsync debug`: the debug ports of this project's functions (what `up --emulator --debug`
// uses), and with --vscode the attach configurations in .vscode/launch.json.
import fs from 'node:fs';
import path from 'node:path';
import { COMMON_HELP, COMMON_OPTIONS, parse } from '../args.js';
import { loadCliConfig, readTemplateModel } from '../deps.js';
import type { OutputStreams } from '../output.js';
import { DsyncError, EXIT } from '../../base/errors.js';
import { configuredWish, describeDebug, fixedPorts, mergeLaunchJson, planDebug } from '../../emulator/debug.js';

export const help = `Usage: dsync debug [FUNCTION...] [--vscode] [options]

Say which port each function (all, when none is named) is debugged on by
\`dsync up --emulator --debug\`: the Node.js inspector (Node.js) or debugpy
(Python), on 127.0.0.1, a port that depends on the project's folder name and
the function's only, so it stays the same across runs and saves (dsync.json
"debug" can set it).

With --vscode, write .vscode/launch.json in the project folder: one attach
configuration per function ("dsync: <Function>"), with localRoot (the
function's code folder) and remoteRoot (where the emulator runs it), and
restart on (Node.js), so a save's new instance is reattached. Your own
configurations, and the file's comments, are kept; dsync's are replaced.

Options:
  --vscode        write .vscode/launch.json
  --config-env N  samconfig environment (default: default)
${COMMON_HELP}
`;

export async function run(args: string[], io: OutputStreams): Promise<number> {
  const { values, positionals } = parse('debug', args, { ...COMMON_OPTIONS, vscode: { type: 'boolean', default: false }, 'config-env': { type: 'string' } }, true);
  const config = loadCliConfig(values, io.env);
  const model = await readTemplateModel(config, values['config-env']);
  if (!model) throw new DsyncError('TEMPLATE', 'debug: the SAM template cannot be read, so its functions are unknown', { hint: 'run `dsync doctor` to see why' });
  const wish = positionals.length ? positionals : (configuredWish(config.debug) ?? true);
  const plan = planDebug(model, wish, fixedPorts(config.debug), path.basename(config.root));
  if (values.vscode) {
    const file = path.join(config.root, '.vscode', 'launch.json');
    writeAtomically(file, mergeLaunchJson(readExisting(file), plan.targets));
    if (!values.json) io.stderr.write(`wrote ${file}: ${plan.targets.map((t) => `"dsync: ${t.function}"`).join(', ') || 'no functions to debug'}\n`);
  }
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ type: 'debug', debug: plan.targets.map(({ codePath: _, ...t }) => t), unsupported: plan.unsupported })}\n`);
  } else {
    for (const line of describeDebug(plan)) io.stdout.write(`${line}\n`);
  }
  return EXIT.ok;
}

/** The file's text; undefined only when there is none (any other failure must not let it be overwritten). */
function readExisting(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DsyncError('CONFIG', `${file} cannot be read: ${(error as Error).message}`, { hint: 'fix its permissions, or move it, then run the command again' });
  }
}

/** Write next to it, then rename: an interrupted write never leaves half a file. */
function writeAtomically(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.dsync-${process.pid}.tmp`;
  fs.writeFileSync(temporary, text);
  fs.renameSync(temporary, file);
}
