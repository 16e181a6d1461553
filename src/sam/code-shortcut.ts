// When a code change may skip SAM's npm or pip builder: dsync's shortcut
// (docker/sam-tools/npm_patch.py) rewrites the changed files in the function's
// last artifact and updates its code. Pure: which resources and files qualify.
// Both builders copy the function's sources into the artifact as they are
// (npm: what npm pack includes; pip: the folder, less caches) and add the
// dependencies, so with no manifest changed, a file that was in the last
// artifact is in the next one with its new bytes. Anything else (a
// dependency manifest, npm's ignore files, esbuild or a Makefile, a layer, an
// image, SAM's dependency layer) goes through SAM.
import { isDependencyManifest } from './routing.js';
import type { TemplateModel, TemplateResource } from './template.js';

export interface ShortcutStep {
  resource: string;
  /** The function's code folder (a project path, '' for the project folder). */
  codeDir: string;
  /** Changed paths relative to codeDir. */
  changed: string[];
}

/** Files that change what npm pack includes, or how npm installs: never patched. */
const PACKING_FILES = new Set(['.npmignore', '.gitignore', '.npmrc', 'package.json']);
/** What SAM's pip builder reads to install dependencies: never patched. */
const PIP_FILES = new Set(['requirements.txt']);
/** What SAM's pip builder leaves out of the artifact (Python's caches): a change there changes nothing deployed. */
const pipIgnored = (rel: string) => /(^|\/)__pycache__(\/|$)/.test(rel) || rel.endsWith('.pyc');

const within = (p: string, dir: string) => dir === '' || p === dir || p.startsWith(`${dir}/`);

/** Which of its builders SAM builds this resource with, when the shortcut knows it: npm (a Node.js zip function) or pip (a Python one), without another BuildMethod. */
export function shortcutBuilder(r: TemplateResource): 'npm' | 'pip' | undefined {
  if (r.kind !== 'function' || r.packageType !== 'Zip' || r.codePaths.length !== 1) return undefined;
  const family = /^(nodejs|python)\d/.exec(r.runtime ?? '')?.[1];
  if (family === undefined || (r.buildMethod !== undefined && !r.buildMethod.startsWith(family))) return undefined;
  return family === 'nodejs' ? 'npm' : 'pip';
}

export const shortcutBuilt = (r: TemplateResource): boolean => shortcutBuilder(r) !== undefined;

/** The shortcut's steps for these resources and changed paths, or why it does not apply. */
export function codeShortcut(model: TemplateModel, resources: readonly string[], paths: readonly string[], dependencyLayer: boolean): ShortcutStep[] | { why: string } {
  if (dependencyLayer) return { why: "SAM's dependency layer is on" };
  const steps: ShortcutStep[] = [];
  for (const id of resources) {
    const r = model.resources.get(id);
    const builder = r ? shortcutBuilder(r) : undefined;
    if (!r || !builder) return { why: `${id} is not built by SAM's npm or pip builder` };
    if (r.publishesAlias) return { why: `${id} publishes a version and moves its alias (AutoPublishAlias)` };
    const dir = r.codePaths[0]!;
    const changed: string[] = [];
    for (const p of paths) {
      if (!within(p, dir)) continue;
      if (p === dir) return { why: `${dir || 'the project folder'} itself changed` };
      const name = p.slice(p.lastIndexOf('/') + 1);
      const rel = dir === '' ? p : p.slice(dir.length + 1);
      if (builder === 'npm' && (isDependencyManifest(p) || PACKING_FILES.has(name))) return { why: `${p} changes how npm packs or installs ${id}` };
      if (builder === 'pip' && PIP_FILES.has(name)) return { why: `${p} changes what pip installs for ${id}` };
      if (builder === 'pip' && pipIgnored(rel)) continue;
      changed.push(rel);
    }
    if (changed.length === 0) return { why: `no file of ${id} changed` };
    steps.push({ resource: id, codeDir: dir, changed });
  }
  return steps;
}
