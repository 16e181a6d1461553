// JSON Schema validation through Ajv: the one file that imports it. It turns
// Ajv's error objects into dsync's neutral SchemaIssue (a path as keys and
// indexes, the failed keyword, the subschema and the value), which
// settings-schema.ts words for people.
import { Ajv, type ErrorObject } from 'ajv';
import type { JsonPath } from './jsonc.js';

export interface SchemaIssue {
  /** Where the bad value is: keys and array indexes from the document's root. */
  path: JsonPath;
  /** The JSON Schema keyword that failed: type, pattern, format, additionalProperties, minimum, ... */
  keyword: string;
  /** For additionalProperties: the unknown key. For format: the format's name. */
  param?: string;
  /** The subschema holding the keyword (type, pattern, patternErrorMessage, ...). */
  schema: Record<string, unknown>;
  /** The value that failed. */
  data: unknown;
}

export type Validate = (value: unknown) => SchemaIssue | undefined;

/** Compile a schema; `formats` are the custom string formats it uses (semver-range, regex). */
export function compileSchema(schema: object, formats: Record<string, (value: string) => boolean>): Validate {
  // `patternErrorMessage` is VS Code's message for a failed pattern: an annotation for Ajv.
  const ajv = new Ajv({ allErrors: false, verbose: true, strict: true, keywords: ['patternErrorMessage'] });
  for (const [name, check] of Object.entries(formats)) ajv.addFormat(name, { type: 'string', validate: check });
  const validate = ajv.compile(schema);
  return (value) => {
    if (validate(value)) return undefined;
    // Of alternatives (anyOf), say what each would accept, not why the first one did not.
    const error = validate.errors?.find((e) => e.keyword === 'anyOf') ?? validate.errors?.[0];
    return error ? issueOf(error, value) : { path: [], keyword: 'unknown', schema: {}, data: value };
  };
}

function issueOf(error: ErrorObject, root: unknown): SchemaIssue {
  // Ajv's instancePath is a JSON pointer; an index into an array becomes a number again.
  const path: JsonPath = [];
  let node = root;
  for (const raw of error.instancePath.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const step = Array.isArray(node) ? Number(part) : part;
    path.push(step);
    node = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[step] : undefined;
  }
  const params = error.params as Record<string, unknown>;
  const param = typeof params.additionalProperty === 'string' ? params.additionalProperty : typeof params.format === 'string' ? params.format : undefined;
  return { path, keyword: error.keyword, param, schema: (error.parentSchema ?? {}) as Record<string, unknown>, data: error.data };
}
