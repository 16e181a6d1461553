// Check 5: the proxy and CA settings the container was created with still
// match the host's. dsync passes HTTP_PROXY, HTTPS_PROXY and NO_PROXY (both
// cases) into the container when it creates it, and, when the host adds CA
// certificates and the image is not dsync's own (which has them built in),
// AWS_CA_BUNDLE and NODE_EXTRA_CA_CERTS pointing at them; a container
// created before the host's settings changed keeps the old ones.
import { pass, warn, type CheckDefinition, type CheckResult } from '../check.js';
import type { DoctorContext } from '../context.js';
import { SAM_IMAGE_REPO } from '../../images/sam-image.js';
import { proxyEnv } from '../../docker/container-env.js';

export { PROXY_VARS } from '../../docker/container-env.js';
import { PROXY_VARS } from '../../docker/container-env.js';
export const CA_VARS = ['AWS_CA_BUNDLE', 'NODE_EXTRA_CA_CERTS'] as const;
const FIX = 'run `dsync down && dsync up` to recreate the container with the current settings';

/** `env` output as a map (a value with a line break keeps only its first line: enough to compare). */
export function parseEnvOutput(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(line.slice(0, eq))) out.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return out;
}

/** A proxy URL without its password, for messages. */
export const redact = (value: string) => value.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/@\s]+@/i, (_m, scheme: string | undefined) => `${scheme ?? ''}***@`);

export interface ProxyFacts {
  host: Record<string, string | undefined>;
  container: Map<string, string>;
  /** Extra CA files on the host (empty: none). */
  hostCaFiles: string[];
  /** The container runs dsync's own image, which has the host's CAs built in. */
  ownImage: boolean;
  /** CA paths the container's variables name that do not exist in it. */
  missingCaFiles: string[];
}

export function judgeProxy(facts: ProxyFacts): CheckResult {
  const problems: string[] = [];
  const set: string[] = [];
  // What dsync gives the container: the host's value in both spellings.
  const expected = proxyEnv(facts.host);
  for (const name of PROXY_VARS) {
    const host = expected[name] ?? '';
    const inside = facts.container.get(name) ?? '';
    if (host !== '' || inside !== '') set.push(name);
    if (host !== inside) problems.push(`${name} is ${host ? redact(host) : 'unset'} for the host but ${inside ? redact(inside) : 'unset'} in the container`);
  }
  const caNeeded = facts.hostCaFiles.length > 0 && !facts.ownImage;
  if (caNeeded) {
    const unset = CA_VARS.filter((v) => !facts.container.get(v));
    if (unset.length > 0) problems.push(`the host adds ${facts.hostCaFiles.length} CA certificate file(s) but the container has no ${unset.join(' or ')}`);
    for (const f of facts.missingCaFiles) problems.push(`${f} (named by the container's CA variables) does not exist in it`);
  }
  if (problems.length > 0) return warn('proxy', problems.join('; '), FIX);
  const ca = caNeeded ? `; ${CA_VARS.join(' and ')} point at the host's extra CAs` : '';
  if (set.length === 0) return pass('proxy', `no proxy set on the host or in the container${ca}`);
  return pass('proxy', `${set.join(', ')} match the host's${ca}`);
}

export function proxyCheck(ctx: DoctorContext): CheckDefinition {
  return {
    id: 'proxy',
    timeoutMs: ctx.timeouts?.proxy ?? 5_000,
    async run() {
      const found = await ctx.runningContainer();
      const container = parseEnvOutput((await ctx.execInContainer(['env'])).stdout);
      const named = CA_VARS.map((v) => container.get(v)).filter((p): p is string => Boolean(p));
      let missingCaFiles: string[] = [];
      if (named.length > 0) {
        const probe = await ctx.execInContainer(['sh', '-c', 'for f in "$@"; do [ -f "$f" ] || echo "$f"; done', 'sh', ...named]);
        missingCaFiles = probe.stdout.split('\n').filter(Boolean);
      }
      return judgeProxy({
        host: ctx.env,
        container,
        hostCaFiles: ctx.probes.hostCaFiles(),
        ownImage: found.image.startsWith(`${SAM_IMAGE_REPO}:`),
        missingCaFiles,
      });
    },
  };
}
