// dsync's emulator (moto with dsync's CloudFormation additions) as an AWS
// endpoint on this machine's loopback, for the real-AWS path: its own
// container, published on 127.0.0.1 only, started and waited for.
import { expect } from 'vitest';
import { packFiles } from '../../src/sync/tar-pack.js';
import type { ContainerClient } from '../../src/docker/container-client.js';
import { cliRun, SAM_BASE } from './emulator-run.js';
import { toolFiles } from '../../src/images/tools.js';

export interface EndpointEmulator {
  port: number;
  url: string;
  /** dsync's SAM image (also the image for the projects' containers). */
  image: string;
  stop(): Promise<void>;
}

export async function startEndpointEmulator(client: ContainerClient, name: string): Promise<EndpointEmulator> {
  const image = cliRun(['image', '--base', SAM_BASE]).stdout.trim();
  const id = await client.createContainer({
    name: `${name}-${process.pid}`,
    image,
    labels: { 'dev.dsync.test': 'endpoint' },
    mounts: [],
    workingDir: '/',
    ports: { 5000: 0 },
  });
  await client.startContainer(id);
  // The emulator's package, as `up` copies it.
  const files = (await toolFiles()).filter((f) => f.name.startsWith('tools/emulator/')).map((f) => ({ ...f, name: `srv/${f.name.slice('tools/emulator/'.length)}` }));
  await client.putArchive(id, '/', packFiles(files));
  // Start it and wait, inside its container, until it answers.
  const started = await client.exec(id, {
    cmd: [
      'sh',
      '-c',
      'cd /srv && nohup /opt/moto/bin/python -m dsync_emulator --host 0.0.0.0 --port 5000 >/tmp/emulator.log 2>&1 & for i in $(seq 1 150); do curl -sf -o /dev/null localhost:5000/moto-api/ && exit 0; sleep 0.2; done; cat /tmp/emulator.log; exit 1',
    ],
  });
  expect(started.exitCode, started.stdout).toBe(0);
  const port = (await client.publishedPorts(id))[5000]!;
  expect(await fetch(`http://127.0.0.1:${port}/moto-api/`, { signal: AbortSignal.timeout(5000) }).then((r) => r.status)).toBe(200);
  return { port, url: `http://127.0.0.1:${port}`, image, stop: () => client.removeContainer(id) };
}
