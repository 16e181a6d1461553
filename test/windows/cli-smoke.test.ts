// The Windows tier's end-to-end smoke: the built dsync CLI running as win32
// (Windows' node.exe under Wine, scripts/windows-tier/wnode) against the real
// engine, reached over a loopback TCP relay (test/setup/engine.ts) or a named
// pipe. The tests themselves run in Linux Node.js: they make the edits, and
// check what the container really holds with the Linux engine client.
// Run by `npm run test:windows` (scripts/windows-tier/run.sh), which sets
// DSYNC_WIN_REPO to a copy of this repository with win32 node_modules.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli, startUp, type Env } from '../helpers/cli.js';
import { DEBIAN_IMAGE, containerTree, engineClient } from '../helpers/real-docker.js';
import { WNODE, expectedWindowsTree, viaWine, winPath } from '../helpers/wine.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const WIN_REPO = process.env.DSYNC_WIN_REPO ?? '';
const WINTIER = process.env.DSYNC_WINTIER ?? '';
const TCP_HOST = inject('tcpHost');

const runWin = (args: string[], env: Env = {}) => runCli(args, { NO_COLOR: '1', ...env }, undefined, viaWine());
/** `up --sync-only --json`; stop('SIGINT') is Ctrl-C: wnode passes it on to node.exe, which Wine delivers as the console's Ctrl-C. */
const upWin = (args: string[], env: Env = {}) => startUp(['--sync-only', ...args], { NO_COLOR: '1', ...env }, viaWine());

const GIT_INDEX = { exec: ['scripts/build'], links: ['current'] };

