// `dsync image`: build dsync's SAM image and print its tag.
import { COMMON_HELP, COMMON_OPTIONS, parse } from '../args.js';
import { connectEngine, loadCliConfig, samImageSource } from '../deps.js';
import { chooseReporter, type OutputStreams } from '../output.js';
import { EXIT } from '../../base/errors.js';
import { ensureSamImage } from '../../images/sam-image.js';
import { ensureRuntimeImage } from '../../images/runtime-image.js';
import { debianImageExtras } from '../../sam/runtimes.js';

export const help = `Usage: dsync image [--base IMAGE] [--runtime RUNTIME ...] [--force] [options]

Build dsync's Debian-based SAM image (docker/Dockerfile: Node.js, npm,
esbuild, Python, a pinned SAM CLI and moto) on the Docker engine, and print
its tag. \`dsync up --emulator\` does this by itself the first time; run it
ahead to pay the few minutes once, e.g. in CI.

With --runtime, also add those toolchains (nodejs18.x to nodejs24.x,
python3.9 to python3.14), as \`up --emulator\` does for a template that
names them, and print that image's tag. Pythons 3.9, 3.13 and 3.14 are
built from Debian's CPython sources (minutes, once); 3.10 and 3.12 are taken
from AWS's image for the runtime, or the image dsync.json "runtimeImages"
names for it.

Options:
  --base IMAGE    base image (default: DSYNC_SAM_BASE_IMAGE, "samBaseImage" in dsync.json, else debian:bookworm-slim)
  --runtime RT    a Lambda runtime to add (repeatable)
  --force         rebuild even if the engine already has the image
${COMMON_HELP}
`;

export async function run(args: string[], io: OutputStreams): Promise<number> {
  const { values } = parse('image', args, {
    ...COMMON_OPTIONS,
    base: { type: 'string' },
    runtime: { type: 'string', multiple: true },
    force: { type: 'boolean', default: false },
  });
  // Checked before any build: an unsupported runtime is one line.
  const extras = debianImageExtras(new Map((values.runtime ?? []).map((rt) => [rt, ['--runtime']])));
  const config = loadCliConfig(values, io.env);
  const reporter = await chooseReporter(io, values.json);
  let tag: string;
  const source = await samImageSource(config, io.env);
  try {
    const client = connectEngine(io.env);
    await client.ping();
    if (values.base) source.baseImage = values.base;
    tag = await ensureRuntimeImage(client, reporter, await ensureSamImage(client, reporter, source, values.force), extras, config.runtimeImages);
    reporter.done();
  } finally {
    reporter.close();
  }
  if (values.json) io.stdout.write(`${JSON.stringify({ type: 'image', tag, baseImage: source.baseImage })}\n`);
  else io.stdout.write(`${tag}\n`);
  return EXIT.ok;
}
