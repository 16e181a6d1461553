// The engine check names the engine it found and warns with its known gaps;
// `doctor --json` carries which engine it is. The payloads are cut down from
// what Podman 4.3.1 and Docker Desktop answer; the last test serves them over
// loopback TCP to the real command (a stand-in engine: unit tests only).
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import type { EngineVersion } from '../../../src/docker/container-client.js';
import { identifyEngine, type InfoPayload, type VersionPayload } from '../../../src/docker/engine-kind.js';
import { runDoctor, type CheckResult } from '../../../src/doctor/run.js';
import { fakeEngine, fakeInput, fakeProbes, TEMPLATE } from '../../helpers/doctor-fakes.js';

const PODMAN_VERSION: VersionPayload & Record<string, unknown> = {
  Platform: { Name: 'linux/amd64/debian-12' },
  Components: [{ Name: 'Podman Engine', Version: '4.3.1' }, { Name: 'Conmon' }, { Name: 'OCI Runtime (crun)' }],
  Version: '4.3.1',
  ApiVersion: '1.41',
  MinAPIVersion: '1.24',
  Os: 'linux',
  Arch: 'amd64',
};
const PODMAN_INFO: InfoPayload & Record<string, unknown> = { Name: 'vm', OperatingSystem: 'debian', Rootless: false, BuildahVersion: '1.28.2', Labels: null };

const DESKTOP_VERSION: VersionPayload = {
  Platform: { Name: 'Docker Desktop 4.33.0 (160616)' },
  Components: [{ Name: 'Engine' }, { Name: 'containerd' }, { Name: 'runc' }, { Name: 'docker-init' }],
};
const DESKTOP_INFO: InfoPayload = { Name: 'docker-desktop', OperatingSystem: 'Docker Desktop', Labels: ['com.docker.desktop.address=npipe://\\\\.\\pipe\\docker_cli'] };

function versionOf(v: Omit<EngineVersion, 'identity'>, payload: VersionPayload, info: InfoPayload): EngineVersion {
  return { ...v, identity: identifyEngine(payload, info) };
}

async function engineCheckWith(version: EngineVersion, endpoint: string): Promise<CheckResult> {
  const engine = fakeEngine({}, { endpoint, engineVersion: async () => version });
  return (await runDoctor(fakeInput(), fakeProbes({ engine }))).find((r) => r.id === 'engine')!;
}