async function expectContainerHolds(containerId: string, root: string, timeoutMs = 30_000) {
  const client = engineClient();
  const deadline = Date.now() + timeoutMs;
  let remote: string[] = [];
  const want = expectedWindowsTree(root, GIT_INDEX);
  for (;;) {
    remote = (await containerTree(client, containerId)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    if (JSON.stringify(remote) === JSON.stringify(want)) return;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(remote).toEqual(want);
}

/** hold-lock.exe: opens the file with no sharing (as Windows editors and scanners can); resolves once it holds the lock. */
async function lockFile(file: string): Promise<{ release(): Promise<void> }> {
  const marks = fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-lock-'));
  const ready = path.join(marks, 'ready');
  const releaseMark = path.join(marks, 'release');
  const child: ChildProcess = spawn('/usr/lib/wine/wine64', [path.join(WINTIER, 'bin/hold-lock.exe'), winPath(file), winPath(ready), winPath(releaseMark)], {
    stdio: 'ignore',
    env: { ...process.env, WINEPREFIX: path.join(WINTIER, 'prefix'), WINEDEBUG: '-all' },
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const deadline = Date.now() + 30_000;
  while (!fs.existsSync(ready)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`hold-lock.exe did not take the lock (exit ${child.exitCode})`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    async release() {
      fs.writeFileSync(releaseMark, '');
      expect(await exited).toBe(0);
      fs.rmSync(marks, { recursive: true, force: true });
    },
  };
}

/**
 * A named pipe served by node.exe (test/windows/npipe-relay.cjs), relaying to
 * the engine's loopback TCP door: the path win32 code takes to Docker
 * Desktop, with Windows' pipe semantics (no half-close) as Wine gives them.
 */
async function startPipeRelay(pipe: string): Promise<{ stop(): void }> {
  const ready = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-pipe-')), 'ready');
  const relay = spawn(WNODE, [winPath(path.join(here, 'npipe-relay.cjs')), pipe, new URL(TCP_HOST.replace('tcp:', 'http:')).port, winPath(ready)], {
    stdio: 'ignore',
  });
  const deadline = Date.now() + 30_000;
  while (!fs.existsSync(ready)) {
    if (Date.now() > deadline || relay.exitCode !== null) {
      relay.kill('SIGTERM');
      throw new Error('the named-pipe relay did not start');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { stop: () => relay.kill('SIGTERM') };
}

const removeAfter: string[][] = [];
afterAll(() => {
  for (const args of removeAfter) runWin(['down', '--purge', ...args], { DOCKER_HOST: TCP_HOST });
});

beforeAll(() => {
  if (!WIN_REPO || !WINTIER) throw new Error('run this through `npm run test:windows` (scripts/windows-tier/run.sh): DSYNC_WIN_REPO and DSYNC_WINTIER are not set');
  const probe = spawnSync(WNODE, ['-p', 'process.platform'], { encoding: 'utf8' });
  expect(probe.stdout.trim()).toBe('win32');
});

describe('dsync as win32 (node.exe under Wine)', () => {
  it('syncs a project given as a Windows path: nested folders, a case-only rename, a CRLF script, modes and a symlink from the git index, a locked file; then status, exec, Ctrl-C and down', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dsync win ü-'));
    const write = (rel: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    };
    write('template.yaml', 'Resources: {}\n');
    write('src/app.js', 'v1\n');
    write('Readme.md', 'read me\n');
    write('data/locked.json', '{"v":1}\n');
    // A script saved by a Windows editor: shebang and CRLF.
    write('bin/tool', '#!/usr/bin/env node\r\nconsole.log("tool")\r\n');
    // A clone made with core.symlinks=false, as Git for Windows does by default: an
    // executable without a shebang (100755) and a symlink checked out as a text file.
    // dsync learns both from the git index (git.exe runs Linux git for node.exe).
    write('scripts/build', 'echo built\n');
    write('current', 'src/app.js');
    const git = (...a: string[]) => execFileSync('git', ['-C', root, ...a], { encoding: 'utf8' }).trim();
    git('init', '-q');
    git('config', 'core.symlinks', 'false');
    git('add', 'scripts/build', 'template.yaml');
    git('update-index', '--chmod=+x', 'scripts/build');
    git('update-index', '--add', '--cacheinfo', `120000,${git('hash-object', '-w', 'current')},current`);
    const args = ['--cwd', winPath(root), '--image', DEBIAN_IMAGE];
    const env = { DOCKER_HOST: TCP_HOST };
    removeAfter.push(args);

    const up = upWin(args, env);
    let stopped = false;
    try {
      const initial = await up.waitFor('initial-sync', 120_000);
      const containerId = String(initial.containerId);
      await up.waitFor('watching', 90_000);
      expect(up.events.find((e) => e.type === 'watching')).toMatchObject({ message: expect.stringMatching(/^watching Z:\\tmp\\dsync win ü-/) });
      // The CRLF shebang is said once, with what Linux will do with it.
      const crlf = up.events.find((e) => JSON.stringify(e).includes('CRLF'));
      expect(JSON.stringify(crlf)).toContain('bin/tool');
      await expectContainerHolds(containerId, root);

      // Nested folders made after the start, an edit, a case-only rename.
      write('src/handlers/orders/create.js', 'export const create = 1;\n');
      write('src/app.js', 'v2\n');
      fs.renameSync(path.join(root, 'Readme.md'), path.join(root, 'README.md'));
      await expectContainerHolds(containerId, root);

      // A file locked for a moment (a virus scanner's read): sent once the lock is gone, without a word.
      let lock = await lockFile(path.join(root, 'data/locked.json'));
      write('data/locked.json', '{"v":2}\n');
      await new Promise((r) => setTimeout(r, 400));
      await lock.release();
      await expectContainerHolds(containerId, root);

      // A file locked for longer: said once, with the reason (EBUSY); the loop goes on, and the next save sends it.
      const before = up.events.length;
      lock = await lockFile(path.join(root, 'data/locked.json'));
      write('data/locked.json', '{"v":3}\n');
      const unreadable = await up.waitFor('file-unreadable', 30_000, (e) => up.events.indexOf(e) >= before);
      expect(unreadable).toMatchObject({ path: 'data/locked.json', code: 'EBUSY' });
      write('src/app.js', 'v3 while data/locked.json is locked\n');
      await lock.release();
      write('data/locked.json', '{"v":4}\n');
      await expectContainerHolds(containerId, root);

      const status = runWin(['status', '--json', ...args], env);
      expect(status.code, status.stderr).toBe(0);
      expect(JSON.parse(status.stdout)).toMatchObject({
        inSync: true,
        workspace: '/dsync/workspace',
        engine: expect.stringContaining(`${TCP_HOST} (from DOCKER_HOST)`),
      });

      const exec = runWin(['exec', ...args, '--', 'sh', '-c', 'stat -c %a bin/tool; ls src/handlers/orders; ./scripts/build; cat current; exit 7'], env);
      expect(exec.code).toBe(7);
      expect(exec.stdout).toBe('755\ncreate.js\nbuilt\nv3 while data/locked.json is locked\n');

      expect(await up.stop('SIGINT')).toBe(0);
      stopped = true;
      expect(up.events.at(-1)).toMatchObject({ type: 'stopped' });
      // Nothing was lost on the host, and the container is kept.
      expect(fs.readFileSync(path.join(root, 'data/locked.json'), 'utf8')).toBe('{"v":4}\n');
      expect((await engineClient().inspectContainer(containerId))?.state).toBe('running');

      // On a machine without git, the same project starts, and says once what it cannot know.
      const noGit = upWin(args, { ...env, DSYNC_WINE_HIDE_GIT: '1' });
      const warning = await noGit.waitFor('warning', 90_000, (e) => String(e.message).startsWith('git is not on PATH'));
      expect(warning.message).toContain('executable bits come from #! lines only');
      await noGit.waitFor('watching', 90_000);
      expect(await noGit.stop('SIGINT')).toBe(0);

      const down = runWin(['down', '--purge', ...args], env);
      expect(down.code, down.stderr).toBe(0);
      expect(await engineClient().inspectContainer(containerId)).toBeUndefined();
    } finally {
      if (!stopped) await up.stop('SIGINT');
    }
  });

  it('runs the quick start as win32: up --emulator on a Windows path with CRLF template and samconfig; the API answers, an edit goes live, invoke, logs, status, doctor, Ctrl-C and down', async () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'dsync win emu ü-'));
    const root = path.join(parent, 'hello world');
    fs.cpSync(path.join(here, '../fixtures/apps/hello-world-rest'), root, { recursive: true });
    // Saved by a Windows editor with CRLF line ends (Git for Windows' core.autocrlf=true checks them out so).
    for (const rel of ['template.yaml', 'samconfig.toml']) {
      const file = path.join(root, rel);
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/\r?\n/g, '\r\n'));
    }
    const args = ['--cwd', winPath(root)];
    // Through a named pipe, as Docker Desktop serves the engine to Windows.
    const pipe = `dsyncTierEmulator-${process.pid}`;
    const relay = await startPipeRelay(pipe);
    const env = { DOCKER_HOST: `npipe:////./pipe/${pipe}`, DSYNC_SAM_BASE_IMAGE: DEBIAN_IMAGE, HTTP_PROXY: '', HTTPS_PROXY: '', NO_PROXY: '' };
    removeAfter.push(args);
    const up = startUp(['--emulator', ...args], { NO_COLOR: '1', ...env }, viaWine());
    let stopped = false;
    try {
      await up.waitFor('live', 900_000);
      const status = runWin(['status', '--json', ...args], env);
      expect(status.code, status.stderr).toBe(0);
      const state = JSON.parse(status.stdout) as { apis?: Array<{ id: string; url: string }>; container: { id: string } | null; project: string };
      expect(state.project).toBe(winPath(root));
      const url = `${state.apis?.find((a) => a.id === 'ServerlessRestApi')?.url ?? ''}/hello`;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/Prod\/hello$/);
      const get = () => fetch(url).then((r) => r.text());
      expect(JSON.parse(await get())).toMatchObject({ message: 'hello world' });

      // SAM ran on the container's Linux paths; what it printed names the user's own.
      const samLines = up.events.filter((e) => e.type === 'sam-output').map((e) => String(e.line));
      expect(
        samLines.some((l) => l.includes(`${winPath(root)}\\hello-world`)),
        samLines.join('\n'),
      ).toBe(true);
      expect(samLines.filter((l) => l.includes('/dsync/workspace'))).toEqual([]);

      const from = up.events.length;
      const app = path.join(root, 'hello-world/app.mjs');
      fs.writeFileSync(app, fs.readFileSync(app, 'utf8').replace("message: 'hello world'", "message: 'hello from windows'"));
      await up.waitFor('deploy-result', 300_000, (e) => up.events.indexOf(e) >= from && e.ok === true);
      const deadline = Date.now() + 60_000;
      let body = '';
      while (!body.includes('hello from windows') && Date.now() < deadline) {
        body = await get().catch(() => '');
        if (!body.includes('hello from windows')) await new Promise((r) => setTimeout(r, 200));
      }
      expect(body).toContain('hello from windows');

      const invoked = runWin(['invoke', 'HelloWorldFunction', ...args], env);
      expect(invoked.code, invoked.stderr).toBe(0);
      expect(invoked.stdout).toContain('hello from windows');
      const logs = runWin(['logs', '--no-tail', 'HelloWorldFunction', ...args], env);
      expect(logs.code, logs.stderr).toBe(0);
      expect(logs.stdout).toMatch(/REPORT RequestId/);

      const doctor = runWin(['doctor', '--json', '--emulator', ...args], env);
      const report = JSON.parse(doctor.stdout.split('\n')[0]!) as { checks: Array<{ id: string; status: string; message: string }> };
      const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
      expect(byId.engine, doctor.stdout).toMatchObject({ status: 'pass' });
      expect(byId.template, doctor.stdout).toMatchObject({ status: 'pass' });
      expect(
        report.checks.filter((c) => c.status === 'fail'),
        doctor.stdout,
      ).toEqual([]);

      expect(await up.stop('SIGINT')).toBe(0);
      stopped = true;
      expect(up.events.at(-1)).toMatchObject({ type: 'stopped' });
      const containerId = state.container?.id ?? '';
      expect((await engineClient().inspectContainer(containerId))?.state).toBe('running');
      const down = runWin(['down', '--purge', ...args], env);
      expect(down.code, down.stderr).toBe(0);
      expect(await engineClient().inspectContainer(containerId)).toBeUndefined();
    } finally {
      if (!stopped) await up.stop('SIGINT');
      if (!stopped) console.log(`dsync up as win32 (last events): ${JSON.stringify(up.events.slice(-10))}\n${up.stderr.slice(-2000)}`);
      if (!stopped) runWin(['down', '--purge', ...args], env);
      relay.stop();
    }
  });

  describe('the engine, found the way Docker Desktop on Windows sets it up', () => {
    // os.homedir() of node.exe under Wine is C:\users\<user> in the Wine profile.
    const dockerDir = () => path.join(WINTIER, 'prefix/drive_c/users', os.userInfo().username, '.docker');
    afterAll(() => fs.rmSync(dockerDir(), { recursive: true, force: true }));

    it('with nothing set, names the default pipe and says what to do', () => {
      fs.rmSync(dockerDir(), { recursive: true, force: true });
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-win-noengine-'));
      const r = runWin(['status', '--cwd', winPath(root)], { DOCKER_HOST: undefined, DOCKER_CONTEXT: undefined });
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/^dsync: Cannot reach the Docker engine at npipe:\/\/\/\/\.\/pipe\/docker_engine: ENOENT/);
      expect(r.stderr).toContain('hint: start Docker Desktop');
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });

    it("uses the current context from C:\\users\\…\\.docker (Docker Desktop's desktop-linux, a named pipe)", async () => {
      const pipe = `dsyncTierEngine-${process.pid}`;
      const meta = path.join(dockerDir(), 'contexts/meta', createHash('sha256').update('desktop-linux').digest('hex'));
      fs.mkdirSync(meta, { recursive: true });
      fs.writeFileSync(path.join(dockerDir(), 'config.json'), JSON.stringify({ auths: {}, credsStore: 'desktop', currentContext: 'desktop-linux' }, null, 2));
      fs.writeFileSync(
        path.join(meta, 'meta.json'),
        JSON.stringify({
          Name: 'desktop-linux',
          Metadata: { Description: 'Docker Desktop' },
          Endpoints: { docker: { Host: `npipe:////./pipe/${pipe}`, SkipTLSVerify: false } },
        }),
      );
      const relay = await startPipeRelay(pipe);
      try {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-win-context-'));
        const r = runWin(['status', '--json', '--cwd', winPath(root)], { DOCKER_HOST: undefined, DOCKER_CONTEXT: undefined });
        expect(r.code, r.stderr).toBe(0);
        expect(JSON.parse(r.stdout)).toMatchObject({ engine: `npipe:////./pipe/${pipe} (from context "desktop-linux")`, container: null });
      } finally {
        relay.stop();
      }
    });
  });
});
