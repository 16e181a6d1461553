// JSON with comments (dsync.json, devcontainer.json), through Microsoft's
// jsonc-parser: the one file that imports it. Besides the value it keeps the
// syntax tree, so a validation error can name the line and column of the
// value (or key) it is about, the way editors show them.
import { applyEdits, findNodeAtLocation, getNodeValue, modify, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { DsyncError } from '../base/errors.js';

export type JsonPath = Array<string | number>;

export interface JsoncDocument {
  file: string;
  text: string;
  value: unknown;
  tree: Node;
}

/** jsonc-parser's error names, as a person reads them. */
const SYNTAX: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'bad number',
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: 'expected ":"',
  CommaExpected: 'expected ","',
  CloseBraceExpected: 'expected "}"',
  CloseBracketExpected: 'expected "]"',
  EndOfFileExpected: 'expected the end of the file',
  InvalidCommentToken: 'bad comment',
  UnexpectedEndOfComment: 'unterminated comment',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unterminated number',
  InvalidUnicode: 'bad unicode escape',
  InvalidEscapeCharacter: 'bad escape character',
  InvalidCharacter: 'control character in a string',
};

/**
 * Parse JSON with comments and trailing commas. A syntax error is a CONFIG
 * error `FILE:LINE:COL: not valid JSON: expected ","`.
 */
export function parseJsoncFile(file: string, text: string): JsoncDocument {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  const first = errors[0];
  if (first || !tree) {
    const offset = first?.offset ?? 0;
    const what = first ? (SYNTAX[printParseErrorCode(first.error)] ?? printParseErrorCode(first.error)) : 'expected a value';
    throw new DsyncError('CONFIG', `${at(file, text, offset)}: not valid JSON: ${what}`, {
      hint: 'comments (//, /* */) and trailing commas are fine; keys and strings need double quotes',
    });
  }
  return { file, text, value: getNodeValue(tree), tree };
}

/** `file:line:column` (1-based) of an offset in the text. */
export function at(file: string, text: string, offset: number): string {
  const { line, column } = lineColumn(text, offset);
  return `${file}:${line}:${column}`;
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

/**
 * Where a path points in the document: the value's offset, or with `key`
 * the offset of its property name. Walks up to the nearest node that exists
 * (a missing key points at its object).
 */
export function offsetOf(doc: JsoncDocument, jsonPath: JsonPath, key = false): number {
  for (let n = jsonPath.length; n >= 0; n--) {
    const node = findNodeAtLocation(doc.tree, jsonPath.slice(0, n));
    if (!node) continue;
    if (key && n === jsonPath.length && node.parent?.type === 'property') return node.parent.offset;
    return node.offset;
  }
  return doc.tree.offset;
}

/**
 * Edit the array at `jsonPath` in a JSONC text in place: drop the items `drop` names, append
 * `add`, and keep everything else (comments, formatting, the other items) as it was. An absent
 * text or array is created.
 */
export function editJsoncArray(text: string | undefined, jsonPath: JsonPath, drop: (item: unknown) => boolean, add: readonly unknown[]): string {
  const options = { formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' } };
  let out = text?.trim() ? text : '{}\n';
  const root = parseTree(out);
  const array = root ? findNodeAtLocation(root, jsonPath) : undefined;
  if (!array || array.type !== 'array') return applyEdits(out, modify(out, jsonPath, [...add], options));
  const items = array.children ?? [];
  for (let i = items.length - 1; i >= 0; i--) {
    if (drop(getNodeValue(items[i]!))) out = applyEdits(out, modify(out, [...jsonPath, i], undefined, options));
  }
  const kept = items.filter((item) => !drop(getNodeValue(item))).length;
  add.forEach((item, i) => {
    out = applyEdits(out, modify(out, [...jsonPath, kept + i], item, { ...options, isArrayInsertion: true }));
  });
  return out;
}
