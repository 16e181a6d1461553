// Opens every file a plan is about to send, just before sending it. A locked,
// unreadable or vanished file is found here and taken out of the plan,
// instead of failing the whole tar stream halfway through.
import { errnoCode } from '../base/errors.js';
import type { DescribeContext } from './describe.js';
import type { SyncPlan } from './diff.js';
import { shebangHasCrlf } from './modes.js';
import { toHostPath } from '../base/paths.js';

export interface Preflight {
  plan: SyncPlan;
  /** Exists but cannot be read now: path -> error code. */
  unreadable: Map<string, string>;
  /** Gone since it was described. */
  vanished: string[];
}

const CONCURRENCY = 32;

export async function preflight(ctx: DescribeContext, plan: SyncPlan): Promise<Preflight> {
  const unreadable = new Map<string, string>();
  const vanished: string[] = [];
  const files = plan.send.filter((e) => e.type === 'file');
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const entry = files[next++]!;
      try {
        const head = await ctx.fs.readHead(toHostPath(ctx.root, entry.path, ctx.platform.path), 512);
        if (shebangHasCrlf(head)) {
          ctx.warn(`crlf:${entry.path}`, `${entry.path} starts with #! but has CRLF line endings; Linux will fail to run it ("bad interpreter")`);
        }
      } catch (error) {
        const code = errnoCode(error) ?? 'EIO';
        if (code === 'ENOENT' || code === 'ENOTDIR') vanished.push(entry.path);
        else unreadable.set(entry.path, code);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, files.length) }, worker));
  if (unreadable.size === 0 && vanished.length === 0) return { plan, unreadable, vanished };
  const drop = new Set([...unreadable.keys(), ...vanished]);
  return {
    plan: { send: plan.send.filter((e) => !drop.has(e.path)), remove: plan.remove },
    unreadable,
    vanished,
  };
}
