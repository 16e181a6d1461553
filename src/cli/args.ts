// Argument parsing on top of node:util parseArgs, with dsync's usage errors.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DsyncError } from '../base/errors.js';

export const COMMON_OPTIONS = {
  cwd: { type: 'string' },
  root: { type: 'string' },
  image: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

export const COMMON_HELP = `  --cwd DIR       project folder (default: the current folder)
  --root DIR      monorepos: the folder the template's paths outside the project
                  (CodeUri: ../shared) may reach into (default: the git work tree)
  --image NAME    container image (default: "image" in dsync.json, else the SAM Node.js build image)
  --json          machine-readable output on stdout, one JSON object per line
  -h, --help      show this help`;

export function parse<O extends NonNullable<ParseArgsConfig['options']>>(command: string, args: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    throw new DsyncError('USAGE', `${command}: ${(error as Error).message.split('\n')[0]}`, { hint: `run \`dsync ${command} --help\`` });
  }
}
