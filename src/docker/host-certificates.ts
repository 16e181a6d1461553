// The host's extra CA certificates (a TLS-inspecting proxy's), which dsync
// carries into its image and container so SAM, pip, npm and the AWS SDKs
// inside trust what the host trusts. Certificates only: never a key.
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';

/** The host's extra CA certificate files: the system's added ones (/usr/local/share/ca-certificates), then DSYNC_EXTRA_CA_CERTS. */
export function hostCaFiles(env: Record<string, string | undefined>): string[] {
  const files: string[] = [];
  const systemDir = '/usr/local/share/ca-certificates';
  if (process.platform !== 'win32' && fs.existsSync(systemDir)) {
    for (const name of fs.readdirSync(systemDir).sort()) if (name.endsWith('.crt')) files.push(path.join(systemDir, name));
  }
  for (const extra of (env.DSYNC_EXTRA_CA_CERTS ?? '').split(path.delimiter)) if (extra.trim()) files.push(extra.trim());
  return files;
}

/** The host's extra CA certificates (certificates only; a bundle's private key is never read out). */
export function hostCaCertificates(env: Record<string, string | undefined>): Array<{ name: string; pem: string }> {
  const store = osStoreExtras(process.platform, env);
  return [...(store ? [store] : []), ...hostCaFiles(env).flatMap((f) => fileCertificates(f))];
}

type CaSource = (type: 'system' | 'bundled') => string[];

/**
 * On Windows and macOS an organisation's TLS-inspecting proxy CA is installed
 * in the OS trust store, not in a file: without it, pip, npm and curl inside
 * the image fail with "certificate verify failed" (curl's exit 60), the first
 * thing a Windows user behind such a proxy would see. So there, every CA the
 * OS trusts beyond Node.js's own bundle (tls.getCACertificates, Node.js
 * 22.15 and later; older ones read nothing) is trusted inside too; they are
 * CA certificates the host already trusts. DSYNC_OS_CA_STORE=0 turns it off.
 */
export function osStoreExtras(platform: NodeJS.Platform, env: Record<string, string | undefined>, source: CaSource | null = nodeCaSource()): { name: string; pem: string } | undefined {
  if (platform === 'linux' || env.DSYNC_OS_CA_STORE === '0' || !source) return undefined;
  try {
    const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;
    const bundled = new Set(source('bundled').map(fingerprint));
    const extra = new Map<string, string>();
    for (const pem of source('system')) {
      const print = fingerprint(pem);
      if (!bundled.has(print)) extra.set(print, certificateBlocks(pem.endsWith('\n') ? pem : `${pem}\n`)[0] ?? '');
    }
    // Sorted, so the image's hash changes only when the store does.
    const pems = [...extra.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, pem]) => pem).filter(Boolean);
    return pems.length > 0 ? { name: 'os-trust-store.crt', pem: `${pems.join('\n')}\n` } : undefined;
  } catch {
    return undefined;
  }
}

/** null on a Node.js without tls.getCACertificates (before 22.15). */
function nodeCaSource(): CaSource | null {
  const get = (tls as { getCACertificates?: CaSource }).getCACertificates;
  return typeof get === 'function' ? (type) => get(type) : null;
}

function fileCertificates(f: string): Array<{ name: string; pem: string }> {
  let text: string;
  try {
    text = fs.readFileSync(f, 'latin1');
  } catch {
    return [];
  }
  const blocks = certificateBlocks(text);
  return blocks.length > 0 ? [{ name: path.basename(f), pem: `${blocks.join('\n')}\n` }] : [];
}

/**
 * Only the certificate blocks of a PEM file. A file named in
 * DSYNC_EXTRA_CA_CERTS may be a bundle that also holds a private key (a
 * proxy's cert and key in one file); nothing but certificates may go into
 * an image, whose layers anyone with the image can read.
 */
export function certificateBlocks(text: string): string[] {
  return [...text.matchAll(/-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+?-----END CERTIFICATE-----/g)].map((m) => m[0].replace(/\r\n/g, '\n'));
}
