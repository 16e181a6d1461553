// The edit storm as win32: `up --sync-only` as node.exe under Wine (chokidar,
// over Wine's directory change notifications, the Windows watcher's path)
// while the Linux test runner makes rounds of random creates, edits,
// renames, folder moves and deletes in the project. After every round the
// container must hold exactly the host's tree by dsync's Windows rules
// (folders 755, files 644: the storm writes no #! and there is no git index).
// Run by `npm run test:windows`; prints how often the check after a burst had
// to correct something, per path.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runCli, startUp } from '../helpers/cli.js';
import { DEBIAN_IMAGE, containerTree, engineClient } from '../helpers/real-docker.js';
import { OPS, rng, stormRound } from '../helpers/storm.js';
import { expectedWindowsTree, viaWine, winPath } from '../helpers/wine.js';

const ROUNDS = Number(process.env.DSYNC_WIN_STORM_ROUNDS ?? 4);
const TCP_HOST = inject('tcpHost');
const env = { DOCKER_HOST: TCP_HOST, NO_COLOR: '1' };

const sorted = (lines: string[]) => [...lines].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

async function converge(containerId: string, root: string, timeoutMs = 60_000): Promise<void> {
  const client = engineClient();
  const deadline = Date.now() + timeoutMs;
  const want = expectedWindowsTree(root, { exec: [], links: [] });
  let remote: string[] = [];
  for (;;) {
    remote = sorted(await containerTree(client, containerId));
    if (JSON.stringify(remote) === JSON.stringify(want)) return;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  expect(remote).toEqual(want);
}

const removeAfter: string[][] = [];
afterAll(() => {
  for (const args of removeAfter) runCli(['down', '--purge', ...args], env, undefined, viaWine());
});

describe('an edit storm as win32 (chokidar under Wine)', () => {
  it(`${ROUNDS} rounds of ${OPS} operations: the container equals the host after each, and up keeps running`, async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dsync win storm ü-'));
    const base = path.join(root, 'storm');
    fs.mkdirSync(base);
    fs.writeFileSync(path.join(root, 'README.md'), 'storm project\n');
    const args = ['--cwd', winPath(root), '--image', DEBIAN_IMAGE];
    removeAfter.push(args);
    const up = startUp(['--sync-only', ...args], env, viaWine());
    const rand = rng(2026);
    const converged: number[] = [];
    let failure: unknown;
    try {
      const started = await up.waitFor('initial-sync', 120_000);
      expect(await up.waitFor('watching', 90_000)).toMatchObject({ watcher: 'chokidar' });
      for (let round = 0; round < ROUNDS; round++) {
        await stormRound(base, round, rand);
        await converge(String(started.containerId), root);
        expect(up.exitCode(), `dsync up died in round ${round}: ${up.stderr}`).toBeNull();
        converged.push(round);
      }
    } catch (error) {
      failure = error;
    }
    const code = await up.stop('SIGINT');
    const missed = up.events.filter((e) => e.type === 'watch-missed');
    console.log(
      `storm as win32 through chokidar under Wine: ${converged.length} of ${ROUNDS} rounds converged; ` +
        `${up.events.filter((e) => e.type === 'sync').length} sync batches; the check after a burst corrected ${missed.length} time(s) ` +
        `(${missed.reduce((n, e) => n + Number(e.sent) + Number(e.removed), 0)} paths)`,
    );
    for (const e of missed) console.log(`  corrected after a burst: sent ${JSON.stringify(e.sentPaths)} removed ${JSON.stringify(e.removedPaths)}`);
    if (failure) throw new Error(`after ${converged.length} of ${ROUNDS} rounds: ${(failure as Error).message}\ndsync stderr: ${up.stderr.slice(-3000)}`);
    expect(code).toBe(0);
    expect(up.events.filter((e) => e.type === 'sync-failed')).toEqual([]);
    expect(up.events.filter((e) => e.type === 'conflict-saved')).toEqual([]);
  }, 900_000);
});
