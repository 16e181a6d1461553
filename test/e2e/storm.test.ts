// Edit storms against the built CLI: rounds of random creates, edits,
// truncations, deletes, renames, folder moves and folder deletes, spread over
// a few hundred milliseconds so that files vanish and folders move while the
// batch that names them is being packed and sent. After every round the
// container's tree must equal the host's and `dsync up` must still be running.
// Both transfer paths: the persistent in-container GNU tar stream (Debian
// image) and putArchive per batch (busybox image).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startUp } from '../helpers/cli.js';
import { OPS, rng, sleep, stormRound, walk } from '../helpers/storm.js';
import { BUSYBOX_IMAGE, DEBIAN_IMAGE, EXPECTED_WATCHER, engineClient, expectTreesEqual, tempProject } from '../helpers/real-docker.js';

const ROUNDS = Number(process.env.DSYNC_STORM_ROUNDS ?? 8);
/** The vitest project "chokidar" runs this file again with DSYNC_WATCHER=chokidar (the Windows and macOS watcher). */
const WATCHER = EXPECTED_WATCHER;

/** Resolves once `up` has reported no sync for `quietMs`: batches, rechecks and the check after a burst are done. */
async function settled(events: Array<Record<string, unknown>>, quietMs = 1500): Promise<void> {
  let seen = events.length;
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    await sleep(100);
    if (events.length !== seen) {
      seen = events.length;
      since = Date.now();
    }
  }
}

const cleanup: string[][] = [];
afterAll(() => {
  for (const args of cleanup) runCli(['down', '--purge', ...args]);
});

describe.each([
  { transfer: 'in-container tar stream', image: DEBIAN_IMAGE, seed: 4242 },
  { transfer: 'putArchive', image: BUSYBOX_IMAGE, seed: 777 },
])('edit storm over the $transfer', ({ image, seed }) => {
  it(`${ROUNDS} rounds of ${OPS} operations: the trees are equal after each, and up keeps running`, async () => {
    const dir = tempProject('storm');
    const base = path.join(dir, 'storm');
    fs.mkdirSync(base);
    fs.writeFileSync(path.join(dir, 'README.md'), 'storm project\n');
    const args = ['--sync-only', '--cwd', dir, '--image', image];
    cleanup.push(['--cwd', dir]);
    const up = startUp(args);
    const rand = rng(seed);
    const converged: number[] = [];
    let failure: unknown;
    try {
      const started = await up.waitFor('initial-sync');
      expect(await up.waitFor('watching')).toMatchObject({ watcher: WATCHER });
      const client = engineClient();
      for (let round = 0; round < ROUNDS; round++) {
        await stormRound(base, round, rand);
        await expectTreesEqual(client, String(started.containerId), dir, undefined, 60_000);
        expect(up.exitCode(), `dsync up died in round ${round}: ${up.stderr}`).toBeNull();
        converged.push(round);
      }
    } catch (error) {
      failure = error;
    }
    const code = await up.stop();
    const missed = up.events.filter((e) => e.type === 'watch-missed');
    const syncs = up.events.filter((e) => e.type === 'sync').length;
    console.log(
      `storm over ${image} through ${WATCHER}: ${converged.length} of ${ROUNDS} rounds converged; ${syncs} sync batches; ` +
        `the check after a burst corrected ${missed.length} time(s) (${missed.reduce((n, e) => n + Number(e.sent) + Number(e.removed), 0)} paths)`,
    );
    if (process.env.DSYNC_STORM_EVENTS) fs.writeFileSync(process.env.DSYNC_STORM_EVENTS, up.events.map((e) => JSON.stringify(e)).join('\n'));
    for (const e of missed) console.log(`  corrected after a burst: sent ${JSON.stringify(e.sentPaths)} removed ${JSON.stringify(e.removedPaths)}`);
    if (failure) throw new Error(`after ${converged.length} of ${ROUNDS} rounds: ${(failure as Error).message}\ndsync stderr: ${up.stderr}`);
    expect(code).toBe(0);
    // The storm made batches fail at most softly: no crash, and no batch given up on.
    expect(up.events.filter((e) => e.type === 'sync-failed')).toEqual([]);
    // Nothing was changed inside the container: a saved "conflict" would be dsync mistaking its own writes.
    expect(up.events.filter((e) => e.type === 'conflict-saved')).toEqual([]);
  }, 600_000);
});

