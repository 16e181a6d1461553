// How the pipeline talks to the user. Adapters: plain lines (no TTY / CI),
// JSON lines on stdout (--json), and ora on a TTY (src/cli/ora-reporter.ts).
// Human output goes to stderr; only --json writes to stdout.

export type EventLevel = 'info' | 'warn' | 'error';

export interface DsyncEvent {
  type: string;
  level?: EventLevel;
  message?: string;
  [field: string]: unknown;
}

export interface Reporter {
  /** A structured event; human adapters render `message`. */
  event(event: DsyncEvent): void;
  /** Start (or retitle) the progress indicator for slow work. */
  progress(text: string): void;
  /** Stop the progress indicator, optionally with a final line. */
  done(text?: string, ok?: boolean): void;
  close(): void;
}

export interface Writable {
  write(chunk: string): unknown;
}

export function createPlainReporter(stderr: Writable, now: () => Date = () => new Date()): Reporter {
  const stamp = () => now().toISOString().slice(11, 23);
  return {
    event(event) {
      if (!event.message) return;
      const tag = event.level === 'warn' ? 'warn ' : event.level === 'error' ? 'error ' : '';
      stderr.write(`${stamp()} ${tag}${event.message}\n`);
    },
    progress(text) {
      stderr.write(`${stamp()} ${text}\n`);
    },
    done(text, ok = true) {
      if (text) stderr.write(`${stamp()} ${ok ? '' : 'error '}${text}\n`);
    },
    close() {},
  };
}

export function createJsonReporter(stdout: Writable, now: () => Date = () => new Date()): Reporter {
  const emit = (event: DsyncEvent) => stdout.write(`${JSON.stringify({ time: now().toISOString(), ...event })}\n`);
  return {
    event: emit,
    progress(text) {
      emit({ type: 'progress', message: text });
    },
    done(text, ok = true) {
      if (text) emit({ type: 'progress-done', ok, message: text });
    },
    close() {},
  };
}

/** A reporter that drops everything; for library use and tests. */
export const silentReporter: Reporter = {
  event() {},
  progress() {},
  done() {},
  close() {},
};
