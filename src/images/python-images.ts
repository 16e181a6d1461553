// Where dsync's image gets a Python that Debian's archive has no source of
// (3.10, 3.12): the interpreter of AWS's own image for that runtime, as
// `sam local` runs it (public.ecr.aws/lambda/python:3.X, then SAM's build
// image), when the engine has it or can pull it (a laptop can; an offline
// engine cannot); then the image dsync.json "runtimeImages" names for the
// runtime (a mirror, or Docker's python:3.X-slim-bookworm). One the engine
// has already wins before any pull. Nothing found: one line that says
// exactly what was tried.
import { DsyncError } from '../base/errors.js';
import type { Reporter } from '../base/reporter.js';
import type { ContainerClient } from '../docker/container-client.js';

/** Where a Python version comes from when Debian's archive has no source of it: an image, and the folder in it that holds the interpreter. */
export interface PythonImage {
  image: string;
  /** /var/lang (AWS's images) or /usr/local (Docker's python images). */
  home: string;
  /** The image's id: in the Dockerfile, so a new pull (or the real image after a stand-in) makes a new runtime image. */
  id?: string;
}

/** AWS's images with a CPython of this version under /var/lang, in the order tried. */
export function officialPythonImages(version: string): string[] {
  return [`public.ecr.aws/lambda/python:${version}`, `public.ecr.aws/sam/build-python${version}`];
}

/** The folder that holds the interpreter, from the image's PATH: /var/lang (AWS's layout) or /usr/local (Docker's python images). */
export function pythonHome(env: readonly string[] | undefined): string {
  const path = (env ?? []).find((entry) => entry.startsWith('PATH='))?.slice('PATH='.length) ?? '';
  return path.split(':').includes('/var/lang/bin') ? '/var/lang' : '/usr/local';
}

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 160);

type Found = { env?: string[]; id?: string; labels?: Record<string, string> };

async function pulled(client: ContainerClient, reporter: Reporter, image: string): Promise<Found | string> {
  reporter.progress(`pulling ${image}`);
  try {
    await client.pullImage(image, (line) => reporter.progress(`pulling ${image}: ${line.slice(0, 60)}`));
  } catch (error) {
    return `${image} (${firstLine(error)})`;
  }
  return (await client.inspectImage(image)) ?? `${image} (pulled, yet the engine does not list it)`;
}

/** The first candidate the engine has already; else the first that pulls; else what each pull said. */
async function firstAvailable(client: ContainerClient, reporter: Reporter, candidates: string[]): Promise<{ image: string; found: Found } | string[]> {
  for (const image of candidates) {
    const found = await client.inspectImage(image);
    if (found) return { image, found };
  }
  const tried: string[] = [];
  for (const image of candidates) {
    const found = await pulled(client, reporter, image);
    if (typeof found !== 'string') return { image, found };
    tried.push(found);
  }
  return tried;
}

/** For each version: the image to take its interpreter from, or a CONFIG error naming every image tried. */
export async function resolvePythonImages(
  client: ContainerClient,
  reporter: Reporter,
  versions: readonly string[],
  runtimeImages: Readonly<Record<string, string>>,
): Promise<Record<string, PythonImage>> {
  const out: Record<string, PythonImage> = {};
  for (const version of versions) {
    const configured = runtimeImages[`python${version}`];
    const result = await firstAvailable(client, reporter, [...officialPythonImages(version), ...(configured ? [configured] : [])]);
    if (Array.isArray(result)) {
      throw new DsyncError('CONFIG', `No Python ${version} for dsync's image: Debian's archive has no source of it, and none of these could be had: ${result.join('; ')}`, {
        hint: `on a machine that reaches public.ecr.aws AWS's image is pulled by itself; else name an image with python${version} (under /var/lang or /usr/local) in dsync.json: "runtimeImages": {"python${version}": "python:${version}-slim-bookworm"}`,
      });
    }
    const standIn = result.found.labels?.['dev.dsync.standin'];
    if (standIn) reporter.event({ type: 'warning', level: 'warn', message: `${result.image} here is a local stand-in (${standIn}), not AWS's image` });
    out[version] = { image: result.image, home: pythonHome(result.found.env), id: result.found.id };
  }
  return out;
}
