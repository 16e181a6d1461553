// The Debian-based SAM image from docker/Dockerfile: built on the engine the
// first time emulator mode needs it (with progress), then reused. Its tag is
// a hash of the Dockerfile, the base image and the extra CA certificates, so
// a change to any of them builds a new image and an old one is never reused
// by mistake.
import { createHash } from 'node:crypto';
import type { ContainerClient } from '../docker/container-client.js';
import { packFiles } from '../sync/tar-pack.js';
import { DsyncError, isDsyncError } from '../base/errors.js';
import type { Reporter } from '../base/reporter.js';

export const DEFAULT_SAM_BASE_IMAGE = 'debian:bookworm-slim';
export const SAM_IMAGE_REPO = 'dsync/sam';

export interface SamImageSource {
  dockerfile: string;
  /** Extra CA certificates to trust inside the image (PEM text by file name). */
  caCertificates: Array<{ name: string; pem: string }>;
  baseImage: string;
}

export function samImageTag(source: SamImageSource): string {
  const hash = createHash('sha256').update(source.dockerfile).update('\0').update(source.baseImage);
  for (const ca of source.caCertificates) hash.update('\0').update(ca.name).update('\0').update(ca.pem);
  return `${SAM_IMAGE_REPO}:${hash.digest('hex').slice(0, 12)}`;
}

/** Return the tag of the SAM image, building it first if the engine does not have it. */
export async function ensureSamImage(client: ContainerClient, reporter: Reporter, source: SamImageSource, force = false): Promise<string> {
  const tag = samImageTag(source);
  if (!force && (await client.imageExists(tag))) return tag;
  if (!(await client.imageExists(source.baseImage))) {
    reporter.progress(`pulling base image ${source.baseImage}`);
    try {
      await client.pullImage(source.baseImage, (status) => reporter.progress(`pulling ${source.baseImage}: ${status}`));
    } catch (error) {
      if (isDsyncError(error, 'ENGINE_UNREACHABLE')) throw error;
      throw new DsyncError('IMAGE_MISSING', `The base image ${source.baseImage} for the SAM image is not on the engine and could not be pulled`, {
        hint: 'with no registry, run `bash docker/base/build-local-bases.sh` and set DSYNC_SAM_BASE_IMAGE=dsync-local/debian:bookworm (or samBaseImage in dsync.json)',
        cause: error,
      });
    }
  }
  const context = packFiles([
    { name: 'Dockerfile', content: source.dockerfile },
    { name: 'ca-certificates/README', content: 'extra CA certificates added by dsync\n' },
    ...source.caCertificates.map((ca, i) => ({ name: `ca-certificates/dsync-extra-${i}.crt`, content: ca.pem })),
  ]);
  reporter.progress(`building the SAM image ${tag} from ${source.baseImage} (first run only, a few minutes)`);
  let step = '';
  await client.buildImage(context, { tag, dockerfile: 'Dockerfile', buildArgs: { BASE_IMAGE: source.baseImage }, labels: { 'dev.dsync.tool': 'dsync' } }, (line) => {
    // One progress line per Dockerfile step; the steps' own output would flood a plain log.
    const m = /^Step (\d+\/\d+) : (.*)$/.exec(line);
    if (!m || m[1] === step) return;
    step = m[1]!;
    reporter.progress(`building the SAM image: step ${step}: ${m[2]!.slice(0, 70)}`);
  });
  reporter.done(`built the SAM image ${tag}`);
  return tag;
}
