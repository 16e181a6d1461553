// The files dsync copies into every SAM container beside the image's own
// tools (under /dsync/tools): the emulator and the helpers that run beside
// SAM. They travel with each `up` rather than being baked into the image, so
// any image with SAM (a team's, a dev container's) gets them.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ExtraFile } from '../sync/tar-pack.js';

export const TOOL_FILES = [
  'dsync_moto.py',
  'dsync_emu_cfn.py',
  'dsync_emu_bridges.py',
  'dsync_emu_gaps.py',
  'dsync_emu_lambda.py',
  'dsync_emu_gateway.py',
  'dsync_lambda_runtime.mjs',
  'dsync_patch.py',
  'dsync_verify.py',
  'dsync_sam_worker.py',
  'dsync_tunnel.py',
  'dsync-credentials.sh',
  'aws-config',
] as const;

/** docker/ in the installed package (next to dist/). */
export const DOCKER_DIR = fileURLToPath(new URL('../../docker/', import.meta.url));

/** The tool files, named as they go into the volume (tools/...). */
export async function toolFiles(): Promise<ExtraFile[]> {
  return Promise.all(TOOL_FILES.map(async (name) => ({ name: `tools/${name}`, content: await readFile(`${DOCKER_DIR}tools/${name}`), mode: 0o755 })));
}
