// Choosing the reporter for this run, and printing a failure the way the
// README promises: one line, a hint, and a stack only for real bugs.
import { createJsonReporter, createPlainReporter, type Reporter } from '../base/reporter.js';
import { DsyncError } from '../base/errors.js';
import { createQuietReporter } from './quiet-reporter.js';

export interface OutputStreams {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: Record<string, string | undefined>;
}

/**
 * `quiet`: the SAM loop's terminal, where SAM's chatter is folded under the
 * spinner and each change is one line (see quiet-reporter.ts); --verbose
 * turns it off. JSON is never folded.
 */
export async function chooseReporter(io: OutputStreams, json: boolean, options: { quiet?: boolean } = {}): Promise<Reporter> {
  if (json) return createJsonReporter(io.stdout);
  // A terminal that reports no width (a pseudo-terminal nobody sized: `script`
  // without a terminal, some CI consoles) gets plain lines: the spinner's
  // line arithmetic divides by the width.
  if (io.stderr.isTTY && !io.env.CI && (io.stderr.columns ?? 0) > 0) {
    const { createOraReporter } = await import('./ora-reporter.js');
    const ora = createOraReporter(io.stderr);
    return options.quiet ? createQuietReporter(ora, { spinner: true }) : ora;
  }
  const plain = createPlainReporter(io.stderr);
  return options.quiet ? createQuietReporter(plain, { spinner: false }) : plain;
}

export function printError(error: unknown, io: OutputStreams, json: boolean): void {
  if (error instanceof DsyncError) {
    if (json) {
      io.stdout.write(`${JSON.stringify({ type: 'error', code: error.code, message: error.message, hint: error.hint })}\n`);
    }
    io.stderr.write(`dsync: ${error.message}\n`);
    if (error.hint) io.stderr.write(`hint: ${error.hint}\n`);
    if (io.env.DSYNC_DEBUG && error.cause) io.stderr.write(`${String((error.cause as Error).stack ?? error.cause)}\n`);
    return;
  }
  io.stderr.write(`dsync: unexpected error (this is a bug; please report it)\n`);
  io.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
}
