// What an image offers dsync, asked of a running container of it: the SAM
// CLI and its Python (and version), and moto's Python for --emulator.
import type { ContainerClient } from '../docker/container-client.js';
import { probeArgv } from '../sam/commands.js';

export interface ImageProbe {
  sam?: string;
  samPython?: string;
  samVersion?: string;
  motoPython?: string;
}

export function parseProbe(stdout: string): ImageProbe {
  const out: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0 && line.slice(eq + 1).trim() !== '') out[line.slice(0, eq)] = line.slice(eq + 1).trim();
  }
  return { sam: out.sam, samPython: out.sam_python, samVersion: out.sam_version, motoPython: out.moto_python };
}

export async function probeImage(client: ContainerClient, containerId: string): Promise<ImageProbe> {
  const result = await client.exec(containerId, { cmd: probeArgv() });
  return parseProbe(result.stdout);
}
