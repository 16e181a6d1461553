// Project identity on a shared engine: the same path for two users (or two
// machines) is two projects, and dsync never reuses or removes a container
// or volume whose labels are not exactly its project's.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEBIAN_IMAGE, engineClient, expectTreesEqual, removeProjectResources, tempProject, testSession } from '../helpers/real-docker.js';

describe('project identity on a shared engine', () => {
  const root = tempProject('identity');
  fs.writeFileSync(path.join(root, 'app.js'), 'shared path');
  const client = engineClient();
  const ana = testSession(root, DEBIAN_IMAGE, client, {}, { user: 'ana-test', hostname: 'ci-runner-1' });
  const bo = testSession(root, DEBIAN_IMAGE, client, {}, { user: 'bo-test', hostname: 'ci-runner-1' });
  const foreign: string[] = [];
  afterAll(async () => {
    await removeProjectResources(ana.session);
    await removeProjectResources(bo.session);
    for (const name of foreign) await client.removeContainer(name).catch(() => undefined);
    for (const name of foreign) await client.removeVolume(name).catch(() => undefined);
  });

  it('two users with the same project path get separate containers and volumes; one full sync never touches the other', async () => {
    expect(ana.session.project.id).not.toBe(bo.session.project.id);
    const a = await ana.session.prepare();
    fs.writeFileSync(path.join(root, 'only-for-bo.txt'), 'written after ana synced');
    const b = await bo.session.prepare();
    expect(a.containerId).not.toBe(b.containerId);
    await expectTreesEqual(client, b.containerId, root);
    // ana's container still has her tree: bo's full sync went to bo's volume only.
    const listing = await client.exec(a.containerId, { cmd: ['ls', '/dsync/workspace'] });
    expect(listing.stdout.split('\n').filter(Boolean)).toEqual(['app.js']);
    // Taking ana's container down leaves bo's.
    await ana.session.down(true);
    expect((await client.inspectContainer(b.containerId))?.state).toBe('running');
  });

  it("refuses a container that took the project's name without its labels, and leaves it alone", async () => {
    const root2 = tempProject('identity-squat');
    const squatted = testSession(root2, DEBIAN_IMAGE, client, {}, { user: 'cy-test', hostname: 'ci-runner-1' });
    const name = squatted.session.project.containerName;
    foreign.push(name);
    const id = await client.createContainer({ name, image: DEBIAN_IMAGE, labels: { 'dev.dsync.tool': 'dsync' }, mounts: [], workingDir: '/' });
    await expect(squatted.session.prepare()).rejects.toThrow(`A container named ${name} already exists and is not this project's`);
    expect(await client.inspectContainer(id)).toBeDefined();
    await removeProjectResources(squatted.session);
    expect(await client.inspectContainer(id)).toBeDefined();
  });

  it("refuses a volume with the project's name but someone else's labels", async () => {
    const root3 = tempProject('identity-volume');
    const s = testSession(root3, DEBIAN_IMAGE, client, {}, { user: 'di-test', hostname: 'ci-runner-1' });
    const volume = s.session.project.workspaceVolume;
    foreign.push(volume);
    await client.ensureVolume(volume, { 'dev.dsync.tool': 'dsync', 'dev.dsync.project': s.session.project.id, 'dev.dsync.user': 'someone-else' });
    await expect(s.session.prepare()).rejects.toThrow(`A volume named ${volume} already exists and is not this project's`);
    await removeProjectResources(s.session);
    expect((await client.findVolumes({ 'dev.dsync.project': s.session.project.id })).map((v) => v.name)).toEqual([volume]);
  });
});
