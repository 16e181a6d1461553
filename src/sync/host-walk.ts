// Builds the host manifest: walks the project without following symlinks,
// loading each folder's ignore files before judging its children, and never
// descending into ignored folders.
import { describePath, type DescribeContext } from './describe.js';
import type { Manifest } from './manifest.js';
import { DEFAULT_IGNORES, IGNORE_FILES, IgnoreRules } from './ignore-rules.js';
import { toHostPath } from '../base/paths.js';
import { errnoCode } from '../base/errors.js';

export interface WalkResult {
  manifest: Manifest;
  rules: IgnoreRules;
  /** Paths that exist but could not be read (locked, no permission). */
  unreadable: Map<string, string>;
  /** Set when `stop` ended the walk early: the manifest holds only part of the tree. */
  truncated?: boolean;
}

const CONCURRENCY = 32;

export interface WalkOptions {
  /** Walk only below this folder (a project path), with rules already loaded. */
  from?: string;
  rules?: IgnoreRules;
  /** Asked before each folder is listed; true ends the walk there (a bounded scan, e.g. `dsync doctor`). */
  stop?(manifest: Manifest): boolean;
}

export async function walkHost(ctx: DescribeContext, options: WalkOptions = {}): Promise<WalkResult> {
  const manifest: Manifest = new Map();
  const unreadable = new Map<string, string>();
  const rules = options.rules ?? (await loadRootRules(ctx));
  const queue: string[] = [options.from ?? ''];
  let active = 0;
  let truncated = false;

  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const pump = () => {
      if (failed) return;
      if (queue.length > 0 && options.stop?.(manifest)) {
        truncated = true;
        queue.length = 0;
      }
      if (queue.length === 0 && active === 0) return resolve();
      while (active < CONCURRENCY && queue.length > 0) {
        const dir = queue.shift()!;
        active++;
        visit(dir)
          .then(() => {
            active--;
            pump();
          })
          .catch((error: unknown) => {
            failed = true;
            reject(error);
          });
      }
    };
    const visit = async (dir: string) => {
      const hostDir = dir === '' ? ctx.root : toHostPath(ctx.root, dir, ctx.platform.path);
      let names: string[];
      try {
        names = await ctx.fs.readdir(hostDir);
      } catch (error) {
        if (dir === '') throw error;
        const code = errnoCode(error) ?? 'EIO';
        // Gone (or no longer a folder) since it was described: it holds nothing now; the watcher reports the rest.
        if (code !== 'ENOENT' && code !== 'ENOTDIR') unreadable.set(dir, code);
        return;
      }
      if (dir !== '') await loadRulesIn(ctx, rules, dir, names);
      await Promise.all(
        names.map(async (name) => {
          const p = dir === '' ? name : `${dir}/${name}`;
          if (rules.isIgnored(p, false) && rules.isIgnored(p, true)) return;
          const described = await describePath(ctx, p, true);
          if (described.kind === 'unreadable') unreadable.set(p, described.code);
          if (described.kind !== 'entry') return;
          const { entry } = described;
          if (rules.isIgnored(p, entry.type === 'dir')) return;
          manifest.set(p, entry);
          if (entry.type === 'dir') queue.push(p);
        }),
      );
    };
    pump();
  });
  return { manifest, rules, unreadable, ...(truncated ? { truncated } : {}) };
}

/** Rules from the root's ignore files; nested ones are added as the walk finds them. */
export async function loadRootRules(ctx: DescribeContext): Promise<IgnoreRules> {
  const rules = new IgnoreRules(DEFAULT_IGNORES, ctx.scope);
  const names = await ctx.fs.readdir(ctx.root);
  await loadRulesIn(ctx, rules, '', names);
  return rules;
}

async function loadRulesIn(ctx: DescribeContext, rules: IgnoreRules, dir: string, names: string[]): Promise<void> {
  for (const file of IGNORE_FILES) {
    if (!names.includes(file)) continue;
    const p = dir === '' ? file : `${dir}/${file}`;
    const content = await ctx.fs.readFile(toHostPath(ctx.root, p, ctx.platform.path)).catch(() => undefined);
    if (content !== undefined) rules.addFile(dir, p, content);
  }
}
