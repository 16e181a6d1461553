// The only file that imports ora: a spinner for slow work on a TTY, with
// events printed as lines above it.
import ora from 'ora';
import type { Reporter } from '../base/reporter.js';

/** `isEnabled`: force the spinner on or off (tests); by default ora decides from the stream. */
export function createOraReporter(stream: NodeJS.WriteStream, options: { isEnabled?: boolean } = {}): Reporter {
  const spinner = ora({ stream, discardStdin: false, ...(options.isEnabled === undefined ? {} : { isEnabled: options.isEnabled }) });
  const line = (text: string) => {
    const spinning = spinner.isSpinning;
    const current = spinner.text;
    if (spinning) spinner.stop();
    stream.write(`${text}\n`);
    if (spinning) spinner.start(current);
  };
  return {
    event(event) {
      if (!event.message) return;
      if (/^[✔✖] /.test(event.message)) line(event.message);
      else if (event.level === 'warn') line(`⚠ ${event.message}`);
      else if (event.level === 'error') line(`✖ ${event.message}`);
      else line(`${event.type === 'sync' ? '✔ ' : ''}${event.message}`);
    },
    progress(text) {
      if (spinner.isSpinning) spinner.text = text;
      else spinner.start(text);
    },
    done(text, ok = true) {
      if (!text) {
        spinner.stop();
        return;
      }
      if (ok) spinner.succeed(text);
      else spinner.fail(text);
    },
    close() {
      spinner.stop();
    },
  };
}
