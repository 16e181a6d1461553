// `dsync debug`: the debug ports of this project's functions (what `up --emulator --debug`
// uses), and with --vscode the attach configurations in .vscode/launch.json.
import fs from 'node:fs';
import path from 'node:path';
import { COMMON_HELP, COMMON_OPTIONS, parse } from '../args.js';
import { loadCliConfig, readTemplateModel, readText } from '../deps.js';
import type { OutputStreams } from '../output.js';
import { DsyncError, EXIT } from '../../base/errors.js';
import { describeDebug, mergeLaunchJson, planDebug } from '../../emulator/debug.js';

export const help = `Usage: dsync debug [FUNCTION...] [--vscode] [options]

Say which port each function (all, when none is named) is debugged on by
\`dsync up --emulator --debug\`: the Node.js inspector, on 127.0.0.1, a port
that depends on the function's name only, so it stays the same across runs
and saves (dsync.json "debug" can set it).

With --vscode, write .vscode/launch.json in the project folder: one attach
configuration per function ("dsync: <Function>"), with localRoot (the
function's code folder) and remoteRoot (where the emulator runs it), and
restart on, so a save's new instance is reattached. Your own configurations
are kept; dsync's are replaced.

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
  const wish = positionals.length ? positionals : config.debug && typeof config.debug === 'object' && !Array.isArray(config.debug) ? config.debug : true;
  const plan = planDebug(model, wish);
  if (values.vscode) {
    const file = path.join(config.root, '.vscode', 'launch.json');
    const text = mergeLaunchJson(readText(file), plan.targets);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    if (!values.json) io.stderr.write(`wrote ${file}: ${plan.targets.map((t) => `"dsync: ${t.function}"`).join(', ') || 'no Node.js functions'}\n`);
  }
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ type: 'debug', debug: plan.targets.map(({ codePath: _, ...t }) => t), unsupported: plan.unsupported })}\n`);
  } else {
    for (const line of describeDebug(plan)) io.stdout.write(`${line}\n`);
  }
  return EXIT.ok;
}
