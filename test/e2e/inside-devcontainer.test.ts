// Issue 11: dsync run from inside a dev container against the host's engine
// (the Docker socket mounted, as the docker-outside-of-docker pattern does).
// The project lives only in the dev container's file system, a path the
// engine's machine does not have: everything must go through the Engine
// API. The CLI is copied into a container of dsync's own image (it has
// Node.js), started there with `up --sync-only`, and what reaches dsync's
// project container is read back from the engine.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliRun, SAM_BASE } from '../helpers/emulator-run.js';
import { DEBIAN_IMAGE } from '../helpers/real-docker.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const socket = (process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '');
const name = `dsync-test-devcontainer-${process.pid}`;
const project = `/home/dev/app-${process.pid}`;

function docker(args: string[], input?: string | Buffer) {
  const r = spawnSync('docker', args, { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** A shell command in the dev container. */
function inDev(script: string) {
  return docker(['exec', name, 'sh', '-c', script]);
}

/** dsync's CLI, run in the dev container on the project there. */
function dsyncInDev(args: string) {
  return inDev(`cd ${project} && node /opt/dsync/bin/dsync.js ${args}`);
}

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; up's output: ${inDev('cat /tmp/up.log /tmp/up.err').stdout.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe.runIf(process.platform === 'linux' && fs.existsSync(socket))('dsync inside a dev container, against the host engine through its socket', () => {
  let projectContainer = '';

  beforeAll(() => {
    const built = cliRun(['image', '--base', SAM_BASE]);
    expect(built.code, built.stderr).toBe(0);
    const run = docker([
      'run',
      '-d',
      '--name',
      name,
      '--label',
      'dsync-test=inside-devcontainer',
      '-v',
      `${socket}:/var/run/docker.sock`,
      built.stdout.trim(),
      'sleep',
      'infinity',
    ]);
    expect(run.code, run.stderr).toBe(0);
    // The built CLI and its packages, as an npm install would lay them out.
    const tar = spawnSync('tar', ['-C', repo, '-cf', '-', 'package.json', 'bin', 'dist', 'docker', 'schema', 'node_modules'], {
      maxBuffer: 1024 * 1024 * 1024,
    });
    expect(tar.status).toBe(0);
    const copied = spawnSync('docker', ['exec', '-i', name, 'sh', '-c', 'mkdir -p /opt/dsync && tar -xf - -C /opt/dsync'], {
      input: tar.stdout,
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(copied.status, String(copied.stderr)).toBe(0);
    expect(inDev(`mkdir -p ${project}/src && printf 'one\\n' > ${project}/a.txt && printf 'module.exports = 1;\\n' > ${project}/src/index.js`).code).toBe(0);
  }, 1_200_000);

  afterAll(() => {
    inDev('pkill -INT -f "[d]sync.js up" ; sleep 2');
    dsyncInDev('down --purge');
    docker(['rm', '-f', name]);
  }, 120_000);

  it('syncs a folder of the dev container into the project container, and keeps syncing edits', async () => {
    expect(fs.existsSync(project)).toBe(false); // the engine's machine has no such folder
    const started = inDev(`cd ${project} && nohup node /opt/dsync/bin/dsync.js up --sync-only --image ${DEBIAN_IMAGE} --json > /tmp/up.log 2> /tmp/up.err &`);
    expect(started.code, started.stderr).toBe(0);
    await until(
      'dsync up to watch',
      () => {
        const log = inDev('cat /tmp/up.log').stdout;
        if (log.includes('"type":"error"')) throw new Error(`dsync up failed in the dev container: ${log}`);
        return log.includes('"type":"watching"');
      },
      300_000,
    );

    const status = JSON.parse(dsyncInDev('status --json').stdout) as { container: { id: string; name: string } | null };
    expect(status.container).not.toBeNull();
    projectContainer = status.container!.id;
    const labels = JSON.parse(docker(['inspect', '--format', '{{json .Config.Labels}}', projectContainer]).stdout) as Record<string, string>;
    expect(labels['dev.dsync.root']).toBe(project);
    expect(labels['devcontainer.local_folder']).toBe(project);
    expect(docker(['exec', projectContainer, 'cat', '/dsync/workspace/a.txt']).stdout).toBe('one\n');
    expect(docker(['exec', projectContainer, 'cat', '/dsync/workspace/src/index.js']).stdout).toBe('module.exports = 1;\n');

    expect(inDev(`printf 'two\\n' > ${project}/a.txt && mkdir -p ${project}/lib && printf 'new\\n' > ${project}/lib/b.js && rm ${project}/src/index.js`).code).toBe(0);
    await until('the edits to reach the project container', () => {
      const r = docker(['exec', projectContainer, 'sh', '-c', 'cat /dsync/workspace/a.txt /dsync/workspace/lib/b.js; ls /dsync/workspace/src']);
      return r.stdout === 'two\nnew\n' && r.code === 0;
    });

    const stopped = inDev('pkill -INT -f "[d]sync.js up"; for i in $(seq 1 40); do pgrep -f "[d]sync.js up" >/dev/null || exit 0; sleep 0.25; done; exit 1');
    expect(stopped.code).toBe(0);
    expect(inDev('cat /tmp/up.log').stdout).toContain('"type":"stopped"');
  }, 600_000);
});
