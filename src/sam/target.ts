// Decides the SamTarget for a run from, in order of precedence: command-line
// flags, dsync.json, SAM's samconfig, the environment, and defaults. Pure, so
// the real-AWS argv and env (which CI cannot reach) are unit-tested.
import { DsyncError } from '../base/errors.js';
import { EMULATOR_BUCKET, type SamTarget, type TargetMode } from './commands.js';
import type { SamParameters } from './samconfig.js';

export const EMULATOR_PORT = 5000;
/** Container ports the emulator serves the stack's REST and HTTP APIs on, one API each, in template order. */
export const API_PORTS: readonly number[] = Array.from({ length: 10 }, (_, i) => EMULATOR_PORT + 1 + i);
/** The emulator's address inside the container; the name must contain "localhost" for moto's path-style TemplateURL parsing. */
export const EMULATOR_URL = `http://localhost:${EMULATOR_PORT}`;
/**
 * Host names the emulator's container resolves to itself. The AWS SDKs send StartSyncExecution
 * to "sync-" + the endpoint's host, even when that host is an IP address (botocore and the
 * JavaScript SDK alike: getaddrinfo ENOTFOUND sync-127.0.0.1), so with these names a script
 * run beside SAM (endpoint localhost) and a function the emulator runs (endpoint 127.0.0.1)
 * reach the emulator unchanged.
 */
export const EMULATOR_HOST_ALIASES: Readonly<Record<string, string>> = { 'sync-localhost': '127.0.0.1', 'sync-127.0.0.1': '127.0.0.1' };
export const DEFAULT_CAPABILITIES = ['CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'];

export interface TargetInput {
  mode: TargetMode;
  projectName: string;
  templateFile: string;
  flags: { stackName?: string; region?: string; endpointUrl?: string; parameterOverrides?: string[]; configEnv?: string };
  settings: { stackName?: string; region?: string; configEnv?: string };
  samconfig: SamParameters;
  env: Record<string, string | undefined>;
}

export function resolveTarget(input: TargetInput): SamTarget {
  const { mode, flags, settings, samconfig, env } = input;
  const stackName = flags.stackName ?? settings.stackName ?? samconfig.stack_name ?? (mode === 'aws' ? undefined : defaultStackName(input.projectName));
  if (!stackName) {
    throw new DsyncError('CONFIG', 'No stack name for `sam sync`', {
      hint: 'pass --stack-name NAME, set stack_name in samconfig.toml, or "stackName" in dsync.json',
    });
  }
  const region = flags.region ?? settings.region ?? samconfig.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? (mode === 'aws' ? undefined : 'us-east-1');
  if (!region) {
    throw new DsyncError('CONFIG', 'No AWS region', { hint: 'pass --region, set region in samconfig.toml, or set AWS_REGION' });
  }
  let endpointUrl: string | undefined;
  if (mode === 'emulator') endpointUrl = EMULATOR_URL;
  if (mode === 'endpoint') {
    if (!flags.endpointUrl || !/^https?:\/\/[^\s/]+/.test(flags.endpointUrl)) {
      throw new DsyncError('USAGE', `--endpoint-url must be an http(s) URL, got ${JSON.stringify(flags.endpointUrl ?? '')}`);
    }
    endpointUrl = flags.endpointUrl;
  }
  return {
    mode,
    stackName,
    region,
    templateFile: input.templateFile,
    endpointUrl,
    parameterOverrides: flags.parameterOverrides?.length ? flags.parameterOverrides : (samconfig.parameter_overrides ?? []),
    capabilities: samconfig.capabilities?.length ? samconfig.capabilities : DEFAULT_CAPABILITIES,
    s3Bucket: mode === 'emulator' ? EMULATOR_BUCKET : samconfig.s3_bucket,
    s3Prefix: samconfig.s3_prefix,
    tags: samconfig.tags ?? [],
    imageRepository: samconfig.image_repository,
    // dsync deploys the emulator's stack itself, without SAM's nested dependency-layer stack.
    dependencyLayer: mode === 'emulator' ? false : (samconfig.dependency_layer ?? true),
    configEnv: flags.configEnv ?? settings.configEnv ?? 'default',
  };
}

/** A CloudFormation-safe stack name from the project folder. */
export function defaultStackName(projectName: string): string {
  const cleaned = projectName
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9-]+/g, '-')
    .replace(/^[^A-Za-z]+/, '')
    .replace(/-+$/, '')
    .slice(0, 100);
  return cleaned || 'dsync-app';
}
