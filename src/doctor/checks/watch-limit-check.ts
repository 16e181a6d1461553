// Check 9 (Linux): enough inotify watches for dsync's watcher. The Linux
// watcher takes one watch per synced folder (chokidar, with
// DSYNC_WATCHER=chokidar, one per file and folder), from a per-user limit
// that editors and other tools share; past it, changes go unseen.
import { pass, skip, warn, type CheckDefinition, type CheckResult } from '../check.js';
import type { DoctorContext } from '../context.js';

export const MAX_USER_WATCHES = '/proc/sys/fs/inotify/max_user_watches';
const FIX = 'sudo sysctl fs.inotify.max_user_watches=524288 (to keep it: echo fs.inotify.max_user_watches=524288 | sudo tee /etc/sysctl.d/90-dsync.conf)';

/** Warn when dsync alone would take more than half the limit: the rest of the user's tools share it. */
export function judgeWatches(needed: number, limit: number, what: string, atLeast: boolean): CheckResult {
  const count = `${atLeast ? 'at least ' : ''}${needed} ${what}`;
  if (needed * 2 > limit) return warn('watchers', `dsync would watch ${count}, and fs.inotify.max_user_watches is ${limit} (shared with editors and other tools)`, FIX);
  return pass('watchers', `${count} to watch, within fs.inotify.max_user_watches (${limit})`);
}

export function watchLimitCheck(ctx: DoctorContext): CheckDefinition {
  return {
    id: 'watchers',
    timeoutMs: ctx.timeouts?.files ?? 6_000,
    async run() {
      if (ctx.platform.name !== 'linux') return skip('watchers', `inotify limits are Linux's (this is ${ctx.platform.name})`);
      const text = await ctx.probes.readSystemFile(MAX_USER_WATCHES);
      const limit = Number(text?.trim());
      if (!text || !Number.isInteger(limit) || limit <= 0) return skip('watchers', `${MAX_USER_WATCHES} could not be read`);
      const scan = await ctx.scan();
      const chokidar = ctx.env.DSYNC_WATCHER === 'chokidar';
      const needed = chokidar ? scan.files + scan.dirs + 1 : scan.dirs + 1;
      return judgeWatches(needed, limit, chokidar ? 'files and folders (DSYNC_WATCHER=chokidar)' : 'folders', scan.truncated);
    },
  };
}
