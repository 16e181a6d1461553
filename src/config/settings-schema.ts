// dsync's settings schema (schema/dsync.schema.json, shipped in the package so
// editors can use it too) applied to dsync.json, devcontainer.json's
// customizations.dsync and command-line flags, with errors worded for people:
// the key path, what was expected and what was found, and in a file the line
// and column: `/p/dsync.json:4:14: "quietMs" must be an integer >= 0, found "fast"`.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DsyncError } from '../base/errors.js';
import { compileSchema, type SchemaIssue, type Validate } from './ajv-validator.js';
import { at, offsetOf, type JsoncDocument, type JsonPath } from './jsonc.js';
import { isVersionRange } from './versions.js';

/** The schema file in the installed package (next to dist/ and src/). */
export const SCHEMA_FILE = fileURLToPath(new URL('../../schema/dsync.schema.json', import.meta.url));

let cached: { schema: SchemaNode; validate: Validate } | undefined;

type SchemaNode = Record<string, unknown> & { properties?: Record<string, SchemaNode> };

/** The schema as shipped, parsed and compiled once. */
export function settingsSchema(): { schema: SchemaNode; validate: Validate } {
  if (!cached) {
    const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as SchemaNode;
    cached = { schema, validate: compileSchema(schema, FORMATS) };
  }
  return cached;
}

const FORMATS: Record<string, (value: string) => boolean> = {
  'semver-range': isVersionRange,
  regex: (value) => regexError(value) === undefined,
};

function regexError(value: string): string | undefined {
  try {
    new RegExp(value, 'i');
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Validate settings found in a parsed file, at `base` inside it (`[]` for
 * dsync.json, `['customizations', 'dsync']` for devcontainer.json). Throws a
 * CONFIG error that points at the line and column.
 */
export function checkSettingsInDocument(doc: JsoncDocument, value: unknown, base: JsonPath): void {
  const issue = settingsSchema().validate(value);
  if (!issue) return;
  const extra = issue.keyword === 'additionalProperties' && issue.param !== undefined;
  const where = at(doc.file, doc.text, offsetOf(doc, [...base, ...issue.path, ...(extra ? [issue.param!] : [])], extra));
  throw new DsyncError('CONFIG', `${where}: ${describeIssue(issue, base)}`, { hint: hintFor(issue) });
}

/** Validate settings that come from no file (command-line flags): `SOURCE: "quietMs" must be ...`. */
export function checkSettingsValue(value: unknown, source: string): void {
  const issue = settingsSchema().validate(value);
  if (issue) throw new DsyncError('CONFIG', `${source}: ${describeIssue(issue, [])}`, { hint: hintFor(issue) });
}

/** One issue in words: `"stack.pattern" must be ..., found ...` or `unknown setting "stak" (did you mean "stack"?)`. */
export function describeIssue(issue: SchemaIssue, base: JsonPath): string {
  if (issue.keyword === 'additionalProperties' && issue.param !== undefined) {
    const known = Object.keys((issue.schema.properties as Record<string, unknown> | undefined) ?? {});
    const guess = closest(issue.param, known);
    return `unknown setting "${keyPath([...base, ...issue.path, issue.param])}"${guess ? ` (did you mean "${guess}"?)` : ''}`;
  }
  const full = [...base, ...issue.path];
  const subject = full.length === 0 ? 'the settings' : `"${keyPath(full)}"`;
  const expected = issue.path.length === 0 && issue.keyword === 'type' ? 'a JSON object' : expectation(issue);
  return `${subject} must be ${expected}, found ${found(issue.data)}`;
}

function hintFor(issue: SchemaIssue): string | undefined {
  if (issue.keyword === 'additionalProperties') {
    return `known settings here: ${Object.keys((issue.schema.properties as Record<string, unknown> | undefined) ?? {}).join(', ')}`;
  }
  return undefined;
}

/** "stack.protectedNames[1]" */
export function keyPath(path: JsonPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function expectation(issue: SchemaIssue): string {
  const s = issue.schema;
  if (issue.keyword === 'pattern') return typeof s.patternErrorMessage === 'string' ? s.patternErrorMessage : `a string matching /${String(s.pattern)}/`;
  if (issue.keyword === 'format' && issue.param === 'semver-range') return 'a semver range or version (">=0.3", "^1.2.0", "1.170.0")';
  if (issue.keyword === 'format' && issue.param === 'regex') return `a valid regular expression (${regexError(String(issue.data)) ?? 'it does not compile'})`;
  return describeSchema(s);
}

/** What a subschema accepts, in words. */
function describeSchema(s: Record<string, unknown>): string {
  if (Array.isArray(s.anyOf)) return (s.anyOf as Array<Record<string, unknown>>).map(describeSchema).join(', or ');
  switch (s.type) {
    case 'integer':
      return typeof s.minimum === 'number' ? `an integer >= ${s.minimum}` : 'an integer';
    case 'string':
      return typeof s.patternErrorMessage === 'string' ? s.patternErrorMessage : 'a string';
    case 'boolean':
      return 'true or false';
    case 'array': {
      const items = (s.items ?? {}) as Record<string, unknown>;
      return items.format === 'regex' ? 'a list of regular expressions' : `a list of ${items.type === 'string' ? 'strings' : 'values'}`;
    }
    case 'object':
      if (typeof s.additionalProperties !== 'object') return 'an object';
      return (s.additionalProperties as Record<string, unknown>).type === 'integer' ? 'an object mapping keys to integers' : 'an object mapping keys to strings';
    default:
      return 'valid';
  }
}

function found(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The known name closest to a mistyped one (same letters in another case, or at most a few edits). */
export function closest(word: string, known: readonly string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of known) {
    if (name.startsWith('$')) continue;
    const d = name.toLowerCase() === word.toLowerCase() ? 0 : distance(word.toLowerCase(), name.toLowerCase());
    if (d <= Math.max(2, Math.floor(name.length / 3)) && (!best || d < best.d)) best = { name, d };
  }
  return best?.name;
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}
