// Nothing made inside the container is lost: a workspace file changed (or
// made) inside the container since dsync wrote it is saved under
// /dsync/conflicts before the host's version replaces or removes it, live
// and across a restart; ignored paths are never saved or touched. Checked on
// the container itself, over both transfer paths (persistent tar + checker,
// and busybox's putArchive + one exec per check).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerClient } from '../../src/docker/container-client.js';
import type { DsyncEvent } from '../../src/base/reporter.js';
import { BUSYBOX_IMAGE, DEBIAN_IMAGE, containerTree, defaultSkip, hostTree, removeProjectResources, tempProject, testSession } from '../helpers/real-docker.js';
import type { RunningSync } from '../../src/session/types.js';

const WS = '/dsync/workspace';

async function sh(client: ContainerClient, id: string, script: string, ...args: string[]): Promise<string> {
  const result = await client.exec(id, { cmd: ['/bin/sh', '-c', script, 'sh', ...args] });
  if (result.exitCode !== 0) throw new Error(`exec failed (${result.exitCode}): ${result.stderr}`);
  return result.stdout;
}

/** Write a file inside the container, as someone attached to it would. */
const editInside = (client: ContainerClient, id: string, rel: string, content: string) =>
  sh(client, id, 'mkdir -p "$(dirname "$1")" && printf %s "$2" > "$1"', `${WS}/${rel}`, content);
const readInside = (client: ContainerClient, id: string, abs: string) => sh(client, id, 'cat -- "$1"', abs);

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Poll until the container's synced tree equals the host's (ignored paths left out on both sides). */
async function expectSynced(client: ContainerClient, id: string, root: string): Promise<void> {
  const visible = (line: string) => !skip(line.slice(0, line.indexOf('|')));
  let last: { host: string[]; remote: string[] } | undefined;
  try {
    await waitFor('the container to match the host', async () => {
      const host = hostTree(root, (rel) => defaultSkip(rel) || skip(rel));
      const remote = (await containerTree(client, id)).filter(visible).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      last = { host, remote };
      return JSON.stringify(host) === JSON.stringify(remote) ? true : undefined;
    });
  } catch (error) {
    throw new Error(`${(error as Error).message}\nhost:\n  ${last?.host.join('\n  ')}\ncontainer:\n  ${last?.remote.join('\n  ')}`);
  }
}

const saved = (events: DsyncEvent[], p: string) => events.filter((e) => e.type === 'conflict-saved' && e.path === p);
// dist/ and *.log are ignored: the container's own copies there are never compared, saved or touched.
const skip = (rel: string) => rel === 'dist' || rel.startsWith('dist/') || rel.endsWith('.log');

