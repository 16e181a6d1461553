// A repository checked out with core.symlinks=false (Git for Windows'
// default without Developer Mode): git writes each symlink as a small text
// file holding its target, and the index still says mode 120000. The
// container must get the symlinks, as a Linux checkout would have them.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEBIAN_IMAGE, containerTree, removeProjectResources, tempProject, testSession } from '../helpers/real-docker.js';

const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, stdio: 'pipe' });

describe('a git checkout with core.symlinks=false', () => {
  const origin = tempProject('git-origin');
  fs.mkdirSync(path.join(origin, 'layers/common'), { recursive: true });
  fs.writeFileSync(path.join(origin, 'layers/common/util.js'), 'module.exports = 1;\n');
  fs.mkdirSync(path.join(origin, 'functions/a'), { recursive: true });
  fs.symlinkSync('../../layers/common', path.join(origin, 'functions/a/common'));
  fs.symlinkSync('util.js', path.join(origin, 'layers/common/current.js'));
  fs.symlinkSync('../../../outside-the-repo', path.join(origin, 'functions/a/escape'));
  git(origin, 'init', '-q');
  git(origin, 'add', '-A');
  git(origin, 'commit', '-qm', 'links');
  const clone = `${tempProject('git-clone')}/app`;
  git(path.dirname(clone), 'clone', '-q', '-c', 'core.symlinks=false', origin, clone);
  const { session, client, reporter } = testSession(clone, DEBIAN_IMAGE);
  afterAll(() => removeProjectResources(session));

  it('sends the text files git wrote for symlinks as symlinks, and refuses one that leaves the project', async () => {
    expect(fs.lstatSync(path.join(clone, 'functions/a/common')).isFile()).toBe(true);
    const { containerId } = await session.prepare();
    const tree = await containerTree(client, containerId);
    expect(tree).toContain('functions/a/common|symlink|../../layers/common');
    expect(tree).toContain('layers/common/current.js|symlink|util.js');
    expect(tree.some((l) => l.startsWith('functions/a/escape'))).toBe(false);
    const cat = await client.exec(containerId, { cmd: ['cat', '/dsync/workspace/functions/a/common/util.js'] });
    expect(cat.stdout).toBe('module.exports = 1;\n');
    expect(reporter.events.some((e) => String(e.message).includes('not sending functions/a/escape: git records it as a symlink'))).toBe(true);
  });
});
