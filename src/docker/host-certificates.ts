// The host's extra CA certificates (a TLS-inspecting proxy's), which dsync
// carries into its image and container so SAM, pip, npm and the AWS SDKs
// inside trust what the host trusts. Certificates only: never a key.
import fs from 'node:fs';
import path from 'node:path';

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
  return hostCaFiles(env).flatMap((f) => {
    let text: string;
    try {
      text = fs.readFileSync(f, 'latin1');
    } catch {
      return [];
    }
    const blocks = certificateBlocks(text);
    return blocks.length > 0 ? [{ name: path.basename(f), pem: `${blocks.join('\n')}\n` }] : [];
  });
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
