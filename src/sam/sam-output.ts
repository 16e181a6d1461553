// Turns SAM's output lines into something for the user: colours stripped,
// container workspace paths shown as the user's host paths (so an editor can
// open them), and the lines that carry meaning recognised.
import type { PathFlavour } from '../base/platform.js';

export function hostPaths(line: string, workspace: string, root: string, flavour: PathFlavour): string {
  const escaped = workspace.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`${escaped}((?:/[^\\s'"\`:,;)\\]]*)?)`, 'g');
  return line.replace(re, (_m, rest: string) => {
    const parts = rest.split('/').filter(Boolean);
    return parts.length === 0 ? root : flavour.join(root, ...parts);
  });
}

export type SamLine = { kind: 'resource-start'; resource: string } | { kind: 'resource-done'; resource: string } | { kind: 'error'; message: string } | { kind: 'text' };

/** Recognise the lines of `sam build` / `sam sync` that dsync reports on. */
export function classifySamLine(line: string): SamLine {
  const text = line.trim();
  let m = /^Syncing (?:Lambda Function|Layer|Function Layer Reference Sync|RestApi|HttpApi|StepFunctions) ?([A-Za-z0-9]+)\.\.\.$/.exec(text);
  if (m?.[1]) return { kind: 'resource-start', resource: m[1] };
  m = /Finished syncing (?:Lambda Function|Layer|RestApi|HttpApi|StepFunctions) ?([A-Za-z0-9]+)\.?$/.exec(text);
  if (m?.[1]) return { kind: 'resource-done', resource: m[1] };
  if (/^Error: /.test(text)) return { kind: 'error', message: text.slice('Error: '.length) };
  if (/^(Build Failed|Failed to sync)/.test(text)) return { kind: 'error', message: text };
  return { kind: 'text' };
}

/** A Python exception's own line (`KeyError: 'Name'`, `botocore.exceptions.ClientError: ...`), the last line of a traceback. */
function exceptionLine(line: string): string | undefined {
  const text = line.trim();
  const m = /^((?:[A-Za-z_][\w]*\.)*[A-Z]\w*(?:Error|Exception|Exit|Interrupt|Failure|Warning))(?::\s*(.*))?$/.exec(text);
  if (!m) return undefined;
  return text;
}

/**
 * The one-line cause of a failed SAM command: its last `Error:` line, else
 * the last meaningful line. Build failures name the resource and the
 * builder's message, which is what the user needs.
 */
export function failureCause(lines: readonly string[]): string {
  for (let i = lines.length - 1; i >= 0; i--) {
    const c = classifySamLine(lines[i]!);
    if (c.kind === 'error' && c.message !== 'Build Failed') return c.message;
  }
  // A traceback: its last line names the exception; its first line says nothing.
  for (let i = lines.length - 1; i >= 0; i--) {
    const e = exceptionLine(lines[i]!);
    if (e) return e;
  }
  for (let i = lines.length - 1; i >= 0; i--) {
    const t = lines[i]!.trim();
    if (t && !/^(Build Failed|Commands you can use next|=+|\[\*\]|Traceback \(most recent call last\):?|File ".*", line \d+)/.test(t)) return t;
  }
  return 'no output';
}
