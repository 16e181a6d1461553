import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkHostKey, knownHostsName } from '../../../src/docker/known-hosts.js';
import { connectionOptions, resolveEngine } from '../../../src/docker/engine.js';

const key = randomBytes(51);
const other = randomBytes(51);
const b64 = (b: Buffer) => b.toString('base64');

describe('known_hosts for ssh:// engines', () => {
  it('names hosts as OpenSSH files them', () => {
    expect(knownHostsName('build.example', 22)).toBe('build.example');
    expect(knownHostsName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222');
  });
  it('matches plain, listed and hashed names, and non-default ports', () => {
    expect(checkHostKey(`build.example,10.0.0.5 ssh-ed25519 ${b64(key)}\n`, '10.0.0.5', 22, key)).toBe('match');
    expect(checkHostKey(`[127.0.0.1]:2222 ssh-ed25519 ${b64(key)}`, '127.0.0.1', 2222, key)).toBe('match');
    expect(checkHostKey(`127.0.0.1 ssh-ed25519 ${b64(key)}`, '127.0.0.1', 2222, key)).toBe('unknown');
    const salt = randomBytes(20);
    const hashed = `|1|${b64(salt)}|${createHmac('sha1', salt).update('build.example').digest('base64')}`;
    expect(checkHostKey(`${hashed} ssh-ed25519 ${b64(key)}`, 'build.example', 22, key)).toBe('match');
    expect(checkHostKey(`*.example ssh-ed25519 ${b64(key)}`, 'build.example', 22, key)).toBe('match');
  });
  it('refuses an unknown host, a changed key and a revoked key', () => {
    expect(checkHostKey(undefined, 'h', 22, key)).toBe('unknown');
    expect(checkHostKey(`h ssh-ed25519 ${b64(other)}`, 'h', 22, key)).toBe('mismatch');
    expect(checkHostKey(`@revoked h ssh-ed25519 ${b64(key)}\nh ssh-ed25519 ${b64(key)}`, 'h', 22, key)).toBe('revoked');
    expect(checkHostKey(`@cert-authority h ssh-ed25519 ${b64(key)}`, 'h', 22, key)).toBe('unknown');
  });
  it('finds the key, agent and known_hosts where OpenSSH keeps them, and the login name', () => {
    const files: Record<string, string> = { '/home/ana/.ssh/id_ecdsa': 'PRIVATE', '/home/ana/.ssh/known_hosts': 'KH' };
    const endpoint = resolveEngine({ env: { DOCKER_HOST: 'ssh://builder:2200', USER: 'ana' }, platform: 'linux', homedir: '/home/ana', readFile: (p) => files[p] });
    expect(endpoint.ssh).toMatchObject({ privateKey: 'PRIVATE', privateKeyPath: '/home/ana/.ssh/id_ecdsa', knownHosts: 'KH', defaultUser: 'ana' });
    expect(connectionOptions(endpoint)).toMatchObject({ kind: 'ssh', host: 'builder', port: 2200, username: 'ana' });
  });
});
