// Credentials are resolved on the host, where SSO logins, credential_process
// and MFA prompts work, and handed to each SAM command as short-lived values
// in its exec environment. Nothing is written into the container.
import { DsyncError } from '../core/errors.js';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Epoch ms; undefined for keys that do not expire. */
  expiresAt?: number;
  /** Where they came from, for messages (never the values). */
  source: string;
}

/** Runs a host command (the AWS CLI) and returns its stdout; interactive prompts go to the user's terminal. */
export type HostCommand = (file: string, args: string[], env: Record<string, string | undefined>) => Promise<{ exitCode: number; stdout: string; stderr: string }>;

/** Refresh this long before expiry, so a build that starts now still finishes with valid keys. */
export const REFRESH_MARGIN_MS = 5 * 60_000;

/** The AWS_* variables forwarded from the host, minus secrets that are passed separately. */
export const FORWARDED_ENV = ['AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_STS_REGIONAL_ENDPOINTS', 'AWS_USE_FIPS_ENDPOINT'] as const;

/** Parse the JSON that `aws configure export-credentials --format process` (and credential_process) prints. */
export function parseProcessCredentials(text: string, source: string): Credentials {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new DsyncError('CREDENTIALS', `${source} did not print credentials as JSON`);
  }
  const id = raw.AccessKeyId;
  const secret = raw.SecretAccessKey;
  if (typeof id !== 'string' || typeof secret !== 'string' || id === '' || secret === '') {
    throw new DsyncError('CREDENTIALS', `${source} printed no AccessKeyId/SecretAccessKey`);
  }
  const expiration = typeof raw.Expiration === 'string' ? Date.parse(raw.Expiration) : Number.NaN;
  return {
    accessKeyId: id,
    secretAccessKey: secret,
    sessionToken: typeof raw.SessionToken === 'string' && raw.SessionToken !== '' ? raw.SessionToken : undefined,
    expiresAt: Number.isNaN(expiration) ? undefined : expiration,
    source,
  };
}

export interface CredentialResolver {
  /** Valid credentials for the next command, refreshed when they are close to expiry. */
  get(): Promise<Credentials>;
}

/**
 * Resolve credentials from the host environment: explicit keys first, then
 * the AWS CLI's export of the active profile (which covers SSO,
 * credential_process, assume-role and MFA).
 */
export function hostCredentialResolver(env: Record<string, string | undefined>, run: HostCommand, now: () => number): CredentialResolver {
  let cached: Credentials | undefined;
  const fresh = (c: Credentials) => c.expiresAt === undefined || c.expiresAt - now() > REFRESH_MARGIN_MS;
  const resolve = async (): Promise<Credentials> => {
    if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
      const expiration = env.AWS_CREDENTIAL_EXPIRATION ? Date.parse(env.AWS_CREDENTIAL_EXPIRATION) : Number.NaN;
      const c: Credentials = {
        accessKeyId: env.AWS_ACCESS_KEY_ID,
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
        sessionToken: env.AWS_SESSION_TOKEN || undefined,
        expiresAt: Number.isNaN(expiration) ? undefined : expiration,
        source: 'environment variables',
      };
      if (!fresh(c)) {
        throw new DsyncError('CREDENTIALS', 'The AWS credentials in the environment have expired', {
          hint: 'refresh them (or unset AWS_ACCESS_KEY_ID and use a profile), then save again',
        });
      }
      return c;
    }
    const profile = env.AWS_PROFILE ?? 'default';
    const args = ['configure', 'export-credentials', '--format', 'process', ...(env.AWS_PROFILE ? ['--profile', profile] : [])];
    let result;
    try {
      result = await run('aws', args, env);
    } catch (error) {
      throw new DsyncError('CREDENTIALS', `No AWS credentials: none in the environment, and the AWS CLI could not be run (${(error as Error).message})`, {
        hint: 'set AWS_PROFILE (with the AWS CLI v2 installed) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or use --emulator',
      });
    }
    if (result.exitCode !== 0) {
      if (/invalid choice/i.test(result.stderr)) {
        throw new DsyncError('CREDENTIALS', 'The AWS CLI on this machine cannot export credentials (`aws configure export-credentials` needs AWS CLI v2)', {
          hint: 'install AWS CLI v2, or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or use --emulator',
        });
      }
      const lines = result.stderr.trim().split('\n').map((l) => l.trim()).filter(Boolean);
      const reason = [...lines].reverse().find((l) => /error|expired|unable|not found|could not|denied|invalid/i.test(l)) ?? lines.pop() ?? `exit ${result.exitCode}`;
      const expired = /expired|sso.*(login|token)/i.test(reason);
      throw new DsyncError('CREDENTIALS', `Could not get AWS credentials for profile "${profile}": ${reason}`, {
        hint: expired ? `run \`aws sso login --profile ${profile}\`, then save again` : 'check `aws configure list`, or use --emulator for a local stack',
      });
    }
    const c = parseProcessCredentials(result.stdout, `profile "${profile}"`);
    if (!fresh(c)) {
      throw new DsyncError('CREDENTIALS', `The credentials for profile "${profile}" have expired`, { hint: `run \`aws sso login --profile ${profile}\`` });
    }
    return c;
  };
  return {
    async get() {
      if (cached && fresh(cached)) return cached;
      cached = await resolve();
      return cached;
    },
  };
}

/** Fixed, harmless keys for the emulator: moto accepts any. */
export const EMULATOR_CREDENTIALS: Credentials = {
  accessKeyId: 'testing',
  secretAccessKey: 'testing',
  sessionToken: 'testing',
  source: 'emulator',
};

export function staticResolver(c: Credentials): CredentialResolver {
  return { get: async () => c };
}
