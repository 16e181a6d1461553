// A stack per developer on a shared account, and which stacks are protected.
// Pure: the identity comes from STS (its ARN), the OS user from the caller.
import { createHash } from 'node:crypto';
import type { StackSettings } from '../config/config.js';

export type { StackSettings };

export const DEFAULT_PATTERN = '{stack}-{who}';
/** Names a team usually gives production: "prod", "production" or "live" as a word of the name. */
export const DEFAULT_PROTECTED_NAMES = ['(^|[-_.])(prod|production|live)([-_.]|$)'];
export const DEFAULT_PROTECTED_TAGS: Record<string, string> = { 'dsync:protected': 'true' };

const MAX_STACK_NAME = 128;
const MAX_WHO = 32;
/** Session names SDKs and tools make up: they say nothing about the person. */
const GENERIC_SESSIONS = [/^botocore-session-\d+$/, /^aws-go-sdk-\d+$/, /^aws-sdk-js-\d+$/, /^\d+$/, /^i-[0-9a-f]+$/];

/**
 * The developer's short name from a caller ARN: an IAM user's name, a
 * federated user's name, or an assumed role's session name (IAM Identity
 * Center puts the user's name or e-mail there); an e-mail becomes its local
 * part. Falls back to the OS user for the account root, a role session
 * named by a tool, or an ARN of another shape.
 */
export function developerName(arn: string | undefined, osUser: string): string {
  const resource = arn?.split(':').slice(5).join(':') ?? '';
  const [kind, ...rest] = resource.split('/');
  let name: string | undefined;
  if (kind === 'user' || kind === 'federated-user') name = rest.at(-1);
  else if (kind === 'assumed-role') name = rest.length >= 2 ? rest.at(-1) : undefined;
  if (name && GENERIC_SESSIONS.some((re) => re.test(name!))) name = undefined;
  const chosen = normaliseWho(name ?? '') || normaliseWho(osUser) || 'dev';
  return chosen;
}

/**
 * Lower case letters, digits and single dashes, at most 32 characters; an
 * e-mail becomes its local part, a Windows account (DOMAIN\\user) its user.
 */
export function normaliseWho(raw: string): string {
  const account = raw.slice(raw.lastIndexOf('\\') + 1);
  const local = account.includes('@') ? account.slice(0, account.indexOf('@')) : account;
  return local
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_WHO)
    .replace(/-+$/, '');
}

/**
 * The stack for this developer: the pattern filled in, made into a name
 * CloudFormation accepts (a letter first, then letters, digits and dashes, at
 * most 128 characters; a name cut short keeps a hash of the whole).
 */
export function perDeveloperStackName(base: string, who: string, pattern = DEFAULT_PATTERN): string {
  const filled = pattern.split('{stack}').join(base).split('{who}').join(who);
  return cloudFormationName(filled);
}

export function cloudFormationName(raw: string): string {
  let name = raw
    .replace(/[^A-Za-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!/^[A-Za-z]/.test(name)) name = `s-${name}`;
  if (name.length <= MAX_STACK_NAME) return name;
  const hash = createHash('sha256').update(raw).digest('hex').slice(0, 8);
  return `${name.slice(0, MAX_STACK_NAME - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}

/** Why a stack is protected, or undefined when it is not. */
export function protectedReason(stackName: string, tags: Record<string, string>, settings: StackSettings = {}): string | undefined {
  const wanted = settings.protectedTags ?? DEFAULT_PROTECTED_TAGS;
  for (const [key, value] of Object.entries(wanted)) {
    if (tags[key] !== undefined && tags[key].toLowerCase() === value.toLowerCase()) return `it carries the tag ${key}=${tags[key]}`;
  }
  for (const pattern of settings.protectedNames ?? DEFAULT_PROTECTED_NAMES) {
    if (new RegExp(pattern, 'i').test(stackName)) return `its name matches the protected pattern /${pattern}/`;
  }
  return undefined;
}
