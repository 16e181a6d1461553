// dsync's emulator answers a few routes of its own (/_dsync/...). They are
// read from inside the container (the engine may be remote, its published
// ports out of reach), with the Python the image has.
import type { ContainerClient } from '../docker/container-client.js';
import { EMULATOR_PORT } from '../sam/target.js';

/** The JSON a GET of `route` answers, or undefined when the emulator cannot be asked. */
export async function readEmulatorRoute<T>(client: ContainerClient, containerId: string, python: string, route: string): Promise<T | undefined> {
  const url = `http://localhost:${EMULATOR_PORT}${route}`;
  const read = `import urllib.request; print(urllib.request.urlopen(${JSON.stringify(url)}, timeout=5).read().decode())`;
  const result = await client.exec(containerId, { cmd: [python, '-c', read] }).catch(() => undefined);
  if (!result || result.exitCode !== 0) return undefined;
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    return undefined;
  }
}
