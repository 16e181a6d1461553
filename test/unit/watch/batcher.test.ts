import { describe, expect, it } from 'vitest';
import { Batcher, type Batch } from '../../../src/watch/batcher.js';
import { FakeClock, flush } from '../../helpers/fake-clock.js';

function setup(options: { quietMs?: number; maxWaitMs?: number; threshold?: number; applyMs?: number } = {}) {
  const clock = new FakeClock();
  const batches: Batch[] = [];
  const errors: unknown[] = [];
  let failNext = false;
  const batcher = new Batcher({
    clock,
    quietMs: options.quietMs ?? 10,
    maxWaitMs: options.maxWaitMs ?? 100,
    fullSyncThreshold: options.threshold ?? 1000,
    apply: async (batch) => {
      batches.push({ ...batch, paths: new Set(batch.paths) });
      if (options.applyMs) await clock.sleep(options.applyMs);
      if (failNext) {
        failNext = false;
        throw new Error('boom');
      }
    },
    onError: (e) => errors.push(e),
  });
  return { clock, batches, errors, batcher, failOnce: () => (failNext = true) };
}

const ev = (path: string) => ({ path, kind: 'change' as const });

describe('Batcher', () => {
  it('cuts one batch after the quiet period, deduplicating paths', async () => {
    const { clock, batches, batcher } = setup();
    batcher.push(ev('a'));
    await clock.advance(5);
    batcher.push(ev('b'));
    batcher.push(ev('a'));
    await clock.advance(9);
    expect(batches).toHaveLength(0);
    await clock.advance(1);
    expect(batches).toHaveLength(1);
    expect([...batches[0]!.paths]).toEqual(['a', 'b']);
    expect(batches[0]!.events).toBe(3);
    expect(batches[0]!.seq).toBe(1);
  });

  it('does not wait forever under a steady stream of events', async () => {
    const { clock, batches, batcher } = setup({ quietMs: 10, maxWaitMs: 30 });
    for (let i = 0; i < 10; i++) {
      batcher.push(ev(`f${i}`));
      await clock.advance(5);
    }
    expect(batches.length).toBeGreaterThanOrEqual(1);
    expect(batches[0]!.paths.size).toBeLessThanOrEqual(7);
  });

  it('folds events that arrive during a batch into exactly one next batch', async () => {
    const { clock, batches, batcher } = setup({ applyMs: 100 });
    batcher.push(ev('a'));
    await clock.advance(10);
    expect(batches).toHaveLength(1);
    for (const p of ['b', 'c', 'b', 'd']) {
      batcher.push(ev(p));
      await clock.advance(20);
    }
    expect(batches).toHaveLength(1);
    await clock.advance(200);
    expect(batches).toHaveLength(2);
    expect([...batches[1]!.paths]).toEqual(['b', 'c', 'd']);
    expect(batches.map((b) => b.seq)).toEqual([1, 2]);
  });

  it('turns a burst above the threshold into one full-diff batch', async () => {
    const { clock, batches, batcher } = setup({ threshold: 50 });
    for (let i = 0; i < 500; i++) batcher.push(ev(`src/f${i}.js`));
    await clock.advance(20);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.full).toBe(true);
  });

  it('keeps going after a failed batch and reports it', async () => {
    const { clock, batches, errors, batcher, failOnce } = setup();
    failOnce();
    batcher.push(ev('a'));
    await clock.advance(20);
    batcher.push(ev('b'));
    await clock.advance(20);
    expect(errors).toHaveLength(1);
    expect(batches.map((b) => [...b.paths])).toEqual([['a'], ['b']]);
  });

  it('holds batches until released, and idle() waits for the last one', async () => {
    const { clock, batches, batcher } = setup();
    batcher.hold();
    batcher.push(ev('a'));
    await clock.advance(50);
    expect(batches).toHaveLength(0);
    let idle = false;
    void batcher.idle().then(() => (idle = true));
    batcher.release();
    await clock.advance(10);
    await flush();
    expect(batches).toHaveLength(1);
    expect(idle).toBe(true);
  });

  it('requestFull produces a full batch even with no paths', async () => {
    const { clock, batches, batcher } = setup();
    batcher.requestFull();
    await clock.advance(10);
    expect(batches[0]).toMatchObject({ full: true });
    expect(batches[0]!.paths.size).toBe(0);
  });
});
