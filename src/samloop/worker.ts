// The fast path for code syncs: one long-lived SAM CLI process in the
// container (docker/sam-tools/sam_worker.py) that has already paid SAM's
// ~2 s of Python start-up. It runs the very argv a fresh `sam` would, so it
// deploys the same artifacts. If it dies, dsync falls back to a fresh process
// and starts a new worker on the next change.
import type { ContainerClient, ExecChannel } from '../docker/container-client.js';
import { SAM_TOOLS } from '../sam/commands.js';
import { LineSplitter } from '../base/lines.js';
import type { ContainerRun } from '../docker/container-run.js';

const DONE = /^DSYNC_DONE (\d+) (-?\d+)/;

export class SamWorker {
  private channel: ExecChannel | undefined;
  private starting: Promise<ExecChannel> | undefined;
  private nextId = 1;
  private current:
    { id: number; onLine: (line: string, stream: 'stdout' | 'stderr') => void; resolve: (code: number) => void; done: { stdout?: number; stderr?: number } } | undefined;
  private ready: (() => void) | undefined;

  constructor(
    private readonly client: ContainerClient,
    private readonly containerId: () => string,
    private readonly python: string,
    private readonly workspace: string,
  ) {}

  /** Start the worker now, so the first change does not pay for it. */
  warm(): void {
    void this.ensure().catch(() => undefined);
  }

  /** A ContainerRun that sends the command to the worker, or to `fallback` if the worker cannot take it. */
  run(fallback: ContainerRun): ContainerRun {
    return async (argv, env, onLine, stdin) => {
      let channel: ExecChannel;
      try {
        channel = await this.ensure();
      } catch {
        return fallback(argv, env, onLine, stdin);
      }
      const id = this.nextId++;
      const envObject = Object.fromEntries(env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
      const exit = new Promise<number>((resolve) => (this.current = { id, onLine, resolve, done: {} }));
      channel.stdin.write(`${JSON.stringify({ id, argv, env: envObject, cwd: this.workspace })}\n`);
      return exit;
    };
  }

  close(): void {
    this.channel?.stdin.end();
    this.channel?.close();
    this.channel = undefined;
  }

  private ensure(): Promise<ExecChannel> {
    if (this.channel) return Promise.resolve(this.channel);
    this.starting ??= this.start().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async start(): Promise<ExecChannel> {
    const channel = await this.client.openExec(this.containerId(), {
      cmd: [this.python, '-u', `${SAM_TOOLS}/sam_worker.py`],
      workingDir: this.workspace,
    });
    const isReady = new Promise<void>((resolve) => (this.ready = resolve));
    // The worker ends each command with a marker on both streams; the two are
    // read independently, so the command is over only when both have arrived.
    const onLine = (stream: 'stdout' | 'stderr') => (line: string) => {
      if (stream === 'stdout' && line === 'DSYNC_READY') return this.ready?.();
      const current = this.current;
      const done = DONE.exec(line);
      if (done && current && Number(done[1]) === current.id) {
        current.done[stream] = Number(done[2]);
        if (current.done.stdout !== undefined && current.done.stderr !== undefined) {
          this.current = undefined;
          current.resolve(current.done.stdout);
        }
        return;
      }
      current?.onLine(line, stream);
    };
    const out = new LineSplitter(onLine('stdout'));
    const err = new LineSplitter(onLine('stderr'));
    channel.stdout.on('data', (c: Buffer) => out.push(c.toString('utf8')));
    channel.stderr.on('data', (c: Buffer) => err.push(c.toString('utf8')));
    void channel.done.then((code) => {
      if (this.channel === channel) this.channel = undefined;
      // A command in flight when the worker died failed; say so through its exit code.
      const current = this.current;
      this.current = undefined;
      current?.onLine(`Error: the SAM worker stopped (exit ${code}); the next change starts a new one`, 'stderr');
      current?.resolve(code === 0 ? 1 : code);
    });
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('SAM worker did not start')), 60_000).unref());
    await Promise.race([isReady, timeout, channel.done.then(() => Promise.reject(new Error('SAM worker exited at start')))]);
    this.channel = channel;
    return channel;
  }
}
