// A template's text as data: YAML or JSON, with CloudFormation's short-form
// tags (!Ref, !Sub, !GetAtt, ...) parsed into their long form so a template
// that SAM accepts never fails here, and syntax errors named by line.
import { parseDocument, type ScalarTag, type CollectionTag } from 'yaml';
import { DsyncError } from '../base/errors.js';

const INTRINSICS = [
  'Ref',
  'Sub',
  'GetAtt',
  'Join',
  'Select',
  'Split',
  'FindInMap',
  'GetAZs',
  'ImportValue',
  'If',
  'Equals',
  'Not',
  'And',
  'Or',
  'Condition',
  'Base64',
  'Cidr',
  'Transform',
  'ToJsonString',
  'Length',
];

/** YAML tags for the short-form intrinsics, producing the same objects as their long form. */
function cfnTags(): (ScalarTag | CollectionTag)[] {
  const tags: (ScalarTag | CollectionTag)[] = [];
  for (const name of INTRINSICS) {
    const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
    const wrap = (value: unknown) => {
      // !GetAtt A.B is shorthand for [A, B].
      if (name === 'GetAtt' && typeof value === 'string') {
        const dot = value.indexOf('.');
        return { [key]: dot > 0 ? [value.slice(0, dot), value.slice(dot + 1)] : [value] };
      }
      return { [key]: value };
    };
    tags.push({ tag: `!${name}`, resolve: (str: string) => wrap(str) } as ScalarTag);
    tags.push({ tag: `!${name}`, collection: 'seq', resolve: (seq: { toJSON(): unknown }) => wrap(seq.toJSON()) } as unknown as CollectionTag);
    tags.push({ tag: `!${name}`, collection: 'map', resolve: (map: { toJSON(): unknown }) => wrap(map.toJSON()) } as unknown as CollectionTag);
  }
  return tags;
}

export type TemplateJson = Record<string, unknown>;
export const isObject = (v: unknown): v is TemplateJson => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parse YAML or JSON template text; throws DsyncError('TEMPLATE') with the line of the first syntax error. */
export function parseTemplateText(text: string, file: string): TemplateJson {
  const doc = parseDocument(text, { customTags: cfnTags(), uniqueKeys: false, prettyErrors: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const where = first.linePos?.[0] ? `line ${first.linePos[0].line}, column ${first.linePos[0].col}` : 'unknown position';
    throw new DsyncError('TEMPLATE', `${file} is not valid YAML (${where}): ${first.message.split('\n')[0]}`, {
      hint: 'fix the template and save; dsync picks it up on the next save',
    });
  }
  const value = doc.toJS({ maxAliasCount: 1000 }) as unknown;
  if (!isObject(value) || !isObject(value.Resources)) {
    throw new DsyncError('TEMPLATE', `${file} has no Resources section`, { hint: 'a SAM template needs a top-level Resources map' });
  }
  return value;
}
