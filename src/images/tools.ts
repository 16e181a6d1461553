// The files dsync copies into every SAM container beside the image's own
// tools (under /dsync/tools): the emulator (docker/emulator, a Python
// package) and what runs beside SAM (docker/sam-tools). They travel with
// each `up` rather than being baked into the image, so any image with SAM
// (a team's, a dev container's) gets them. Whole folders go, tests and
// caches left out.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExtraFile } from '../sync/tar-pack.js';

/** docker/ in the installed package (next to dist/). */
export const DOCKER_DIR = fileURLToPath(new URL('../../docker/', import.meta.url));

/** The folders of docker/ that go into the container, under tools/. */
export const TOOL_FOLDERS = ['emulator', 'sam-tools'] as const;

const LEFT_OUT = new Set(['tests', '__pycache__', '.pytest_cache', '.ruff_cache', 'pyproject.toml']);

/** Every file of the tool folders (relative to docker/, POSIX separators), sorted. */
export async function toolPaths(dockerDir = DOCKER_DIR): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await readdir(path.join(dockerDir, rel), { withFileTypes: true })) {
      if (LEFT_OUT.has(entry.name) || entry.name.endsWith('.pyc')) continue;
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile()) out.push(child);
    }
  };
  for (const folder of TOOL_FOLDERS) await walk(folder);
  return out.sort();
}

/** The tool files, named as they go into the volume (tools/emulator/..., tools/sam-tools/...). */
export async function toolFiles(dockerDir = DOCKER_DIR): Promise<ExtraFile[]> {
  const paths = await toolPaths(dockerDir);
  return Promise.all(paths.map(async (rel) => ({ name: `tools/${rel}`, content: await readFile(path.join(dockerDir, ...rel.split('/'))), mode: 0o755 })));
}
