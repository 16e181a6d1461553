// Standard input known up front (SAM's answer to its prompt, an invoke's
// event, a state file) reaches the process without dsync ever half-closing
// its side of the connection, and the answer that comes after it is read in
// full. Checked through a relay that cannot half-close, as a Windows named
// pipe cannot (Node.js sends no end of input over one, and libuv drops what
// arrives after it tried) and as some engine proxies could not: streamed
// stdin ending with a half-close loses the late answer there; `input` does not.
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerClient } from '../../src/docker/container-client.js';
import { BUSYBOX_IMAGE, DEBIAN_IMAGE, engineClient } from '../helpers/real-docker.js';

const socketPath = (process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '');

describe('exec with input known up front', () => {
  let server: net.Server;
  let client: ContainerClient;
  const containers: string[] = [];

  beforeAll(async () => {
    // allowHalfOpen false: when dsync's side ends, the relay closes both ways.
    server = net.createServer((c) => {
      const upstream = net.connect(socketPath);
      c.pipe(upstream);
      upstream.pipe(c);
      c.on('error', () => upstream.destroy());
      upstream.on('error', () => c.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = engineClient({ DOCKER_HOST: `tcp://127.0.0.1:${(server.address() as net.AddressInfo).port}` });
    for (const image of [DEBIAN_IMAGE, BUSYBOX_IMAGE]) {
      containers.push(execFileSync('docker', ['run', '-d', '--rm', image, 'sleep', '600'], { encoding: 'utf8' }).trim());
    }
  });
  afterAll(async () => {
    for (const id of containers) execFileSync('docker', ['rm', '-f', id], { stdio: 'ignore' });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('delivers every byte, sees the end of input, and reads an answer that comes later (Debian and busybox)', async () => {
    const payload = Buffer.concat([Buffer.from('y\n{"a": "ü"}\r\n'), Buffer.alloc(300_000, 7), Buffer.from('end')]);
    for (const id of containers) {
      const result = await client.exec(id, { cmd: ['sh', '-c', 'wc -c; sleep 0.4; echo late; echo err >&2; exit 3'], input: payload });
      expect(result).toEqual({ exitCode: 3, stdout: `${payload.length}\nlate\n`, stderr: 'err\n' });
    }
  });

  it('an empty input is an immediate end of input', async () => {
    const result = await client.exec(containers[0]!, { cmd: ['cat'], input: '' });
    expect(result).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });

  it('(the failure it avoids) streamed stdin that ends loses the late answer through such a relay', async () => {
    const result = await client.exec(containers[0]!, { cmd: ['sh', '-c', 'cat >/dev/null; sleep 0.4; echo late'], stdin: Readable.from(['y\n']) });
    expect(result.stdout).not.toContain('late');
  });
});
