// `dsync image`: build dsync's SAM image and print its tag.
import { COMMON_HELP, COMMON_OPTIONS, parse } from '../args.js';
import { connectEngine, loadCliConfig, samImageSource } from '../deps.js';
import { chooseReporter, type OutputStreams } from '../output.js';
import { EXIT } from '../../base/errors.js';
import { ensureSamImage } from '../../loop/image.js';

export const help = `Usage: dsync image [--base IMAGE] [--force] [options]

Build dsync's Debian-based SAM image (docker/Dockerfile: Node.js, npm,
esbuild, Python, a pinned SAM CLI and moto) on the Docker engine, and print
its tag. \`dsync up --emulator\` does this by itself the first time; run it
ahead to pay the few minutes once, e.g. in CI.

Options:
  --base IMAGE    base image (default: DSYNC_SAM_BASE_IMAGE, "samBaseImage" in dsync.json, else debian:bookworm-slim)
  --force         rebuild even if the engine already has the image
${COMMON_HELP}
`;

export async function run(args: string[], io: OutputStreams): Promise<number> {
  const { values } = parse('image', args, { ...COMMON_OPTIONS, base: { type: 'string' }, force: { type: 'boolean', default: false } });
  const config = loadCliConfig(values, io.env);
  const reporter = await chooseReporter(io, values.json);
  let tag: string;
  const source = await samImageSource(config, io.env);
  try {
    const client = connectEngine(io.env);
    await client.ping();
    if (values.base) source.baseImage = values.base;
    tag = await ensureSamImage(client, reporter, source, values.force);
    reporter.done();
  } finally {
    reporter.close();
  }
  if (values.json) io.stdout.write(`${JSON.stringify({ type: 'image', tag, baseImage: source.baseImage })}\n`);
  else io.stdout.write(`${tag}\n`);
  return EXIT.ok;
}
