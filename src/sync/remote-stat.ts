// What the container holds at a few paths, right before a live batch touches
// them (for the conflict check). A new exec per batch costs 20-60 ms; like
// the tar sink, a persistent /bin/sh in the container answers each request
// over its open stdin in a couple of milliseconds. A request is a line
// "<n> <m>", then n paths to stat and m paths to list with everything below,
// one per line; the answer is GNU find -printf records (remote-manifest.ts)
// and an end record. Paths with line breaks, big requests and images without
// GNU find use one exec with the paths as argv instead.
import { createInterface } from 'node:readline';
import type { ContainerClient, ExecChannel } from '../docker/container-client.js';
import { DsyncError } from '../base/errors.js';
import type { Manifest } from './manifest.js';
import { GNU_PRINTF, parseGnuListing, parseRemoteListing, prunedFind, remotePathsScript, shellQuote } from './remote-manifest.js';
import { chunkPaths } from './transfer.js';

/** Above this many paths a request goes as argv (the shell's read loop is slow for thousands). */
const MAX_STREAMED = 500;
const END = 'end';

function checkerScript(workspace: string): string {
  // `set --` collects each list as positional parameters: no quoting issues, any byte but newline.
  const collect = (n: string) => `set --; while [ "$${n}" -gt 0 ]; do IFS= read -r p || exit 0; set -- "$@" "./$p"; ${n}=$((${n} - 1)); done`;
  return [
    `cd ${shellQuote(workspace)} || exit 3`,
    'while read -r ns nr; do',
    `  ${collect('ns')}`,
    `  [ $# -eq 0 ] || find "$@" -maxdepth 0 -printf ${GNU_PRINTF} 2>/dev/null`,
    `  ${collect('nr')}`,
    `  [ $# -eq 0 ] || ${prunedFind('"$@"')} -printf ${GNU_PRINTF} 2>/dev/null`,
    `  printf '${END}\\000\\000\\000\\000\\000\\000'`,
    'done',
  ].join('\n');
}

export class RemoteStat {
  private channel: ExecChannel | undefined;
  private pending: Buffer[] = [];
  private waiter: ((answer: string | undefined) => void) | undefined;

  private constructor(
    private readonly client: ContainerClient,
    private readonly containerId: string,
    private readonly workspace: string,
    private readonly gnu: boolean,
  ) {}

  static async probe(client: ContainerClient, containerId: string, workspace: string): Promise<RemoteStat> {
    const probe = await client.exec(containerId, { cmd: ['/bin/sh', '-c', "find . -maxdepth 0 -printf '' 2>/dev/null && echo gnu"] });
    return new RemoteStat(client, containerId, workspace, probe.stdout.trim() === 'gnu');
  }

  /** The container's entries at `stat` paths, and at and below `tree` paths. */
  async list(stat: readonly string[], tree: readonly string[]): Promise<Manifest> {
    if (stat.length === 0 && tree.length === 0) return new Map();
    const streamable = this.gnu && stat.length + tree.length <= MAX_STREAMED && ![...stat, ...tree].some((p) => p.includes('\n') || p.includes('\r'));
    if (streamable) {
      try {
        return await this.ask(stat, tree);
      } catch (error) {
        // The checker died (container restarted?): one exec answers this time, a new checker the next.
        this.close();
        if (error instanceof DsyncError && error.code !== 'CONTAINER_GONE') throw error;
      }
    }
    const out: Manifest = new Map();
    for (const [paths, recursive] of [
      [stat, false],
      [tree, true],
    ] as const) {
      for (const chunk of chunkPaths(paths.map((p) => `./${p}`))) {
        const result = await this.client.exec(this.containerId, {
          cmd: ['/bin/sh', '-c', remotePathsScript(this.workspace, recursive), 'dsync-stat', ...chunk],
        });
        if (result.exitCode !== 0) {
          throw new DsyncError('TRANSFER', `looking at ${chunk.length} path(s) in the container failed (exit ${result.exitCode}): ${result.stderr.trim()}`);
        }
        for (const [p, e] of parseRemoteListing(result.stdout)) out.set(p, e);
      }
    }
    return out;
  }

  close(): void {
    this.channel?.close();
    this.channel = undefined;
    this.settle(undefined);
  }

  private async ask(stat: readonly string[], tree: readonly string[]): Promise<Manifest> {
    const channel = await this.open();
    const answer = new Promise<string | undefined>((resolve) => (this.waiter = resolve));
    channel.stdin.write(`${stat.length} ${tree.length}\n${[...stat, ...tree].map((p) => `${p}\n`).join('')}`);
    const text = await answer;
    if (text === undefined) throw new DsyncError('CONTAINER_GONE', 'the in-container checker stopped');
    return parseGnuListing(text);
  }

  private async open(): Promise<ExecChannel> {
    if (this.channel) return this.channel;
    const channel = await this.client.openExec(this.containerId, { cmd: ['/bin/sh', '-c', checkerScript(this.workspace)] });
    this.channel = channel;
    this.pending = [];
    channel.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    createInterface({ input: channel.stderr }).on('line', () => undefined);
    void channel.done.then(() => {
      if (this.channel === channel) {
        this.channel = undefined;
        this.settle(undefined);
      }
    });
    return channel;
  }

  /** Answers end with the end record: "end" and five empty fields, each NUL-terminated. */
  private receive(chunk: Buffer): void {
    this.pending.push(chunk);
    const all = Buffer.concat(this.pending);
    const fields = all.toString('utf8').split('\0');
    // Whole records only: the end record starts at a multiple of six fields.
    for (let i = 0; i + 6 < fields.length; i += 6) {
      if (fields[i] !== END) continue;
      const used = fields.slice(0, i + 6).reduce((n, f) => n + Buffer.byteLength(f) + 1, 0);
      this.pending = used < all.length ? [all.subarray(used)] : [];
      this.settle(
        fields
          .slice(0, i)
          .map((f) => `${f}\0`)
          .join(''),
      );
      return;
    }
  }

  private settle(answer: string | undefined): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.(answer);
  }
}
