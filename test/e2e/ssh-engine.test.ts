// A remote engine over SSH (DOCKER_HOST=ssh://root@127.0.0.1:PORT), like the
// TCP test: a private sshd on loopback with key auth (scripts/test-sshd.sh,
// started by the test set-up), a HOME of its own with the key and
// known_hosts, and nothing shared with the engine but the Engine API.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startUp } from '../helpers/cli.js';
import { DEBIAN_IMAGE, tempProject } from '../helpers/real-docker.js';

const SSH_DIR = process.env.DSYNC_TEST_SSH_DIR ?? '/tmp/dsync-test-sshd';
const PORT = process.env.DSYNC_TEST_SSH_PORT ?? '2222';
const HOST = `ssh://root@127.0.0.1:${PORT}`;

function homeWith(files: { key?: boolean; knownHosts?: string }): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-ssh-home-'));
  fs.mkdirSync(path.join(home, '.ssh'), { mode: 0o700 });
  if (files.key) fs.copyFileSync(path.join(SSH_DIR, 'client_key'), path.join(home, '.ssh/id_ed25519'));
  if (files.knownHosts !== undefined) fs.writeFileSync(path.join(home, '.ssh/known_hosts'), files.knownHosts);
  return home;
}

describe('a remote engine over SSH', () => {
  if (!fs.existsSync(path.join(SSH_DIR, 'known_hosts'))) {
    // The test command starts it (scripts/test-sshd.sh); its absence is a failure, not a skip.
    it('has the test sshd', () => {
      throw new Error(`the test sshd is not set up: run scripts/test-sshd.sh (state in ${SSH_DIR})`);
    });
    return;
  }
  const knownHosts = fs.readFileSync(path.join(SSH_DIR, 'known_hosts'), 'utf8');
  const env = { DOCKER_HOST: HOST, HOME: homeWith({ key: true, knownHosts }), SSH_AUTH_SOCK: '' };
  const dir = tempProject('ssh engine');
  const args = ['--cwd', dir, '--image', DEBIAN_IMAGE];
  afterAll(() => runCli(['down', '--purge', ...args], env));

  it('up, a live edit, exec, status and down work through ssh://', async () => {
    fs.writeFileSync(path.join(dir, 'app.js'), 'v1');
    const up = startUp(['--sync-only', ...args], env);
    try {
      await up.waitFor('watching', 120_000);
      fs.writeFileSync(path.join(dir, 'app.js'), 'over ssh');
      const deadline = Date.now() + 30_000;
      let seen = '';
      while (Date.now() < deadline && seen !== 'over ssh') {
        seen = runCli(['exec', ...args, '--', 'cat', 'app.js'], env).stdout;
        if (seen !== 'over ssh') await new Promise((r) => setTimeout(r, 200));
      }
      expect(seen).toBe('over ssh');
      const exec = runCli(['exec', ...args, '--', 'sh', '-c', 'pwd; exit 4'], env);
      expect(exec).toMatchObject({ code: 4, stdout: '/dsync/workspace\n' });
      const status = JSON.parse(runCli(['status', '--json', ...args], env).stdout);
      expect(status).toMatchObject({ inSync: true, engine: expect.stringContaining(HOST) });
    } finally {
      expect(await up.stop()).toBe(0);
    }
    expect(runCli(['down', ...args], env).code).toBe(0);
  }, 300_000);

  it('refuses a host key that is not in known_hosts, with a hint', () => {
    const r = runCli(['status', ...args], { ...env, HOME: homeWith({ key: true }) });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('The SSH host key of 127.0.0.1 is not in ~/.ssh/known_hosts');
    expect(r.stderr).toContain(`hint: connect once with \`ssh -p ${PORT} root@127.0.0.1\``);
  });

  it('says which key failed to log in', () => {
    const r = runCli(['status', ...args], { ...env, HOME: homeWith({ knownHosts }) });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`SSH login to root@127.0.0.1:${PORT} for the Docker engine failed with no key`);
  });
});
