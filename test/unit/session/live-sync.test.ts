// The live loop's failure handling with a fake syncer, watcher and clock: no
// error in a batch ends the loop, and the check after a burst corrects (and
// reports) what the watcher missed.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { DsyncError } from '../../../src/base/errors.js';
import { LiveSync } from '../../../src/session/live-sync.js';
import type { DsyncEvent } from '../../../src/base/reporter.js';
import type { SyncOutcome, Syncer } from '../../../src/session/syncer.js';
import type { SyncPlan } from '../../../src/sync/diff.js';
import { emptyPackReport } from '../../../src/sync/transfer.js';
import { IgnoreRules } from '../../../src/sync/ignore-rules.js';
import type { WatchEvent } from '../../../src/watch/watcher.js';
import { FakeClock } from '../../helpers/fake-clock.js';

function outcome(plan: SyncPlan, recheck: string[] = []): SyncOutcome {
  return { sent: plan.send.length, removed: plan.remove.length, bytes: 0, packed: emptyPackReport(), unreadable: new Map(), plan, recheck };
}

const fileEntry = (p: string) => ({ path: p, type: 'file' as const, mode: 0o644, size: 1, mtime: 1 });

function setup(behaviour: { syncPaths?: (paths: string[]) => Promise<SyncOutcome>; fullSync?: () => Promise<SyncOutcome>; ensureContainer?: () => Promise<string> } = {}) {
  const clock = new FakeClock();
  const events: DsyncEvent[] = [];
  const calls: Array<{ kind: 'paths' | 'full' | 'record'; paths?: string[] }> = [];
  let recordDirty = false;
  let emit: (e: WatchEvent) => void = () => undefined;
  const syncer = {
    containerId: 'c1',
    ignoreRules: new IgnoreRules(),
    async syncPaths(paths: Iterable<string>) {
      const list = [...paths].sort();
      calls.push({ kind: 'paths', paths: list });
      recordDirty = true;
      return behaviour.syncPaths ? behaviour.syncPaths(list) : outcome({ send: list.map(fileEntry), remove: [] });
    },
    async fullSync() {
      calls.push({ kind: 'full' });
      return behaviour.fullSync ? behaviour.fullSync() : outcome({ send: [], remove: [] });
    },
    describe: async () => ({ kind: 'missing' as const }),
    get recordNeedsWrite() {
      return recordDirty;
    },
    async flushRecord() {
      if (!recordDirty) return;
      recordDirty = false;
      calls.push({ kind: 'record' });
    },
    close: () => undefined,
  };
  const live = new LiveSync(syncer as unknown as Syncer, {
    root: '/p',
    flavour: path.posix,
    clock,
    reporter: { event: (e) => events.push(e), progress: () => undefined, done: () => undefined, close: () => undefined },
    watcherFactory: (options) => {
      emit = options.onEvent;
      return { ready: Promise.resolve(), close: async () => undefined };
    },
    quietMs: 10,
    maxWaitMs: 100,
    fullSyncThreshold: 1000,
    ensureContainer: behaviour.ensureContainer ?? (async () => 'c2'),
    ping: async () => undefined,
  });
  return { clock, events, calls, live, push: (p: string) => emit({ path: p, kind: 'change' }) };
}

async function started(s: ReturnType<typeof setup>) {
  await s.live.start();
  await s.live.release(undefined);
}

describe('LiveSync', () => {
  it('writes the record back once batches have stopped for 2 s, not after each one, and on close', async () => {
    const s = setup();
    await started(s);
    for (let i = 0; i < 5; i++) {
      s.push(`src/f${i}.js`);
      await s.clock.advance(500);
    }
    expect(s.calls.filter((c) => c.kind === 'record')).toHaveLength(0);
    await s.clock.advance(2_000);
    expect(s.calls.map((c) => c.kind).filter((k) => k !== 'full')).toEqual(['paths', 'paths', 'paths', 'paths', 'paths', 'record']);
    s.push('src/last.js');
    await s.clock.advance(100);
    await s.live.close();
    expect(s.calls.at(-1)).toEqual({ kind: 'record' });
  });

  it('a bug in a batch is reported as that batch failing, followed by a full resync; the loop goes on', async () => {
    let broken = true;
    const s = setup({
      syncPaths: async (paths) => {
        if (broken) throw new TypeError("Cannot read properties of undefined (reading 'path')");
        return outcome({ send: paths.map(fileEntry), remove: [] });
      },
    });
    await started(s);
    s.push('src/a.js');
    await s.clock.advance(5_000);
    const failed = s.events.filter((e) => e.type === 'sync-failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.message).toMatch(/^#\d+ sync failed: Cannot read properties of undefined \(reading 'path'\)$/);
    expect(s.calls.some((c) => c.kind === 'full')).toBe(true);
    broken = false;
    s.push('src/b.js');
    await s.clock.advance(1_000);
    expect(s.calls.at(-1)).toEqual({ kind: 'paths', paths: ['src/b.js'] });
    await s.live.close();
  });

  it('an error while recovering (not only in the batch) is reported and answered with a full resync', async () => {
    let gone = true;
    const s = setup({
      syncPaths: async (paths) => {
        if (gone) throw new DsyncError('CONTAINER_GONE', 'The container went away while copying');
        return outcome({ send: paths.map(fileEntry), remove: [] });
      },
      ensureContainer: async () => {
        gone = false;
        throw new RangeError('unexpected engine answer');
      },
    });
    await started(s);
    s.push('x.js');
    await s.clock.advance(3_000);
    expect(s.events.some((e) => e.type === 'sync-failed' && String(e.message).includes('unexpected engine answer'))).toBe(true);
    expect(s.calls.some((c) => c.kind === 'full')).toBe(true);
    await s.live.close();
  });

  it('paths that vanished or changed while they were packed are looked at again in the next batch', async () => {
    let first = true;
    const s = setup({
      syncPaths: async (paths) => {
        if (first) {
          first = false;
          return outcome({ send: [], remove: [] }, ['gone-while-packing.txt']);
        }
        return outcome({ send: [], remove: paths });
      },
    });
    await started(s);
    s.push('gone-while-packing.txt');
    await s.clock.advance(200);
    expect(s.calls.filter((c) => c.kind === 'paths').map((c) => c.paths)).toEqual([['gone-while-packing.txt'], ['gone-while-packing.txt']]);
    await s.live.close();
  });

  it('after a burst, once quiet, one full diff checks the tree and reports only what no event named', async () => {
    const s = setup({ fullSync: async () => outcome({ send: [fileEntry('burst/f3'), fileEntry('missed/x')], remove: ['missed/gone'] }) });
    await started(s);
    for (let i = 0; i < 60; i++) s.push(`burst/f${i}`);
    await s.clock.advance(200);
    expect(s.calls.filter((c) => c.kind === 'full')).toHaveLength(0);
    // A new event arrives just as the check fires: it is part of the batch, not "missed".
    await s.clock.advance(555);
    s.push('burst/f3');
    await s.clock.advance(500);
    expect(s.calls.filter((c) => c.kind === 'full')).toHaveLength(1);
    const missed = s.events.filter((e) => e.type === 'watch-missed');
    expect(missed).toHaveLength(1);
    expect(missed[0]).toMatchObject({ sent: 1, removed: 1, sentPaths: ['missed/x'], removedPaths: ['missed/gone'] });
    // Single saves never trigger the check.
    s.push('one.js');
    await s.clock.advance(5_000);
    expect(s.calls.filter((c) => c.kind === 'full')).toHaveLength(1);
    await s.live.close();
  });
});
