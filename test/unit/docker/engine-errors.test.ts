// Engine refusals as one line and a fix: the messages are the ones Podman 4.3
// gave on this project's CI machines (and Podman's tracker) before the test
// set-up configured it.
import { describe, expect, it } from 'vitest';
import { DsyncError } from '../../../src/base/errors.js';
import { engineError } from '../../../src/docker/engine-errors.js';

const refusal = (message: string, statusCode = 500) => Object.assign(new Error(`(HTTP code ${statusCode}) ${message}`), { statusCode, json: { message } });

function asDsync(error: unknown): DsyncError {
  const e = engineError(error, 'starting the container', 'unix:///run/podman/podman.sock');
  expect(e).toBeInstanceOf(DsyncError);
  return e as DsyncError;
}

describe('engine refusals', () => {
  it('names the setting behind refusals other engines give, with the engine\'s own words kept', () => {
    const rlimit = asDsync(refusal('crun: setrlimit `RLIMIT_NOFILE`: Operation not permitted: OCI permission denied'));
    expect(rlimit.message).toBe('Docker engine refused starting the container: crun: setrlimit `RLIMIT_NOFILE`: Operation not permitted: OCI permission denied (HTTP 500)');
    expect(rlimit.hint).toContain('default_ulimits');
    expect(asDsync(refusal('runc: runc create failed: error setting rlimit type 6: operation not permitted')).hint).toContain('default_ulimits');
    expect(asDsync(refusal('OCI runtime error: crun: cgroups in hybrid mode not supported, drop all controllers from cgroupv2')).hint).toContain('runtime = "runc"');
    expect(asDsync(refusal('container-init binary not found on the host')).hint).toContain('install catatonit');
  });

  it('adds no hint to refusals it knows nothing about', () => {
    expect(asDsync(refusal('port is already allocated', 409)).hint).toBeUndefined();
  });
});
