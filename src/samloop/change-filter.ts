// Drops paths whose content is the same as when they were last handed to SAM.
// A single save often reaches dsync as two batches (an editor's truncate and
// write, or chokidar's change plus dsync's trailing re-check); the file is
// re-sent, which is cheap, but a rebuild is not. Content, not mtime, decides,
// so a real edit is never dropped.
import { createHash } from 'node:crypto';
import type { HostFs } from '../sync/host-fs.js';
import type { PathFlavour } from '../base/platform.js';

/** Files above this size are always passed on (hashing them would cost more than it saves). */
const MAX_HASH_BYTES = 4 * 1024 * 1024;

export class ContentFilter {
  private readonly seen = new Map<string, string>();

  constructor(
    private readonly fs: HostFs,
    private readonly root: string,
    private readonly flavour: PathFlavour,
  ) {}

  /** The paths that changed since they were last passed on (in order), remembering their content now. */
  async changed(paths: readonly string[]): Promise<string[]> {
    const out: string[] = [];
    for (const p of paths) {
      const digest = await this.digest(p);
      if (digest !== undefined && this.seen.get(p) === digest) continue;
      if (digest === undefined) this.seen.delete(p);
      else this.seen.set(p, digest);
      out.push(p);
    }
    return out;
  }

  private async digest(p: string): Promise<string | undefined> {
    const absolute = this.flavour.join(this.root, ...p.split('/'));
    try {
      const stat = await this.fs.lstat(absolute);
      if (stat.isSymbolicLink()) return `link:${await this.fs.readlink(absolute)}`;
      if (!stat.isFile()) return undefined;
      const bytes = await this.fs.readHead(absolute, MAX_HASH_BYTES + 1);
      if (bytes.length > MAX_HASH_BYTES) return undefined;
      return `${stat.mode}:${createHash('sha1').update(bytes).digest('hex')}`;
    } catch {
      return undefined; // gone or unreadable: always pass it on
    }
  }
}
