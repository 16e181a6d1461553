// Files that exist but cannot be read right now (locked by an editor or a
// virus scanner on Windows, EBUSY, EACCES): looked at again with backoff
// (100 ms, doubling), and after READ_RETRIES tries said once and left alone
// until their next change.
import type { Clock } from '../base/clock.js';
import type { Reporter } from '../base/reporter.js';

const READ_RETRIES = 5;

export class ReadRetries {
  private readonly attempts = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly reporter: Reporter,
    /** Hand a path back to the batcher. */
    private readonly retry: (path: string) => void,
  ) {}

  /** After a batch: `unreadable` are its paths that could not be read, with their error codes. */
  schedule(unreadable: ReadonlyMap<string, string>, batchPaths: ReadonlySet<string>): void {
    for (const p of batchPaths) if (!unreadable.has(p)) this.attempts.delete(p);
    for (const [p, code] of unreadable) {
      const attempt = (this.attempts.get(p) ?? 0) + 1;
      if (attempt > READ_RETRIES) {
        this.attempts.delete(p);
        this.reporter.event({
          type: 'file-unreadable',
          level: 'warn',
          path: p,
          code,
          message: `could not read ${p} (${code}) after ${READ_RETRIES} tries; the container keeps its old copy until the next change`,
        });
        continue;
      }
      this.attempts.set(p, attempt);
      this.clock.setTimeout(() => this.retry(p), 100 * 2 ** (attempt - 1));
    }
  }
}
