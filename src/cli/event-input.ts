// The event a command sends (`dsync invoke`, `dsync trigger`): a JSON file,
// or stdin with "-"; checked to be JSON before anything is sent.
import fs from 'node:fs';
import { DsyncError } from '../base/errors.js';

/** The event's text, or undefined when none was given. */
export async function readEvent(command: string, source: string | undefined): Promise<string | undefined> {
  let text: string;
  if (source === undefined) return undefined;
  if (source === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(chunk));
    text = Buffer.concat(chunks).toString('utf8');
  } else {
    try {
      text = fs.readFileSync(source, 'utf8');
    } catch (error) {
      throw new DsyncError('USAGE', `${command}: cannot read the event file ${source} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
        hint: 'give a JSON file, or --event - to read stdin',
      });
    }
  }
  try {
    JSON.parse(text);
  } catch (error) {
    throw new DsyncError('USAGE', `${command}: the event ${source === '-' ? 'on stdin' : source} is not valid JSON: ${(error as Error).message}`, {
      hint: 'an event is a JSON value, e.g. {"key": "value"}',
    });
  }
  return text;
}
