// Credentials are resolved on the host, where SSO logins, credential_process
// and MFA prompts work, and handed to each SAM command as short-lived values
// in its exec environment. Nothing is written into the container.
import { DsyncError, isDsyncError } from '../base/errors.js';

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
 * Which profile the host resolves credentials for: `--profile`, else the
 * `profile` in samconfig (what `sam sync` on the host would use), else none
 * chosen, which means the SDK's own order (keys in the environment,
 * AWS_PROFILE, the default profile, SSO, container and instance roles).
 */
export interface ProfileChoice {
  name?: string;
  /** Where the name came from, for messages: "--profile", "samconfig.toml". */
  from?: string;
}

export function chooseProfile(flag: string | undefined, samconfigProfile: string | undefined, samconfigFile: string | undefined): ProfileChoice {
  if (flag) return { name: flag, from: '--profile' };
  if (samconfigProfile) return { name: samconfigProfile, from: samconfigFile ?? 'samconfig' };
  return {};
}

/** Credentials through the AWS SDK's provider chain for a profile (or its default chain); the adapter lives in the CLI. */
export type SdkCredentialSource = (profile: string | undefined) => Promise<Credentials>;

export interface HostCredentialOptions {
  env: Record<string, string | undefined>;
  profile: ProfileChoice;
  /** The AWS SDK's providers (SSO, credential_process, assume-role, ...); tried first. */
  sdk?: SdkCredentialSource;
  /** The AWS CLI, as a fallback for what the SDK cannot do here. */
  cli: HostCommand;
  now: () => number;
}

/**
 * Resolve credentials on the host: keys in the environment (unless a profile
 * was chosen explicitly, as botocore and the SDK do), else the SDK's
 * providers for the profile, else the AWS CLI's export of it. One clear line
 * when none works.
 */
export function hostCredentialResolver(options: HostCredentialOptions): CredentialResolver {
  const { env, profile, now } = options;
  let cached: Credentials | undefined;
  const fresh = (c: Credentials) => c.expiresAt === undefined || c.expiresAt - now() > REFRESH_MARGIN_MS;
  const label = profile.name
    ? `profile "${profile.name}" (from ${profile.from})`
    : env.AWS_PROFILE
      ? `profile "${env.AWS_PROFILE}" (from AWS_PROFILE)`
      : 'the default credential chain';

  const resolve = async (): Promise<Credentials> => {
    const keys = credentialsFromEnv(env, profile, fresh);
    if (keys) return keys;
    let sdkReason: string | undefined;
    if (options.sdk) {
      try {
        const c = await options.sdk(profile.name);
        return { ...c, source: label };
      } catch (error) {
        if (isDsyncError(error)) throw error;
        sdkReason = (error as Error).message.split('\n')[0];
      }
    }
    const c = await credentialsFromCli(options, label, sdkReason);
    if (!fresh(c)) {
      throw new DsyncError('CREDENTIALS', `The credentials for ${label} have expired`, { hint: loginHint(profile.name ?? env.AWS_PROFILE) });
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

const loginHint = (name: string | undefined) => `run \`aws sso login${name ? ` --profile ${name}` : ''}\`, then save again`;

/** Keys in the environment, unless a profile was chosen explicitly (as botocore and the SDK do). */
function credentialsFromEnv(env: Record<string, string | undefined>, profile: ProfileChoice, fresh: (c: Credentials) => boolean): Credentials | undefined {
  if (profile.name || !env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) return undefined;
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

/** The AWS CLI's export of the profile: what the SDK could not do here (its reason in `sdkReason`). */
async function credentialsFromCli(options: HostCredentialOptions, label: string, sdkReason: string | undefined): Promise<Credentials> {
  const { env, profile } = options;
  const name = profile.name ?? env.AWS_PROFILE;
  const args = ['configure', 'export-credentials', '--format', 'process', ...(name ? ['--profile', name] : [])];
  const because = sdkReason ? `${sdkReason}; ` : '';
  let result;
  try {
    result = await options.cli('aws', args, env);
  } catch {
    throw new DsyncError('CREDENTIALS', `No AWS credentials for ${label}: ${sdkReason ?? 'none found'}`, {
      hint: /expired|sso/i.test(sdkReason ?? '')
        ? loginHint(name)
        : 'configure the profile (`aws configure` or `aws configure sso`), set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or use --emulator',
    });
  }
  if (result.exitCode !== 0) {
    if (/invalid choice/i.test(result.stderr)) {
      throw new DsyncError(
        'CREDENTIALS',
        `No AWS credentials for ${label}: ${because}the AWS CLI on this machine cannot export credentials (\`aws configure export-credentials\` needs AWS CLI v2)`,
        {
          hint: 'install AWS CLI v2, or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or use --emulator',
        },
      );
    }
    const lines = result.stderr
      .trim()
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    const reason = [...lines].reverse().find((l) => /error|expired|unable|not found|could not|denied|invalid/i.test(l)) ?? lines.pop() ?? `exit ${result.exitCode}`;
    const expired = /expired|sso.*(login|token)/i.test(`${reason} ${sdkReason ?? ''}`);
    throw new DsyncError('CREDENTIALS', `Could not get AWS credentials for ${label}: ${reason}`, {
      hint: expired ? loginHint(name) : 'check `aws configure list`, or use --emulator for a local stack',
    });
  }
  return parseProcessCredentials(result.stdout, label);
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
