// Global set-up of the engine tests: a loopback TCP door to the engine the
// tests use, for the tests of dsync's tcp:// client path (and, later, code
// running as Windows that has no Unix socket). It exists only while the
// tests run, listens on 127.0.0.1 on a free port, and relays bytes to the
// engine's Unix socket: the engine itself is never restarted or
// reconfigured, and no listener outlives the run.
import net from 'node:net';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    tcpHost: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const host = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  if (!host.startsWith('unix://')) {
    // Already a network engine: the TCP tests use it directly.
    process.env.DSYNC_TEST_TCP_HOST ??= host;
    project.provide('tcpHost', process.env.DSYNC_TEST_TCP_HOST);
    return async () => undefined;
  }
  const socketPath = host.slice('unix://'.length);
  const sockets = new Set<net.Socket>();
  // Half-open connections pass through as they do to a real engine: dsync's
  // exec with stdin closes its side once the input is sent (SAM's piped "y")
  // and then reads the output; a relay that closed both ways at that point
  // would cut the output off.
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    const upstream = net.connect({ path: socketPath, allowHalfOpen: true });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  const tcpHost = `tcp://127.0.0.1:${port}`;
  process.env.DSYNC_TEST_TCP_HOST = tcpHost;
  project.provide('tcpHost', tcpHost);
  return async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}
