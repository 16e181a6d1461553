// Podman as the engine (issue 26): Debian's podman serving the Docker Engine
// API on a Unix socket (`podman system service`, started by the test set-up:
// scripts/ensure-podman.sh), which is what Podman Desktop gives a laptop.
// dsync talks to it exactly as to dockerd: DOCKER_HOST, nothing else. The
// checks read what Podman really holds, through the CLI's own exec and the
// emulator's API; the SAM image is built through Podman's build API.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startUp } from '../helpers/cli.js';
import { cliRun, deployOk, EmulatorRun } from '../helpers/emulator-run.js';
import { DEBIAN_IMAGE, tempProject } from '../helpers/real-docker.js';
import { until } from '../helpers/until.js';

const SOCKET = (process.env.DSYNC_PODMAN_SOCKET ?? '/run/podman/podman.sock').replace(/^unix:\/\//, '');
const HOST = `unix://${SOCKET}`;
const env = { DOCKER_HOST: HOST };
const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/apps');

const podmanAnswers = () => spawnSync('curl', ['-sf', '--max-time', '3', '--unix-socket', SOCKET, 'http://podman/_ping'], { stdio: 'ignore' }).status === 0;

/** What Podman itself says about a container (its own CLI, not dsync's view). */
function podmanContainers(label: string): string[] {
  const r = spawnSync('podman', ['ps', '-a', '--filter', `label=${label}`, '--format', '{{.ID}} {{.State}}'], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean);
}

describe('Podman (the Docker API from `podman system service`)', () => {
  if (!podmanAnswers()) {
    // The test set-up starts it (scripts/ensure-podman.sh); its absence is a failure, not a skip.
    it('has the Podman service', () => {
      throw new Error(`no Podman service answers at ${HOST}: run scripts/ensure-podman.sh`);
    });
    return;
  }

  describe('up --sync-only', () => {
    const dir = tempProject('podman sync');
    const args = ['--cwd', dir, '--image', DEBIAN_IMAGE];
    afterAll(() => runCli(['down', '--purge', ...args], env));

    it('syncs, an edit goes live, a second up keeps the same container, status names the socket, down removes it', async () => {
      fs.writeFileSync(path.join(dir, 'app.js'), 'v1');
      fs.mkdirSync(path.join(dir, 'src/deep/er'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'src/deep/er/x.txt'), 'deep');
      fs.writeFileSync(path.join(dir, 'run.sh'), '#!/bin/sh\necho ran\n', { mode: 0o755 });
      const up = startUp(['--sync-only', ...args], env);
      let containerId = '';
      try {
        containerId = String((await up.waitFor('initial-sync', 180_000)).containerId);
        await up.waitFor('watching', 60_000);
        fs.writeFileSync(path.join(dir, 'app.js'), 'through podman');
        fs.writeFileSync(path.join(dir, 'src/deep/er/new.txt'), 'new');
        const seen = await until(
          'the edit in the container',
          async () => {
            const r = runCli(['exec', ...args, '--', 'sh', '-c', 'cat app.js; echo; cat src/deep/er/new.txt; echo; ./run.sh; stat -c %a run.sh'], env);
            return r.stdout.startsWith('through podman\n') ? r.stdout : undefined;
          },
          30_000,
        );
        expect(seen).toBe('through podman\nnew\nran\n755\n');
        const status = JSON.parse(runCli(['status', '--json', ...args], env).stdout) as Record<string, unknown>;
        expect(status).toMatchObject({ inSync: true, engine: `${HOST} (from DOCKER_HOST)`, workspace: '/dsync/workspace' });
      } finally {
        expect(await up.stop()).toBe(0);
      }
      // Podman names local images localhost/…: the next run must not take that for a changed image.
      const again = startUp(['--sync-only', ...args], env);
      try {
        const second = await again.waitFor('initial-sync', 120_000);
        expect(second.containerId).toBe(containerId);
        expect(again.events.filter((e) => e.type === 'container-recreate')).toEqual([]);
      } finally {
        expect(await again.stop()).toBe(0);
      }
      expect(podmanContainers('dev.dsync.project').some((l) => containerId.startsWith(l.split(' ')[0]!))).toBe(true);
      const down = runCli(['down', '--purge', ...args], env);
      expect(down.code, down.stderr).toBe(0);
      expect(down.stdout + down.stderr).toMatch(/removed container dsync-\S+ and volumes/);
      expect(podmanContainers('dev.dsync.project').some((l) => containerId.startsWith(l.split(' ')[0]!))).toBe(false);
    }, 400_000);
  });

  describe('up --emulator (the SAM image built through Podman)', () => {
    const root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-podman-')), 'hello-world-rest');
    fs.cpSync(path.join(fixtures, 'hello-world-rest'), root, { recursive: true });
    const run = new EmulatorRun(root, 'hello-world-rest', env);
    afterAll(() => run.cleanUp(), 120_000);

    it('deploys, the API answers, an edit goes live, invoke and logs work', async () => {
      await run.start();
      const status = JSON.parse(cliRun(['status', '--json', '--cwd', root], env).stdout) as { apis?: Array<{ id: string; url: string }>; engine: string };
      expect(status.engine).toBe(`${HOST} (from DOCKER_HOST)`);
      const url = `${status.apis?.find((a) => a.id === 'ServerlessRestApi')?.url ?? ''}/hello`;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/Prod\/hello$/);
      const first = await until('the API', () => fetch(url).then((r) => (r.ok ? r.text() : undefined)), 60_000);
      expect(JSON.parse(first)).toMatchObject({ message: 'hello world' });

      const from = run.events.length;
      const file = path.join(root, 'hello-world/app.mjs');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace("message: 'hello world'", "message: 'hello from podman'"));
      await run.nextEvent(from, deployOk, 'the deploy of the edit');
      const edited = await until('the edit behind the API', () => fetch(url).then(async (r) => ((await r.text()).includes('hello from podman') ? 'yes' : undefined)), 60_000);
      expect(edited).toBe('yes');

      const invoked = cliRun(['invoke', 'HelloWorldFunction', '--cwd', root], env);
      expect(invoked.code, invoked.stderr).toBe(0);
      expect(invoked.stdout).toContain('hello from podman');
      const logs = cliRun(['logs', '--no-tail', 'HelloWorldFunction', '--cwd', root], env);
      expect(logs.code, logs.stderr).toBe(0);
      expect(logs.stdout).toMatch(/START RequestId|REPORT RequestId/);
      expect(await run.stop()).toBe(0);
    }, 1_500_000);
  });
});
