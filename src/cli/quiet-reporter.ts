// A quiet terminal for the SAM loop: SAM's chatter (`Running
// NodejsNpmBuilder:CopySource`, upload progress, CloudFormation tables) and
// the per-batch transfer lines are folded under the spinner, whose text shows
// the current step; a person sees one line per change (`✔ #12
// ListProductsFunction live in 0.9 s (...)`). A change that fails gets its ✖
// line with the cause and, above it, the few SAM lines that explain it.
// --verbose shows everything; --json is never folded.
import type { DsyncEvent, Reporter } from '../base/reporter.js';

/** SAM lines kept per change, to explain a failure. */
const KEEP = 200;
/** At most this many SAM lines are shown with a failure. */
const SHOWN = 8;
const TELLING = /error|exception|fail|invalid|denied|not found|does not exist|cannot|unable|refused|timed out|no such|missing|no matching/i;
/** SAM's crash boilerplate: a Python traceback and where to report bugs. Never what explains the failure. */
const NOISE =
  /^\s*(Traceback \(most recent call last\)|File "|raise |\^+$)|github\.com\/aws\/aws-sam-cli\/issues|Search for an existing issue|Or create a bug report|An unexpected error was encountered/;

export interface QuietOptions {
  /** Whether `inner` has a spinner to show the current step in (a TTY). */
  spinner: boolean;
}

export function createQuietReporter(inner: Reporter, options: QuietOptions): Reporter {
  let lines: string[] = [];
  let title: string | undefined;
  const step = (text: string) => {
    if (!options.spinner || !title) return;
    const short = text.replace(/\s+/g, ' ').trim();
    if (short) inner.progress(`${title} · ${short.length > 70 ? `${short.slice(0, 69)}…` : short}`);
  };
  /** The SAM lines that explain a failure: the first telling ones (with the line after each), else the last few; never a traceback. */
  const explaining = (): string[] => {
    const useful = lines.filter((l) => !NOISE.test(l.replace(/^\s*\S+ │ /, '')));
    const picked = new Set<number>();
    useful.forEach((l, i) => {
      if (TELLING.test(l)) {
        picked.add(i);
        if (i + 1 < useful.length) picked.add(i + 1);
      }
    });
    if (picked.size === 0) return useful.slice(-SHOWN);
    return [...picked]
      .sort((a, b) => a - b)
      .slice(0, SHOWN)
      .map((i) => useful[i]!);
  };
  return {
    event(event: DsyncEvent) {
      switch (event.type) {
        case 'deploy-started':
          lines = [];
          break;
        case 'sam-output': {
          const text = typeof event.line === 'string' ? event.line : String(event.message ?? '');
          lines.push(String(event.message ?? text));
          if (lines.length > KEEP) lines.shift();
          step(text);
          return;
        }
        case 'sync':
          // The transfer of a batch is a step of the change, not a result of its own.
          step(String(event.message ?? ''));
          return;
        case 'deploy-result':
          if (event.ok === false) for (const l of explaining()) inner.event({ type: 'sam-output', message: l });
          // Its cause is on the ✖ line that follows.
          return;
        default:
          break;
      }
      inner.event(event);
    },
    progress(text) {
      title = text;
      inner.progress(text);
    },
    done(text, ok) {
      inner.done(text, ok);
    },
    close() {
      inner.close();
    },
  };
}
