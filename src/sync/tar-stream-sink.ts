// A persistent `tar -x` in the container, fed one archive per batch over an
// open exec stdin. A putArchive call costs ~65 ms on a small machine (the
// engine re-executes itself to extract in a chroot); writing into a running
// tar costs ~2 ms. GNU tar with --ignore-zeros reads archive after archive;
// each one is padded to tar's 10 KiB record so tar never waits for bytes that
// are not coming, and the name of its last entry, printed by -v, is the
// acknowledgement that everything before it is on disk.
// Images without GNU tar (busybox) use putArchive instead.
import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import type { ContainerClient, ExecChannel } from '../docker/container-client.js';
import { DsyncError } from '../base/errors.js';
import { shellQuote } from './remote-manifest.js';

const RECORD = 10240;
const TAR_ARGS = '-x -v --ignore-zeros --absolute-names --recursive-unlink --same-owner --same-permissions -f -';

export class TarStreamSink {
  private channel: ExecChannel | undefined;
  private lines: string[] = [];
  private errors: string[] = [];
  private waiter: ((line: string | undefined) => void) | undefined;

  private constructor(
    private readonly client: ContainerClient,
    private readonly containerId: string,
    private readonly extractRoot: string,
  ) {}

  /** A sink for this container, or undefined when its tar is not GNU tar. */
  static async probe(client: ContainerClient, containerId: string, extractRoot: string): Promise<TarStreamSink | undefined> {
    const version = await client.exec(containerId, { cmd: ['/bin/sh', '-c', 'tar --version 2>/dev/null | head -n 1'] });
    if (!/GNU tar/.test(version.stdout)) return undefined;
    return new TarStreamSink(client, containerId, extractRoot);
  }

  /** Stream one archive; resolves once the entry named `ackName` (its last) was extracted. */
  async send(tar: Readable, ackName: string): Promise<void> {
    const channel = await this.open();
    this.errors = [];
    let size = 0;
    try {
      for await (const chunk of tar) {
        size += (chunk as Buffer).length;
        if (!channel.stdin.write(chunk as Buffer)) await waitDrain(channel.stdin);
      }
    } catch (error) {
      // Half an archive is in the pipe: this tar process is unusable now.
      this.close();
      throw error;
    }
    const pad = (RECORD - (size % RECORD)) % RECORD;
    if (pad > 0) channel.stdin.write(Buffer.alloc(pad));
    for (;;) {
      const line = await this.nextLine();
      if (line === undefined) {
        this.close();
        throw new DsyncError('CONTAINER_GONE', `the in-container tar stopped${this.errors.length ? `: ${this.errors.join('; ')}` : ''}`);
      }
      if (line === ackName) break;
    }
    if (this.errors.length > 0) {
      const errors = this.errors;
      this.errors = [];
      throw new DsyncError('TRANSFER', `extracting in the container reported: ${errors.slice(0, 3).join('; ')}`);
    }
  }

  close(): void {
    this.channel?.close();
    this.channel = undefined;
    this.waiter?.(undefined);
    this.waiter = undefined;
  }

  private async open(): Promise<ExecChannel> {
    if (this.channel) return this.channel;
    const channel = await this.client.openExec(this.containerId, {
      // --absolute-names: GNU tar otherwise creates links with '..' in their
      // target as placeholders and only makes them real when the archive
      // ends, which a stream never does. Every name and target dsync sends
      // was already checked to stay inside the project.
      // 2>&1: tar's complaint about an entry then comes before the name of
      // any later entry, so an error is always the batch's it belongs to
      // (as two streams, it could arrive after the acknowledgement and be
      // taken for the next batch's, leaving this one recorded as written).
      cmd: ['/bin/sh', '-c', `exec tar ${TAR_ARGS} -C ${shellQuote(this.extractRoot)} 2>&1`],
    });
    this.channel = channel;
    this.lines = [];
    createInterface({ input: channel.stdout }).on('line', (line) => this.push(line));
    createInterface({ input: channel.stderr }).on('line', (line) => this.errors.push(line));
    void channel.done.then(() => {
      if (this.channel === channel) {
        this.channel = undefined;
        this.waiter?.(undefined);
        this.waiter = undefined;
      }
    });
    return channel;
  }

  private push(line: string): void {
    // Every name dsync sends starts with workspace/ or state/, never with "tar: ".
    if (line.startsWith('tar: ')) {
      this.errors.push(line.slice('tar: '.length));
      return;
    }
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w(line);
    } else this.lines.push(line);
  }

  private nextLine(): Promise<string | undefined> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (!this.channel) return Promise.resolve(undefined);
    return new Promise((resolve) => (this.waiter = resolve));
  }
}

function waitDrain(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => stream.once('drain', () => resolve()));
}
