// What the project's container carries besides the workspace: its
// environment (the host's proxy settings, a dev container's containerEnv),
// and the host's extra CA certificates for SAM and Node. Pure, so the
// choices are unit-tested; the container manager applies them.
import { createHash } from 'node:crypto';

/** The proxy variables that reach SAM, npm and pip in the container, in both spellings. */
export const PROXY_VARS = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy'] as const;

/** Where the extra certificates and the full bundle live in the container (the volume, so any image works). */
export const CA_DIR = '/dsync/ca';
export const CA_EXTRA_FILE = `${CA_DIR}/extra.pem`;
export const CA_BUNDLE_FILE = `${CA_DIR}/bundle.pem`;

/** System bundles of the images SAM runs in: Debian/Ubuntu/Alpine, Amazon Linux/RHEL, others. */
export const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];

export interface ContainerSetup {
  /** Environment variables of the container (every exec inherits them). */
  env: Record<string, string>;
  /** Labels beyond dsync's own (a dev container's metadata). */
  labels: Record<string, string>;
  /** The host's extra CA certificates (PEM), or undefined. */
  extraCa?: string;
}

/**
 * The proxy settings of the host, both spellings, as the container needs
 * them. A variable set in one spelling only is given in both, since curl and
 * pip read the lower case, npm and botocore either.
 */
export function proxyEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const upper of ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY']) {
    const lower = upper.toLowerCase();
    const upperValue = env[upper]?.trim() || undefined;
    const lowerValue = env[lower]?.trim() || undefined;
    if (upperValue === undefined && lowerValue === undefined) continue;
    out[upper] = upperValue ?? lowerValue!;
    out[lower] = lowerValue ?? upperValue!;
  }
  return out;
}

/**
 * The container's environment: the dev container's containerEnv, the host's
 * proxies over it (they describe this machine's network), and, with extra
 * CAs, the variables that make botocore (SAM) and Node trust them.
 */
export function containerEnvironment(input: { containerEnv?: Record<string, string>; hostEnv: Record<string, string | undefined>; extraCa?: string }): Record<string, string> {
  const env: Record<string, string> = { ...(input.containerEnv ?? {}), ...proxyEnv(input.hostEnv) };
  if (input.extraCa) {
    // botocore's AWS_CA_BUNDLE replaces its trust store: the bundle is the system's plus the extras.
    env.AWS_CA_BUNDLE = CA_BUNDLE_FILE;
    env.NODE_EXTRA_CA_CERTS = CA_EXTRA_FILE;
    // pip (SAM's Python builders), requests, curl and OpenSSL-based tools have their own trust stores.
    for (const name of ['PIP_CERT', 'REQUESTS_CA_BUNDLE', 'SSL_CERT_FILE', 'CURL_CA_BUNDLE']) env[name] = CA_BUNDLE_FILE;
  }
  return env;
}

/** Env as the Engine API wants it, in a stable order. */
export function envList(env: Record<string, string>): string[] {
  return Object.keys(env)
    .sort()
    .map((k) => `${k}=${env[k]}`);
}

/** A short fingerprint of the setup, kept in a label so a changed setup recreates the container. */
export function setupKey(setup: ContainerSetup): string {
  const hash = createHash('sha256');
  for (const line of envList(setup.env)) hash.update(line).update('\0');
  for (const k of Object.keys(setup.labels).sort()) hash.update(`${k}=${setup.labels[k]}\0`);
  hash.update(setup.extraCa ?? '');
  return hash.digest('hex').slice(0, 12);
}

/** A shell script that writes the full bundle (the first system bundle found, then the extras). */
export function caBundleScript(): string {
  const candidates = SYSTEM_BUNDLES.map((f) => `'${f}'`).join(' ');
  return [
    `for f in ${candidates}; do if [ -s "$f" ]; then cat "$f" > '${CA_BUNDLE_FILE}.tmp'; break; fi; done`,
    `[ -f '${CA_BUNDLE_FILE}.tmp' ] || : > '${CA_BUNDLE_FILE}.tmp'`,
    `cat '${CA_EXTRA_FILE}' >> '${CA_BUNDLE_FILE}.tmp' && mv '${CA_BUNDLE_FILE}.tmp' '${CA_BUNDLE_FILE}'`,
  ].join('\n');
}
