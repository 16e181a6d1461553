// A reverse tunnel over the Engine API, like `ssh -R`: a listener on the
// container's loopback (docker/sam-tools/tunnel.py) whose connections dsync
// relays to the caller's own loopback. `--endpoint-url http://localhost:4566`
// means the developer's machine, but inside the container localhost is the
// container: neither the engine's host gateway (a Linux engine does not reach
// services bound to 127.0.0.1; a remote engine is another machine) nor a
// published port helps, this does, on every engine. One exec carries all
// connections as frames: type (1 byte), connection id (4), length (4), data.
import net from 'node:net';
import { createInterface } from 'node:readline';
import { DsyncError } from '../base/errors.js';
import type { ContainerClient, ExecChannel } from './container-client.js';

const OPEN = 1;
const DATA = 2;
const CLOSE = 3;
const REFUSED = 4;
const HEADER = 9;
const READY_TIMEOUT_MS = 10_000;

/** Whether a URL's host is the caller's own machine (so the container cannot reach it by that name). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || h === '0.0.0.0' || /^127\./.test(h);
}

/** The endpoint as a URL when it names the caller's loopback (and so needs the tunnel). */
export function loopbackEndpoint(endpointUrl: string): URL | undefined {
  try {
    const url = new URL(endpointUrl);
    return isLoopbackHost(url.hostname) ? url : undefined;
  } catch {
    return undefined;
  }
}

/** Where on this machine the tunnel connects for a loopback URL (0.0.0.0 means this machine too). */
export function tunnelTarget(url: URL): { host: string; port: number } {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return { host: host === '0.0.0.0' ? '127.0.0.1' : host, port: urlPort(url) };
}

/** The port an http(s) URL names, or its scheme's default. */
export function urlPort(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

function frame(kind: number, conn: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(HEADER);
  header.writeUInt8(kind, 0);
  header.writeUInt32BE(conn, 1);
  header.writeUInt32BE(payload.length, 5);
  return Buffer.concat([header, payload]);
}

export class ReverseTunnel {
  private readonly sockets = new Map<number, net.Socket>();
  private pending: Buffer = Buffer.alloc(0);
  private closed = false;

  private constructor(
    private readonly channel: ExecChannel,
    private readonly target: { host: string; port: number },
  ) {
    channel.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    void channel.done.then(() => this.dropAll());
  }

  /**
   * Listen on the container's loopback at `port` and relay every connection
   * to `target` on this machine. `python` runs the container side.
   */
  static async open(client: ContainerClient, containerId: string, argv: readonly string[], target: { host: string; port: number }): Promise<ReverseTunnel> {
    const channel = await client.openExec(containerId, { cmd: [...argv] });
    const tunnel = new ReverseTunnel(channel, target);
    const ready = await new Promise<string>((resolve) => {
      const lines = createInterface({ input: channel.stderr });
      const timer = setTimeout(() => resolve('timed out'), READY_TIMEOUT_MS);
      lines.on('line', (line) => {
        if (line.startsWith('READY') || line.startsWith('ERROR')) {
          clearTimeout(timer);
          resolve(line);
        }
      });
      void channel.done.then(() => resolve('the tunnel process ended'));
    });
    if (!ready.startsWith('READY')) {
      tunnel.close();
      throw new DsyncError('ENGINE', `Could not open the tunnel to ${target.host}:${target.port} in the container: ${ready.replace(/^ERROR /, '')}`, {
        hint: 'the image needs python3 (SAM needs it too); is another process in the container using that port?',
      });
    }
    return tunnel;
  }

  close(): void {
    this.closed = true;
    this.channel.close();
    this.dropAll();
  }

  private dropAll(): void {
    for (const socket of this.sockets.values()) socket.destroy();
    this.sockets.clear();
  }

  private send(kind: number, conn: number, payload?: Buffer): void {
    if (!this.closed) this.channel.stdin.write(frame(kind, conn, payload));
  }

  private receive(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= HEADER) {
      const length = this.pending.readUInt32BE(5);
      if (this.pending.length < HEADER + length) break;
      const kind = this.pending.readUInt8(0);
      const conn = this.pending.readUInt32BE(1);
      const payload = this.pending.subarray(HEADER, HEADER + length);
      this.pending = this.pending.subarray(HEADER + length);
      this.handle(kind, conn, Buffer.from(payload));
    }
  }

  private handle(kind: number, conn: number, payload: Buffer): void {
    if (kind === OPEN) {
      const socket = net.connect({ host: this.target.host, port: this.target.port });
      this.sockets.set(conn, socket);
      socket.on('data', (data: Buffer) => this.send(DATA, conn, data));
      socket.on('end', () => this.send(CLOSE, conn));
      socket.on('error', () => {
        if (this.sockets.delete(conn)) this.send(socket.connecting ? REFUSED : CLOSE, conn);
      });
      socket.on('close', () => this.sockets.delete(conn));
      return;
    }
    const socket = this.sockets.get(conn);
    if (!socket) return;
    if (kind === DATA) socket.write(payload);
    else if (kind === CLOSE) socket.end();
  }
}

/** Fail early, with one line, when nothing answers at a loopback endpoint on this machine. */
export async function checkLoopbackEndpoint(url: URL): Promise<void> {
  const port = urlPort(url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(3000);
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    const fail = (why: string) => {
      socket.destroy();
      reject(
        new DsyncError('USAGE', `Nothing answers at ${host}:${port} on this machine (--endpoint-url ${url.href}): ${why}`, {
          hint: 'start the emulator (LocalStack, moto_server) first, or check the port',
        }),
      );
    };
    socket.once('timeout', () => fail('timed out'));
    socket.once('error', (error: NodeJS.ErrnoException) => fail(error.code ?? error.message));
  });
}
