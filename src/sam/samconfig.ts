// Reads SAM's own samconfig.toml / .yaml so a team's existing settings apply
// to dsync too. SAM reads the same file inside the container; dsync reads it
// to know the stack, region and overrides it must report and pass on.
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { DsyncError } from '../base/errors.js';

export const SAMCONFIG_FILES = ['samconfig.toml', 'samconfig.yaml', 'samconfig.yml'] as const;

/** The sync-relevant parameters, in SAM's snake_case names. */
export interface SamParameters {
  stack_name?: string;
  region?: string;
  profile?: string;
  template_file?: string;
  parameter_overrides?: string[];
  s3_bucket?: string;
  s3_prefix?: string;
  capabilities?: string[];
  tags?: string[];
  image_repository?: string;
  dependency_layer?: boolean;
}

const LIST_KEYS = new Set(['parameter_overrides', 'capabilities', 'tags']);
const STRING_KEYS = new Set(['stack_name', 'region', 'profile', 'template_file', 's3_bucket', 's3_prefix', 'image_repository']);

/** Split SAM's space-separated list values, keeping quoted groups ("A=b c" D=e) together. */
export function splitSamList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') return [];
  const out: string[] = [];
  const re = /(?:[^\s"']+|"[^"]*"|'[^']*')+/g;
  for (const m of value.matchAll(re)) out.push(m[0]);
  return out;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The parameters `sam sync` would use from this config text: the
 * environment's `global` table, overridden by its `sync` table.
 */
export function readSamConfig(text: string, file: string, environment = 'default'): SamParameters {
  let doc: unknown;
  try {
    doc = file.endsWith('.toml') ? parseToml(text) : parseYaml(text);
  } catch (error) {
    throw new DsyncError('CONFIG', `${file} could not be parsed: ${(error as Error).message.split('\n')[0]}`, {
      hint: 'SAM reads this file too; fix its syntax',
    });
  }
  if (!isObject(doc)) return {};
  const env = doc[environment];
  if (!isObject(env)) return {};
  const out: SamParameters = {};
  for (const section of ['global', 'sync']) {
    const table = isObject(env[section]) ? (env[section] as Json) : undefined;
    const params = table && isObject(table.parameters) ? table.parameters : undefined;
    if (!params) continue;
    for (const [key, value] of Object.entries(params)) {
      if (LIST_KEYS.has(key)) (out as Json)[key] = splitSamList(value);
      else if (STRING_KEYS.has(key) && typeof value === 'string') (out as Json)[key] = value;
      else if (key === 'dependency_layer' && typeof value === 'boolean') out.dependency_layer = value;
    }
  }
  return out;
}