describe.each([
  { transfer: 'in-container tar stream and checker', image: DEBIAN_IMAGE },
  { transfer: 'putArchive and one exec per check', image: BUSYBOX_IMAGE },
])('conflicts over the $transfer', ({ image }) => {
  const root = tempProject('conflicts');
  const w = (rel: string, content: string) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), content);
  };
  w('.gitignore', 'dist/\n*.log\n');
  w('src/app.js', 'host v1\n');
  w('src/keep.js', 'keep v1\n');
  w('src/quiet.js', 'untouched\n');
  w("src/it's a -name.js", 'hostile v1\n');
  w('old/known.js', 'known\n');
  w('dist/bundle.js', 'host build\n');
  // A restart is a new session (a new `dsync up`): it knows only what the volume holds.
  let { session, reporter, client } = testSession(root, image);
  let running: RunningSync | undefined;
  const restart = async () => {
    await running?.stop();
    running = undefined;
    ({ session, reporter, client } = testSession(root, image));
    return session.prepare();
  };

  beforeAll(async () => {
    await removeProjectResources(session);
    running = await session.startLiveSync();
  });
  afterAll(async () => {
    await running?.stop();
    await removeProjectResources(session);
  });

  it('live: a file edited inside and then on the host ends as the host version, with the container version saved and reported once', async () => {
    const id = running!.containerId;
    await editInside(client, id, 'src/app.js', 'edited inside the container\n');
    await editInside(client, id, "src/it's a -name.js", 'hostile edited inside\n');
    w('src/app.js', 'host v2\n');
    w("src/it's a -name.js", 'hostile v2\n');
    await expectSynced(client, id, root);
    for (const [p, inside] of [
      ['src/app.js', 'edited inside the container\n'],
      ["src/it's a -name.js", 'hostile edited inside\n'],
    ] as const) {
      const [event, ...more] = await waitFor(p, () => (saved(reporter.events, p).length > 0 ? saved(reporter.events, p) : undefined));
      expect(more).toEqual([]);
      expect(event!.copy).toMatch(new RegExp(`^/dsync/conflicts/\\d{8}T\\d{6}Z(-\\d+)?/${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
      expect(event!.message).toBe(`saved the container's changed copy of ${p} to ${String(event!.copy)} (the host's version is synced)`);
      expect(await readInside(client, id, String(event!.copy))).toBe(inside);
    }
    // Files nobody touched inside are never saved, whatever the host does to them.
    w('src/keep.js', 'keep v2\n');
    await expectSynced(client, id, root);
    await running!.idle();
    expect(saved(reporter.events, 'src/keep.js')).toEqual([]);
  });

  it('live: a file made inside that the host then creates, and one made inside a folder the host removes, are saved', async () => {
    const id = running!.containerId;
    await editInside(client, id, 'src/made-inside.js', 'made in the container\n');
    await editInside(client, id, 'old/made-inside-too.js', 'also made in the container\n');
    w('src/made-inside.js', 'host creates it too\n');
    fs.rmSync(path.join(root, 'old'), { recursive: true });
    await expectSynced(client, id, root);
    const created = await waitFor('made-inside', () => saved(reporter.events, 'src/made-inside.js')[0]);
    expect(await readInside(client, id, String(created.copy))).toBe('made in the container\n');
    const removed = await waitFor('made-inside-too', () => saved(reporter.events, 'old/made-inside-too.js')[0]);
    expect(removed.message).toContain('(the host removed it)');
    expect(await readInside(client, id, String(removed.copy))).toBe('also made in the container\n');
    // old/known.js was dsync's own: removed with its folder, not saved.
    expect(saved(reporter.events, 'old/known.js')).toEqual([]);
  });

  it('ignored paths edited or made inside are left untouched and never saved', async () => {
    const id = running!.containerId;
    await editInside(client, id, 'dist/bundle.js', 'built inside the container\n');
    await editInside(client, id, 'dist/extra.js', 'made by a build inside\n');
    await editInside(client, id, 'src/debug.log', 'a log written inside\n');
    w('dist/bundle.js', 'host build v2\n');
    w('src/debug.log', 'host log\n');
    w('src/sentinel.js', 'flushed\n');
    await expectSynced(client, id, root);
    await running!.idle();
    expect(await readInside(client, id, `${WS}/dist/bundle.js`)).toBe('built inside the container\n');
    expect(await readInside(client, id, `${WS}/dist/extra.js`)).toBe('made by a build inside\n');
    expect(await readInside(client, id, `${WS}/src/debug.log`)).toBe('a log written inside\n');
    expect(reporter.events.filter((e) => e.type === 'conflict-saved' && /dist\/|\.log$/.test(String(e.path)))).toEqual([]);
  });

  it('status lists the open conflicts, and --clear-conflicts removes them', async () => {
    const status = await session.status();
    expect(status.conflicts?.map((c) => c.path).sort()).toEqual(["src/it's a -name.js", 'src/app.js', 'src/made-inside.js', 'old/made-inside-too.js'].sort());
    for (const c of status.conflicts ?? []) expect(c.copy).toBe(`/dsync/conflicts/${c.savedAt}/${c.path}`);
  });

  it('across a restart: an edit inside while dsync is stopped, then on the host, is saved by the initial sync; so is a file made inside that the host does not have', async () => {
    const { containerId: id } = await restart();
    await editInside(client, id, 'src/keep.js', 'edited while dsync was stopped\n');
    const editedAt = (await sh(client, id, 'stat -c %Y "$1"', `${WS}/src/keep.js`)).trim();
    await editInside(client, id, 'src/stray.js', 'made while dsync was stopped\n');
    await editInside(client, id, 'src/quiet.js', 'edited inside, host unchanged\n');
    w('src/keep.js', 'keep v3 from the host\n');
    running = await session.startLiveSync();
    await expectSynced(client, running.containerId, root);
    const keep = saved(reporter.events, 'src/keep.js');
    expect(keep).toHaveLength(1);
    expect(await readInside(client, id, String(keep[0]!.copy))).toBe('edited while dsync was stopped\n');
    const stray = saved(reporter.events, 'src/stray.js');
    expect(stray).toHaveLength(1);
    expect(stray[0]!.removed).toBe(true);
    expect(await readInside(client, id, String(stray[0]!.copy))).toBe('made while dsync was stopped\n');
    // The host's unchanged quiet.js differs from the container's: the host wins, the container's copy is saved.
    expect(await readInside(client, id, String(saved(reporter.events, 'src/quiet.js')[0]!.copy))).toBe('edited inside, host unchanged\n');
    expect(reporter.events.filter((e) => e.type === 'conflict-saved')).toHaveLength(3);
    // The copy keeps the container file's mtime.
    expect((await sh(client, id, 'stat -c %Y "$1"', String(keep[0]!.copy))).trim()).toBe(editedAt);
  });

  it('a volume without a record (an older dsync) gets no check on its first sync, and a record after it', async () => {
    const { containerId: id } = await restart();
    await sh(client, id, 'rm -f /dsync/state/record.json');
    await editInside(client, id, 'src/app.js', 'edited on an old volume\n');
    w('src/app.js', 'host v3\n');
    ({ session, reporter, client } = testSession(root, image));
    running = await session.startLiveSync();
    await expectSynced(client, running.containerId, root);
    expect(reporter.events.filter((e) => e.type === 'conflict-saved')).toEqual([]);
    const record = JSON.parse(await readInside(client, id, '/dsync/state/record.json')) as { entries: unknown[][] };
    expect(record.entries.map((e) => e[0])).toContain('src/app.js');
    expect(record.entries.map((e) => e[0])).not.toContain('dist/bundle.js');
  });

  it('--clear-conflicts removes every saved copy', async () => {
    expect(await session.clearConflicts()).toBeGreaterThan(0);
    expect((await session.status()).conflicts).toEqual([]);
  });
});
