// A transfer cut part-way (a dropped connection, an engine restart) leaves
// some of its files in the container, whole or cut short: dsync's own writes,
// not in its record. They must never be saved as conflicts (issue 32), and a
// real edit inside must still be. The wire between dsync and the real engine
// is cut once, in the middle of a live batch, on both transfer paths: the
// request body of putArchive (busybox) and the stdin of the in-container tar
// (Debian). The files are rewritten in the same second with the same size,
// so the full diff after a lost connection cannot see the change: the
// batch's own paths must go again with it, or the edit is lost.
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { ContainerClient, ExecChannel } from '../../src/docker/container-client.js';
import { BUSYBOX_IMAGE, DEBIAN_IMAGE, engineClient, expectTreesEqual, removeProjectResources, tempProject, testSession } from '../helpers/real-docker.js';
import type { RunningSync } from '../../src/session/types.js';

/** The real client, with a wire that can be cut once after `budget` more bytes of archive. */
class CuttableWire {
  budget: number | undefined;
  cuts = 0;

  constructor(private readonly real: ContainerClient) {}

  client(): ContainerClient {
    return new Proxy(this.real, {
      get: (target, name, receiver) => {
        if (name === 'putArchive') return (id: string, at: string, tar: Readable) => target.putArchive(id, at, this.cutStream(tar));
        if (name === 'openExec') return (id: string, options: { cmd: string[] }) => this.openExec(id, options);
        const value = Reflect.get(target, name, receiver) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  /** How many of `n` bytes pass before the cut, or undefined when the wire is whole. */
  private take(n: number): number | undefined {
    if (this.budget === undefined) return undefined;
    if (n < this.budget) {
      this.budget -= n;
      return undefined;
    }
    const pass = this.budget;
    this.budget = undefined;
    this.cuts++;
    return pass;
  }

  private cutStream(tar: Readable): Readable {
    const take = (n: number) => this.take(n);
    return Readable.from(
      (async function* () {
        for await (const chunk of tar) {
          const pass = take((chunk as Buffer).length);
          if (pass === undefined) {
            yield chunk as Buffer;
            continue;
          }
          yield (chunk as Buffer).subarray(0, pass);
          throw new Error('the connection to the engine dropped (cut by the test)');
        }
      })(),
    );
  }

  private async openExec(id: string, options: { cmd: string[] }): Promise<ExecChannel> {
    const channel = await this.real.openExec(id, options);
    if (!options.cmd.join(' ').includes('tar -x')) return channel;
    let cut = false;
    const stdin = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        // Nothing after the cut reaches tar: the connection is gone.
        if (cut) return done();
        const pass = this.take(chunk.length);
        if (pass === undefined) {
          if (channel.stdin.write(chunk)) done();
          else channel.stdin.once('drain', () => done());
          return;
        }
        // Half an entry reaches tar, then the connection is gone.
        cut = true;
        channel.stdin.write(chunk.subarray(0, pass), () => setTimeout(() => channel.close(), 50));
        done();
      },
    });
    return { ...channel, stdin, close: () => channel.close() };
  }
}

const cleanup: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanup) await c();
});

describe.each([
  { transfer: 'in-container tar stream', image: DEBIAN_IMAGE },
  { transfer: 'putArchive', image: BUSYBOX_IMAGE },
])('a transfer cut part-way over the $transfer', ({ image }) => {
  it('leaves no false conflict: the files it wrote are taken as dsync’s; an edit made inside afterwards is still saved', async () => {
    const root = tempProject('cut');
    const big = (i: number, fill: number) => Buffer.alloc(200 * 1024, fill + i);
    fs.mkdirSync(path.join(root, 'data'));
    for (let i = 0; i < 4; i++) fs.writeFileSync(path.join(root, 'data', `f${i}.bin`), big(i, 1));
    const wire = new CuttableWire(engineClient());
    const { session, reporter, client } = testSession(root, image, wire.client());
    cleanup.push(() => removeProjectResources(session));
    let running: RunningSync | undefined;
    try {
      running = await session.startLiveSync();
      const id = running.containerId;
      await expectTreesEqual(client, id, root);
      // f0 arrives whole, f1 is cut short, f2 and f3 never arrive; the batch is retried and lands.
      wire.budget = 300 * 1024;
      for (let i = 0; i < 4; i++) fs.writeFileSync(path.join(root, 'data', `f${i}.bin`), big(i, 7));
      await expectTreesEqual(client, running.containerId, root, undefined, 60_000);
      await running.idle();
      expect(wire.cuts).toBe(1);
      // Every file the cut batch touched is removed on the host: none was changed inside, none is saved.
      for (let i = 0; i < 4; i++) fs.rmSync(path.join(root, 'data', `f${i}.bin`));
      fs.writeFileSync(path.join(root, 'data', 'after.txt'), 'after the cut\n');
      await expectTreesEqual(client, running.containerId, root, undefined, 60_000);
      await running.idle();
      expect(reporter.events.filter((e) => e.type === 'conflict-saved')).toEqual([]);
      // The guarantee still holds: a real edit inside is saved before the host's version replaces it.
      const edit = await client.exec(running.containerId, {
        cmd: ['/bin/sh', '-c', 'printf "edited inside the container\\n" > /dsync/workspace/data/after.txt'],
      });
      expect(edit.exitCode).toBe(0);
      fs.writeFileSync(path.join(root, 'data', 'after.txt'), 'host again\n');
      await expectTreesEqual(client, running.containerId, root, undefined, 60_000);
      await running.idle();
      expect(reporter.events.filter((e) => e.type === 'conflict-saved').map((e) => e.path)).toEqual(['data/after.txt']);
    } catch (error) {
      console.log(
        JSON.stringify(
          reporter.events.filter((e) => e.type !== 'progress'),
          null,
          1,
        ),
      );
      throw error;
    } finally {
      await running?.stop();
    }
  });
});
