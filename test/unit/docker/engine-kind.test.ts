// Which engine answers, from its /version and /info. The payloads are cut
// down to the fields identification reads: the dockerd 20.10 and Podman
// 4.3.1 ones as this project's CI host answers them, the others as the
// engines' users have published them (`docker version`, `docker info`).
import { describe, expect, it } from 'vitest';
import { identifyEngine, type InfoPayload, type VersionPayload } from '../../../src/docker/engine-kind.js';

const mobyComponents = (version: string) => [{ Name: 'Engine', Version: version }, { Name: 'containerd' }, { Name: 'runc' }, { Name: 'docker-init' }];

const FIXTURES: Record<string, { version: VersionPayload; info?: InfoPayload }> = {
  debianDockerd: {
    version: { Version: '20.10.24+dfsg1', ApiVersion: '1.41', Platform: { Name: '' }, Components: mobyComponents('20.10.24+dfsg1') },
    info: { Name: 'vm', OperatingSystem: 'Debian GNU/Linux 12 (bookworm)', Labels: [], SecurityOptions: ['name=seccomp,profile=default'] },
  },
  rootlessDockerd: {
    version: { Version: '27.3.1', ApiVersion: '1.47', Platform: { Name: 'Docker Engine - Community' }, Components: mobyComponents('27.3.1') },
    info: { Name: 'ci-7', OperatingSystem: 'Ubuntu 24.04.1 LTS', Labels: [], SecurityOptions: ['name=seccomp,profile=builtin', 'name=rootless', 'name=cgroupns'] },
  },
  debianPodman: {
    version: {
      Version: '4.3.1',
      ApiVersion: '1.41',
      Platform: { Name: 'linux/amd64/debian-12' },
      Components: [{ Name: 'Podman Engine', Version: '4.3.1' }, { Name: 'Conmon' }, { Name: 'OCI Runtime (crun)' }],
    },
    info: { Name: 'vm', OperatingSystem: 'debian', Labels: null, SecurityOptions: ['name=seccomp,profile=default'], Rootless: false, BuildahVersion: '1.28.2' },
  },
  podmanMachineWindows: {
    // Podman Desktop's WSL machine (Fedora), rootless as `podman machine init` makes it, reached on its pipe.
    version: { Version: '5.2.2', ApiVersion: '1.41', Platform: { Name: 'linux/amd64/fedora-40' }, Components: [{ Name: 'Podman Engine', Version: '5.2.2' }, { Name: 'Conmon' }] },
    info: { OperatingSystem: 'fedora', Labels: null, Rootless: true, BuildahVersion: '1.37.2' },
  },
  dockerDesktopMac: {
    version: { Version: '27.1.1', ApiVersion: '1.46', Platform: { Name: 'Docker Desktop 4.33.0 (160616)' }, Components: mobyComponents('27.1.1') },
    info: {
      Name: 'docker-desktop',
      OperatingSystem: 'Docker Desktop',
      Labels: ['com.docker.desktop.address=unix:///Users/u/Library/Containers/com.docker.docker/Data/docker-cli.sock'],
    },
  },
  dockerDesktopWindows: {
    version: { Version: '24.0.5', ApiVersion: '1.43', Platform: { Name: 'Docker Desktop 4.22.0 (117440)' }, Components: mobyComponents('24.0.5') },
    info: { Name: 'docker-desktop', OperatingSystem: 'Docker Desktop', Labels: ['com.docker.desktop.address=npipe://\\\\.\\pipe\\docker_cli'] },
  },
  rancherDesktopWindows: {
    version: { Version: '27.3.1', ApiVersion: '1.47', Platform: { Name: '' }, Components: mobyComponents('27.3.1') },
    info: { OperatingSystem: 'Rancher Desktop WSL Distribution', Labels: [] },
  },
  rancherDesktopMac: {
    version: { Version: '27.3.1', ApiVersion: '1.47', Platform: { Name: '' }, Components: mobyComponents('27.3.1') },
    info: { Name: 'lima-rancher-desktop', OperatingSystem: 'Alpine Linux v3.20', Labels: [] },
  },
  colima: {
    version: { Version: '27.4.0', ApiVersion: '1.47', Platform: { Name: 'Docker Engine - Community' }, Components: mobyComponents('27.4.0') },
    info: { Name: 'colima', OperatingSystem: 'Ubuntu 24.04.1 LTS', Labels: [] },
  },
  colimaProfile: {
    version: { Version: '27.4.0', ApiVersion: '1.47', Components: mobyComponents('27.4.0') },
    info: { Name: 'colima-work', OperatingSystem: 'Ubuntu 24.04.1 LTS' },
  },
  unknown: {
    version: { Version: '1.9.0', ApiVersion: '1.40' },
    info: { Name: 'box', OperatingSystem: 'Some OS' },
  },
};