describe('engine check', () => {
  it('names Podman with its version, the Docker API it speaks and where it was found', async () => {
    const version = versionOf({ version: '4.3.1', apiVersion: '1.41', os: 'linux', arch: 'amd64' }, PODMAN_VERSION, PODMAN_INFO);
    const r = await engineCheckWith(version, 'unix:///run/podman/podman.sock (from DOCKER_HOST)');
    expect(r.status).toBe('pass');
    expect(r.message).toBe('Podman 4.3.1 (Docker API 1.41, linux/amd64) at unix:///run/podman/podman.sock (from DOCKER_HOST)');
    expect(r.engine).toMatchObject({
      kind: 'podman',
      label: 'Podman',
      version: '4.3.1',
      apiVersion: '1.41',
      rootless: false,
      endpoint: 'unix:///run/podman/podman.sock (from DOCKER_HOST)',
    });
    expect(r.engine!.gaps).toEqual([]);
  });

  it('warns about an engine it does not recognise, with what to do', async () => {
    const version = versionOf({ version: '1.0', apiVersion: '1.41', os: 'linux', arch: 'amd64' }, { Components: [{ Name: 'SomeEngine' }] }, { Name: 'x' });
    const r = await engineCheckWith(version, 'tcp://10.0.0.5:2375 (from DOCKER_HOST)');
    expect(r.status).toBe('warn');
    expect(r.message).toContain('does not recognise this engine');
    expect(r.fix).toContain('dsync doctor --json');
  });

  it('says when Podman runs rootless', async () => {
    const version = versionOf({ version: '5.2.2', apiVersion: '1.41', os: 'linux', arch: 'amd64' }, PODMAN_VERSION, { ...PODMAN_INFO, Rootless: true });
    const r = await engineCheckWith(version, 'npipe:////./pipe/podman-machine-default (from DOCKER_HOST)');
    expect(r.message).toMatch(/^Podman 5\.2\.2 \(Docker API 1\.41, linux\/amd64, rootless\) at npipe:\/\/\/\/\.\/pipe\/podman-machine-default/);
  });

  it('passes Docker Desktop, naming its release and its engine', async () => {
    const version = versionOf({ version: '27.1.1', apiVersion: '1.46', os: 'linux', arch: 'amd64' }, DESKTOP_VERSION, DESKTOP_INFO);
    const r = await engineCheckWith(version, 'npipe:////./pipe/docker_engine');
    expect(r).toMatchObject({
      status: 'pass',
      message: 'Docker Desktop 4.33.0 with Docker Engine 27.1.1 (API 1.46, linux/amd64) at npipe:////./pipe/docker_engine (default)',
      engine: { kind: 'docker-desktop', label: 'Docker Desktop 4.33.0', gaps: [] },
    });
  });

  it('keeps the plain dockerd line as it was (the e2e doctor test reads it)', async () => {
    const r = (await runDoctor(fakeInput(), fakeProbes())).find((c) => c.id === 'engine')!;
    expect(r.message).toMatch(/^Docker Engine \S+ \(API [\d.]+, linux\/\w+\) at /);
    expect(r.engine).toMatchObject({ kind: 'dockerd', label: 'Docker Engine' });
  });
});

describe('dsync doctor --json against a stand-in Podman', () => {
  let server: http.Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  /** Answers the read-only calls doctor makes, the way Podman's compat API does; on loopback TCP, which win32 has too. */
  async function standInPodman(): Promise<string> {
    server = http.createServer((req, res) => {
      const route = (req.url ?? '').replace(/^\/v[\d.]+/, '').split('?')[0];
      const json = (status: number, body: unknown) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
      if (route === '/_ping') return res.writeHead(200, { 'Content-Type': 'text/plain' }).end('OK');
      if (route === '/version') return json(200, PODMAN_VERSION);
      if (route === '/info') return json(200, PODMAN_INFO);
      if (route === '/containers/json') return json(200, []);
      return json(404, { cause: 'no such image', message: 'failed to find image: no such image', response: 404 });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `tcp://127.0.0.1:${(server.address() as { port: number }).port}`;
  }

  it('carries the engine it found on the engine check, in the same one-object report', async () => {
    const host = await standInPodman();
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-engine-kind-app-'));
    fs.writeFileSync(path.join(project, 'template.yaml'), TEMPLATE);
    const out = new PassThrough();
    let stdout = '';
    out.on('data', (c) => (stdout += c));
    const io = { stdout: out as unknown as NodeJS.WriteStream, stderr: new PassThrough() as unknown as NodeJS.WriteStream, env: { DOCKER_HOST: host } };
    await main(['doctor', '--json', '--emulator', '--cwd', project], io);
    const report = JSON.parse(stdout.trim()) as { type: string; checks: CheckResult[] };
    expect(report.type).toBe('doctor');
    const engine = report.checks.find((c) => c.id === 'engine')!;
    expect(engine).toMatchObject({
      status: 'pass',
      message: `Podman 4.3.1 (Docker API 1.41, linux/amd64) at ${host} (from DOCKER_HOST)`,
      engine: { kind: 'podman', label: 'Podman', version: '4.3.1', apiVersion: '1.41', os: 'linux', arch: 'amd64', rootless: false },
    });
    expect(Object.keys(engine).sort()).toEqual(['engine', 'id', 'message', 'status']);
    // Only the engine check carries it.
    expect(report.checks.filter((c) => 'engine' in c).map((c) => c.id)).toEqual(['engine']);
  });
});
