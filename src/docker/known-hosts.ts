// Host key checking for ssh:// engines, as OpenSSH does it with
// StrictHostKeyChecking: the key the engine's host presents must be one
// ~/.ssh/known_hosts lists for that host (plain or hashed names, [host]:port
// for other ports). dsync never accepts an unknown key silently: the
// Engine API is root on that machine.
import { createHmac } from 'node:crypto';

export type HostKeyVerdict = 'match' | 'mismatch' | 'unknown' | 'revoked';

/** The name OpenSSH files a host under: `host`, or `[host]:port` for a port other than 22. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function nameMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  return pattern.split(',').some((p) => p === name || (p.includes('*') && new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(name)));
}

/** Whether `key` (the raw public key blob the server sent) is known for host:port. */
export function checkHostKey(knownHosts: string | undefined, host: string, port: number, key: Buffer): HostKeyVerdict {
  const name = knownHostsName(host, port);
  let listed = false;
  for (const raw of (knownHosts ?? '').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    const marker = fields[0]?.startsWith('@') ? fields.shift() : undefined;
    const [names, , blob] = fields;
    if (!names || !blob || marker === '@cert-authority' || !nameMatches(names, name)) continue;
    const same = Buffer.from(blob, 'base64').equals(key);
    if (marker === '@revoked') {
      if (same) return 'revoked';
      continue;
    }
    listed = true;
    if (same) return 'match';
  }
  return listed ? 'mismatch' : 'unknown';
}