const identify = (name: keyof typeof FIXTURES) => identifyEngine(FIXTURES[name]!.version, FIXTURES[name]!.info);

describe('identifyEngine', () => {
  it.each([
    ['debianDockerd', 'dockerd', 'Docker Engine'],
    ['rootlessDockerd', 'dockerd', 'Docker Engine'],
    ['debianPodman', 'podman', 'Podman'],
    ['podmanMachineWindows', 'podman', 'Podman'],
    ['dockerDesktopMac', 'docker-desktop', 'Docker Desktop 4.33.0'],
    ['dockerDesktopWindows', 'docker-desktop', 'Docker Desktop 4.22.0'],
    ['rancherDesktopWindows', 'rancher-desktop', 'Rancher Desktop'],
    ['rancherDesktopMac', 'rancher-desktop', 'Rancher Desktop'],
    ['colima', 'colima', 'Colima'],
    ['colimaProfile', 'colima', 'Colima'],
    ['unknown', 'unknown', 'Unidentified engine'],
  ] as const)('names %s as %s (%s)', (fixture, kind, label) => {
    expect(identify(fixture)).toMatchObject({ kind, label });
  });

  it('tells rootless engines from their answers (Podman says Rootless, dockerd lists name=rootless)', () => {
    expect(identify('podmanMachineWindows').rootless).toBe(true);
    expect(identify('rootlessDockerd').rootless).toBe(true);
    expect(identify('debianPodman').rootless).toBe(false);
    expect(identify('debianDockerd').rootless).toBe(false);
  });

  it('still knows Docker Desktop and Podman when /info could not be read', () => {
    expect(identifyEngine(FIXTURES.dockerDesktopMac!.version, undefined)).toMatchObject({ kind: 'docker-desktop', label: 'Docker Desktop 4.33.0' });
    expect(identifyEngine(FIXTURES.debianPodman!.version, undefined).kind).toBe('podman');
    expect(identifyEngine(FIXTURES.debianDockerd!.version, undefined).kind).toBe('dockerd');
  });

  it('knows Docker Desktop from its label alone (a proxy that answers /info with little else)', () => {
    expect(identifyEngine({ Version: '28.4.0', ApiVersion: '1.51', Components: mobyComponents('28.4.0') }, { Labels: ['com.docker.desktop.address=npipe://\\\\.\\pipe\\docker_cli'] })).toMatchObject({
      kind: 'docker-desktop',
      label: 'Docker Desktop',
    });
  });

  it('lists no gaps for the engines that run dockerd itself', () => {
    for (const name of ['debianDockerd', 'dockerDesktopMac', 'dockerDesktopWindows', 'rancherDesktopWindows', 'rancherDesktopMac', 'colima'] as const) {
      expect(identify(name).gaps).toEqual([]);
    }
  });

  it('knows no gap every Podman user would see (its hosts\' refusals get their fix where they happen), and keeps each gap to one line', () => {
    expect(identify('debianPodman').gaps).toEqual([]);
    for (const gap of identify('unknown').gaps) {
      expect(gap.fact).not.toContain('\n');
      expect(gap.hint).not.toContain('\n');
    }
  });

  it('says an unidentified engine is not one dsync knows', () => {
    expect(identify('unknown').gaps).toEqual([expect.objectContaining({ hint: expect.stringContaining('dsync doctor --json') })]);
  });
});
