// File names that try to climb out of the workspace. On Linux and macOS a
// backslash is an ordinary character of one name, so `..\..\..\tmp\x` is one
// file, and it must stay one file, with that literal name, inside the
// workspace: at the initial sync and while running, over both transfer
// paths. The check is on the container itself: nothing appears anywhere
// outside the volume.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ContainerClient } from '../../src/docker/container-client.js';
import { BUSYBOX_IMAGE, DEBIAN_IMAGE, containerTree, expectTreesEqual, removeProjectResources, tempProject, testSession } from '../helpers/real-docker.js';
import type { RunningSync } from '../../src/session/types.js';

/** Every path in the container outside the volume and the kernel's file systems. */
async function outsideListing(client: ContainerClient, id: string): Promise<string[]> {
  const result = await client.exec(id, {
    cmd: ['/bin/sh', '-c', 'find / -xdev \\( -path /proc -o -path /sys -o -path /dev -o -path /dsync \\) -prune -o -print | sort'],
  });
  return result.stdout.split('\n').filter(Boolean);
}

const AT_START = ['..\\..\\..\\tmp\\dsync-escape-start', '..\\..\\..\\opt\\dsync-escape-opt', 'sub\\..\\..\\..\\..\\etc\\dsync-escape'];
const LIVE = ['..\\..\\..\\tmp\\dsync-escape-live', '..\\..\\..\\usr\\local\\bin\\dsync-evil'];

describe.each([
  { transfer: 'in-container tar stream', image: DEBIAN_IMAGE },
  { transfer: 'putArchive', image: BUSYBOX_IMAGE },
])('hostile file names over the $transfer', ({ image }) => {
  const root = tempProject('hostile');
  fs.writeFileSync(path.join(root, 'README.md'), 'ok\n');
  const { session, client } = testSession(root, image);
  let running: RunningSync | undefined;
  afterAll(async () => {
    await running?.stop();
    await removeProjectResources(session);
  });

  it('stay literal names inside the workspace at the initial sync and while running; nothing lands outside', async () => {
    await removeProjectResources(session);
    const { containerId } = await session.prepare();
    const before = await outsideListing(client, containerId);

    for (const name of AT_START) fs.writeFileSync(path.join(root, name), `payload ${name}`);
    fs.mkdirSync(path.join(root, '..\\..\\..\\tmp\\dsync-escape-dir'));
    fs.writeFileSync(path.join(root, '..\\..\\..\\tmp\\dsync-escape-dir', 'inside.txt'), 'in a hostile folder');
    fs.symlinkSync('README.md', path.join(root, '..\\..\\..\\tmp\\dsync-escape-link'));
    running = await session.startLiveSync();
    await expectTreesEqual(client, running.containerId, root);

    for (const name of LIVE) fs.writeFileSync(path.join(root, name), `payload ${name}`);
    fs.writeFileSync(path.join(root, 'sentinel.txt'), 'flushed');
    await expectTreesEqual(client, running.containerId, root);

    const tree = await containerTree(client, running.containerId);
    for (const name of [...AT_START, ...LIVE])
      expect(
        tree.some((l) => l.startsWith(`${name}|file|`)),
        name,
      ).toBe(true);
    expect(tree).toContain('..\\..\\..\\tmp\\dsync-escape-link|symlink|README.md');
    expect(tree.some((l) => l.startsWith('..\\..\\..\\tmp\\dsync-escape-dir/inside.txt|file|'))).toBe(true);
    expect(await outsideListing(client, running.containerId)).toEqual(before);
  });
});
