// The body that creates dsync's container: published ports on loopback, and
// the extra host names emulator mode asks for (the SDKs' "sync-" prefix).
import { describe, expect, it } from 'vitest';
import { createBody, toInfo } from '../../../src/docker/engine-json.js';
import { EMULATOR_HOST_ALIASES } from '../../../src/sam/target.js';
import { createSamLoop } from '../../../src/samloop/sam-loop.js';
import type { DsyncConfig } from '../../../src/config/config.js';
import type { SamRequest } from '../../../src/samloop/sam-loop.js';

const spec = { name: 'c', image: 'i', labels: {}, mounts: [], workingDir: '/w' };
const hostConfig = (body: Record<string, unknown>) => body.HostConfig as Record<string, unknown>;

describe('createBody', () => {
  it('publishes ports on loopback only', () => {
    const body = createBody({ ...spec, ports: { 5000: 0 } });
    expect(hostConfig(body).PortBindings).toEqual({ '5000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] });
  });

  it('adds /etc/hosts entries as the Engine API takes them, and none unless asked', () => {
    expect(hostConfig(createBody({ ...spec, hosts: { 'sync-localhost': '127.0.0.1' } })).ExtraHosts).toEqual(['sync-localhost:127.0.0.1']);
    expect(hostConfig(createBody(spec))).not.toHaveProperty('ExtraHosts');
  });
});

describe('the SAM loop asks for the "sync-" host names in emulator mode only', () => {
  const loop = (mode: string) => createSamLoop({} as DsyncConfig, { mode } as SamRequest);

  it('names the hosts the SDKs prefix for StartSyncExecution: localhost (SAM) and 127.0.0.1 (functions)', () => {
    expect(loop('emulator').container?.hosts).toEqual({ 'sync-localhost': '127.0.0.1', 'sync-127.0.0.1': '127.0.0.1' });
    expect(EMULATOR_HOST_ALIASES).toEqual(loop('emulator').container?.hosts);
    expect(loop('aws').container?.hosts).toBeUndefined();
  });
});

describe('toInfo', () => {
  it("reads Podman's list answer, whose Name is an empty string beside Names", () => {
    const listed = { Id: 'abc', Name: '', Names: ['/dsync-app-1'], Image: 'docker.io/dsync/sam:1', State: 'running', Labels: { 'dev.dsync.tool': 'dsync' } };
    expect(toInfo(listed)).toEqual({ id: 'abc', name: 'dsync-app-1', image: 'docker.io/dsync/sam:1', state: 'running', labels: { 'dev.dsync.tool': 'dsync' } });
  });

  it('reads an inspect answer (Name, Config.Image, State.Status, Config.Labels)', () => {
    const inspected = { Id: 'abc', Name: '/dsync-app-1', Config: { Image: 'dsync/sam:1', Labels: { a: 'b' } }, State: { Status: 'exited' } };
    expect(toInfo(inspected)).toEqual({ id: 'abc', name: 'dsync-app-1', image: 'dsync/sam:1', state: 'exited', labels: { a: 'b' } });
  });
});
