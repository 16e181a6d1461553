// `dsync init`: write a commented dsync.json (and with --devcontainer a
// devcontainer.json) for an existing SAM project; see ../init-project.ts.
import fs from 'node:fs';
import path from 'node:path';
import { COMMON_OPTIONS, parse } from '../args.js';
import { connectEngine } from '../deps.js';
import { initProject } from '../init-project.js';
import type { OutputStreams } from '../output.js';
import { version } from '../version.js';
import { DsyncError, EXIT } from '../../base/errors.js';
import { decodeText } from '../../config/text.js';

export const help = `Usage: dsync init [--devcontainer] [--force] [options]

Set an existing SAM project up for a team: write a commented dsync.json with
the settings everyone shares. It detects the template (template.yaml/.yml, or
samconfig's template_file), samconfig's stack and region, and the functions'
runtime, and writes:
  "$schema"      the schema shipped with dsync (editors complete and explain keys)
  "image"        SAM's build image for the template's runtime
  "imageDigest"  that image's digest on this Docker engine, if it has the image
                 (else commented out: docker pull IMAGE, then dsync init --force)
  "samVersion"   a commented-out suggestion
  "requires"     this dsync version or newer
Commit dsync.json; every developer then gets the same image, SAM CLI and dsync.

Options:
  --devcontainer  also write .devcontainer/devcontainer.json on the same image
                  (settings may go in its "customizations": {"dsync": {...}})
  --force         replace existing files
  --image NAME    pin this image instead of SAM's build image for the runtime
  --cwd DIR       project folder (default: the current folder)
  --json          also print what was written as one JSON object on stdout
  -h, --help      show this help
`;

export async function run(args: string[], io: OutputStreams): Promise<number> {
  const { cwd, json, image } = COMMON_OPTIONS;
  const { values } = parse('init', args, {
    cwd,
    json,
    image,
    help: COMMON_OPTIONS.help,
    devcontainer: { type: 'boolean', default: false },
    force: { type: 'boolean', default: false },
  });
  const root = path.resolve(values.cwd ?? process.cwd());
  if (!isDirectory(root)) {
    throw new DsyncError('PROJECT', `Project folder ${root} does not exist or is not a folder`, {
      hint: 'run dsync init inside your SAM project, or pass --cwd DIR',
    });
  }
  const result = await initProject(
    { root, devcontainer: values.devcontainer, force: values.force, image: values.image },
    {
      readFile: (p) => (fs.existsSync(p) ? decodeText(fs.readFileSync(p), p) : undefined),
      writeFile: (p, text) => {
        fs.mkdirSync(path.dirname(p), { recursive: true });
        fs.writeFileSync(p, text);
      },
      exists: (p) => fs.existsSync(p),
      client: () => connectEngine(io.env),
      dsyncVersion: version(),
    },
  );
  for (const line of result.lines) io.stderr.write(`dsync init: ${line}\n`);
  io.stderr.write('dsync init: next: commit these files; each developer runs `dsync doctor`, then `dsync up`\n');
  if (values.json) io.stdout.write(`${JSON.stringify({ type: 'init', wrote: result.wrote, lines: result.lines })}\n`);
  return EXIT.ok;
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
