// Image references and digests, for the "imageDigest" pin: an image matches
// a digest when it is its id (what `docker images --digests` shows as IMAGE
// ID in full, and all a locally built image has) or the `@sha256:` part of
// one of its repo digests (what a registry pull records). Pure.
import type { ImageDetails } from './container-client.js';

export function digestMatches(details: ImageDetails, digest: string): boolean {
  return details.id === digest || details.repoDigests.some((d) => digestOf(d) === digest);
}

/** "repo@sha256:…" -> "sha256:…" */
export function digestOf(repoDigest: string): string {
  return repoDigest.slice(repoDigest.indexOf('@') + 1);
}

/** An image reference without its tag or digest: "public.ecr.aws/sam/build-nodejs22.x:latest" -> "public.ecr.aws/sam/build-nodejs22.x". */
export function repositoryOf(image: string): string {
  const noDigest = image.split('@')[0]!;
  const colon = noDigest.lastIndexOf(':');
  return colon > noDigest.lastIndexOf('/') ? noDigest.slice(0, colon) : noDigest;
}

/**
 * The digest to pin for an image on this engine: the repo digest of the
 * image's own repository (the same on every machine that pulls it), else
 * the first repo digest, else the id (an image built here).
 */
export function pinnableDigest(image: string, details: ImageDetails): { digest: string; reference?: string } {
  const repo = repositoryOf(image);
  const own = details.repoDigests.find((d) => d.split('@')[0] === repo) ?? details.repoDigests[0];
  return own ? { digest: digestOf(own), reference: `${own.split('@')[0]}@${digestOf(own)}` } : { digest: details.id };
}
