// Turns a batch of changed paths into a sync plan by looking at the host as
// it is now. A path that exists is sent (a folder with everything below it,
// since a moved-in folder may arrive as a single event); a path that is gone
// is removed; a path that cannot be read right now is handed back for retry.
import { describePath, type DescribeContext } from './describe.js';
import type { SyncPlan } from './diff.js';
import { walkHost } from './host-walk.js';
import type { ManifestEntry } from './manifest.js';
import { outermost } from '../base/paths.js';
import type { IgnoreRules } from './ignore-rules.js';

export interface BatchPlan {
  plan: SyncPlan;
  /** Paths that exist but could not be read, with the error code. */
  unreadable: Map<string, string>;
}

export async function planBatch(ctx: DescribeContext, rules: IgnoreRules, paths: Iterable<string>): Promise<BatchPlan> {
  const send = new Map<string, ManifestEntry>();
  const remove: string[] = [];
  const unreadable = new Map<string, string>();
  const walked = new Set<string>();

  for (const p of new Set(paths)) {
    const described = await describePath(ctx, p);
    switch (described.kind) {
      case 'missing':
        remove.push(p);
        break;
      case 'unreadable':
        unreadable.set(p, described.code);
        break;
      case 'skipped':
        // Exists but must not be sent (outside symlink, too large): make sure
        // no stale copy stays in the container either.
        remove.push(p);
        break;
      case 'entry': {
        const { entry } = described;
        if (rules.isIgnored(p, entry.type === 'dir')) {
          break;
        }
        send.set(p, entry);
        if (entry.type === 'dir' && !walked.has(p)) {
          walked.add(p);
          const below = await walkHost(ctx, { from: p, rules });
          for (const [q, e] of below.manifest) send.set(q, e);
          for (const [q, code] of below.unreadable) unreadable.set(q, code);
        }
        break;
      }
    }
  }
  const entries = [...send.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  // A path that is both gone and re-created within the batch was described
  // once, as it is now; never remove something we are about to send.
  const removals = outermost(remove.filter((p) => !send.has(p)));
  return { plan: { send: entries, remove: removals }, unreadable };
}
