// The reverse tunnel on a real engine: a server on this machine's loopback,
// reached from inside the container at localhost:PORT, with concurrent
// connections, a large body each way, and a port where nothing listens.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReverseTunnel, checkLoopbackEndpoint, isLoopbackHost } from '../../src/docker/tunnel.js';
import { packFiles } from '../../src/sync/tar-pack.js';
import { tunnelArgv } from '../../src/sam/commands.js';
import { engineClient } from '../helpers/real-docker.js';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliRun, SAM_BASE } from '../helpers/emulator-run.js';

const tools = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docker/sam-tools');
/** dsync's SAM image (it has python3, as SAM's images do), built if missing. */
const samImage = () => cliRun(['image', '--base', SAM_BASE]).stdout.trim();

describe('reverse tunnel (container loopback -> this machine)', () => {
  const client = engineClient();
  let server: http.Server;
  let port = 0;
  let containerId = '';
  let tunnel: ReverseTunnel | undefined;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        res.setHeader('x-seen-host', req.headers.host ?? '');
        res.end(req.url === '/big' ? Buffer.alloc(3 * 1024 * 1024, 7) : `${req.method} ${req.url} ${body.length}`);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
    containerId = await client.createContainer({
      name: `dsync-tunnel-test-${process.pid}`,
      image: samImage(),
      labels: { 'dev.dsync.test': 'tunnel' },
      mounts: [],
      workingDir: '/',
    });
    await client.startContainer(containerId);
    await client.putArchive(containerId, '/', packFiles([{ name: 'dsync/tools/sam-tools/tunnel.py', content: fs.readFileSync(path.join(tools, 'tunnel.py')) }]));
    tunnel = await ReverseTunnel.open(client, containerId, tunnelArgv('python3', port), { host: 'localhost', port });
  });
  afterAll(async () => {
    tunnel?.close();
    if (containerId) await client.removeContainer(containerId);
    server?.close();
  });

  const inContainer = async (script: string) => {
    const r = await client.exec(containerId, { cmd: ['python3', '-c', script] });
    return { code: r.exitCode, out: r.stdout.trim(), err: r.stderr.trim() };
  };

  it("knows which hosts are the caller's loopback", () => {
    for (const h of ['localhost', '127.0.0.1', '127.1.2.3', '[::1]', '::1', 'api.localhost', '0.0.0.0']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['localstack', 'host.docker.internal', '10.0.0.5', 'example.com']) expect(isLoopbackHost(h), h).toBe(false);
  });

  it('carries requests from localhost:PORT in the container to this machine, many at once, with large bodies', async () => {
    const r = await inContainer(`
import urllib.request, concurrent.futures
url = "http://localhost:${port}"
def get(i):
    return urllib.request.urlopen(f"{url}/item/{i}", timeout=10).read().decode()
with concurrent.futures.ThreadPoolExecutor(8) as pool:
    answers = list(pool.map(get, range(24)))
assert answers == [f"GET /item/{i} 0" for i in range(24)], answers[:3]
up = urllib.request.urlopen(urllib.request.Request(url + "/upload", data=b"x" * 2_000_000, method="PUT"), timeout=20).read().decode()
big = urllib.request.urlopen(url + "/big", timeout=20).read()
print(up, len(big), set(big))
`);
    expect(r.err).toBe('');
    expect(r.out).toBe('PUT /upload 2000000 3145728 {7}');
  });

  it('a port with nothing behind it on this machine gives the container a closed connection, not a hang', async () => {
    const dead = await ReverseTunnel.open(client, containerId, tunnelArgv('python3', port + 1), { host: '127.0.0.1', port: 1 });
    try {
      const r = await inContainer(`
import urllib.request, time
t = time.time()
try:
    urllib.request.urlopen("http://127.0.0.1:${port + 1}/", timeout=10).read()
    print("answered")
except Exception as e:
    print("failed", round(time.time() - t) < 5)
`);
      expect(r.out).toBe('failed True');
    } finally {
      dead.close();
    }
  });

  it('checks a loopback endpoint on this machine before anything runs', async () => {
    await expect(checkLoopbackEndpoint(new URL(`http://localhost:${port}`))).resolves.toBeUndefined();
    await expect(checkLoopbackEndpoint(new URL('http://127.0.0.1:1'))).rejects.toThrow('Nothing answers at 127.0.0.1:1 on this machine');
  });
});
