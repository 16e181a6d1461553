// The SAM worker client with a fake exec channel: requests and their exit
// codes, and what happens when the worker dies mid-command.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ContainerClient, ExecChannel } from '../../../src/docker/container-client.js';
import { SamWorker } from '../../../src/samloop/worker.js';

interface FakeWorker {
  channel: ExecChannel;
  requests: Array<{ id: number; argv: string[]; env: Record<string, string> }>;
  die(code: number): void;
}

function fakeClient() {
  const workers: FakeWorker[] = [];
  const client = {
    async openExec() {
      const stdin = new PassThrough();
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      let end!: (code: number) => void;
      const done = new Promise<number>((r) => (end = r));
      const w: FakeWorker = {
        requests: [],
        channel: { stdin, stdout, stderr, done, close: () => end(0) },
        die: (code) => end(code),
      };
      let buffer = '';
      stdin.on('data', (c: Buffer) => {
        buffer += c.toString();
        for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
          const req = JSON.parse(buffer.slice(0, i)) as FakeWorker['requests'][number];
          buffer = buffer.slice(i + 1);
          w.requests.push(req);
          if (req.argv.includes('--hang')) continue;
          const code = req.argv.includes('--fail') ? 1 : 0;
          stdout.write(`Syncing Lambda Function A...\n`);
          // The stdout marker overtakes the stderr output, as two pipes may.
          stdout.write(`DSYNC_DONE ${req.id} ${code} 5\n`);
          setTimeout(() => {
            stderr.write(`Error: late stderr line ${req.id}\n`);
            stderr.write(`DSYNC_DONE ${req.id} ${code}\n`);
          }, 5);
        }
      });
      setTimeout(() => stdout.write('DSYNC_READY\n'), 1);
      workers.push(w);
      return w.channel;
    },
  } as unknown as ContainerClient;
  return { client, workers };
}

describe('SamWorker', () => {
  it('sends each command with its environment and returns its exit code and lines', async () => {
    const { client, workers } = fakeClient();
    const worker = new SamWorker(client, () => 'c1', '/opt/sam/bin/python', '/dsync/workspace');
    const fallback = async () => 99;
    const run = worker.run(fallback);
    const lines: string[] = [];
    expect(await run(['sam', 'sync', '--code'], ['AWS_REGION=eu-west-1', 'X=a=b'], (l) => lines.push(l))).toBe(0);
    expect(await run(['sam', 'sync', '--fail'], [], () => {})).toBe(1);
    expect(workers).toHaveLength(1);
    expect(workers[0]!.requests[0]).toMatchObject({ id: 1, argv: ['sam', 'sync', '--code'], env: { AWS_REGION: 'eu-west-1', X: 'a=b' } });
    expect(lines).toEqual(['Syncing Lambda Function A...', 'Error: late stderr line 1']);
    worker.close();
  });

  it('fails the command in flight when the worker dies, and starts a new one for the next', async () => {
    const { client, workers } = fakeClient();
    const worker = new SamWorker(client, () => 'c1', 'python3', '/w');
    const run = worker.run(async () => 99);
    const lines: string[] = [];
    const pending = run(['sam', 'sync', '--hang'], [], (l) => lines.push(l));
    await new Promise((r) => setTimeout(r, 10));
    workers[0]!.die(137);
    expect(await pending).toBe(137);
    expect(lines.at(-1)).toMatch(/the SAM worker stopped \(exit 137\)/);
    expect(await run(['sam', 'sync', '--code'], [], () => {})).toBe(0);
    expect(workers).toHaveLength(2);
    worker.close();
  });

  it('falls back to a fresh process when the worker cannot start', async () => {
    const client = { openExec: async () => Promise.reject(new Error('no exec')) } as unknown as ContainerClient;
    const worker = new SamWorker(client, () => 'c1', 'python3', '/w');
    expect(await worker.run(async () => 42)(['sam'], [], () => {})).toBe(42);
  });
});
