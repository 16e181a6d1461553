// Output arrives in chunks; dsync reads it line by line (SAM's output, an
// exec's stderr, postCreateCommand).
import { Writable } from 'node:stream';

/** A stream that feeds a LineSplitter (an exec's stdout or stderr); flush the splitter once the exec ended. */
export function splitterSink(splitter: LineSplitter): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      splitter.push(chunk.toString('utf8'));
      cb();
    },
  });
}

/** Splits chunks into lines; flush() emits a trailing partial line. */
export class LineSplitter {
  private rest = '';
  constructor(private readonly onLine: (line: string) => void) {}
  push(chunk: string): void {
    const text = this.rest + chunk;
    const lines = text.split(/\r?\n|\r/);
    this.rest = lines.pop() ?? '';
    for (const l of lines) this.onLine(l);
  }
  flush(): void {
    if (this.rest) this.onLine(this.rest);
    this.rest = '';
  }
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

/** The line without terminal colour and cursor codes. */
export function stripAnsi(line: string): string {
  return line.replace(ANSI, '');
}

/** Replace `/dsync/workspace/...` with the same file under the host project root. */