// The other half of the guarantee: what *is* changed inside the container is
// saved, exactly that, however stormy the host is. Between rounds, a few
// synced files are edited inside (docker exec) and then on the host; each
// must be saved once under /dsync/conflicts with the container's content,
// and nothing else ever.
const EDIT_ROUNDS = Number(process.env.DSYNC_STORM_EDIT_ROUNDS ?? 6);

describe.each([
  { transfer: 'in-container tar stream', image: DEBIAN_IMAGE, seed: 9001 },
  { transfer: 'putArchive', image: BUSYBOX_IMAGE, seed: 313 },
])('edit storm with edits inside the container over the $transfer', ({ image, seed }) => {
  it(`${EDIT_ROUNDS} rounds: exactly the files changed inside are saved, each once, with the container's content`, async () => {
    const dir = tempProject('storm-inside');
    const base = path.join(dir, 'storm');
    fs.mkdirSync(base);
    fs.writeFileSync(path.join(dir, 'README.md'), 'storm project\n');
    const args = ['--sync-only', '--cwd', dir, '--image', image];
    cleanup.push(['--cwd', dir]);
    const up = startUp(args);
    const rand = rng(seed);
    const edited = new Map<string, string>();
    try {
      const started = await up.waitFor('initial-sync');
      expect(await up.waitFor('watching')).toMatchObject({ watcher: WATCHER });
      const containerId = String(started.containerId);
      const client = engineClient();
      for (let round = 0; round < EDIT_ROUNDS; round++) {
        await stormRound(base, round, rand);
        await expectTreesEqual(client, containerId, dir, undefined, 60_000);
        await settled(up.events);
        const files = walk(base, 'file')
          .map((f) => path.relative(dir, f).split(path.sep).join('/'))
          .filter((p) => !edited.has(p));
        const chosen = [...new Set(Array.from({ length: 3 }, () => files[rand(files.length)]!))];
        for (const p of chosen) {
          const marker = `changed inside in round ${round}: ${p}\n`;
          const result = await client.exec(containerId, { cmd: ['/bin/sh', '-c', 'printf %s "$2" >> "/dsync/workspace/$1"', 'edit', p, marker] });
          expect(result.exitCode, result.stderr).toBe(0);
          edited.set(p, marker);
        }
        // The host wins: change the same files there, so the sync must replace them.
        for (const p of chosen) fs.appendFileSync(path.join(dir, p), `host edit in round ${round}\n`);
        await expectTreesEqual(client, containerId, dir, undefined, 60_000);
        expect(up.exitCode(), `dsync up died in round ${round}: ${up.stderr}`).toBeNull();
      }
      await settled(up.events);
      const saved = up.events.filter((e) => e.type === 'conflict-saved');
      expect(saved.map((e) => String(e.path)).sort()).toEqual([...edited.keys()].sort());
      for (const e of saved) {
        const copy = await client.exec(containerId, { cmd: ['cat', String(e.copy)] });
        expect(copy.stdout.endsWith(edited.get(String(e.path))!), `${String(e.copy)} holds the container's edit`).toBe(true);
      }
    } finally {
      await up.stop();
      const missed = up.events.filter((e) => e.type === 'watch-missed');
      console.log(
        `storm with edits inside over ${image} through ${WATCHER}: the check after a burst corrected ${missed.length} time(s) ` +
          `(${missed.reduce((n, e) => n + Number(e.sent) + Number(e.removed), 0)} paths)`,
      );
    }
    expect(up.events.filter((e) => e.type === 'sync-failed')).toEqual([]);
  }, 600_000);
});
