// When a code change may skip SAM's npm builder: dsync's shortcut
// (docker/sam-tools/npm_patch.py) rewrites the changed files in the function's
// last artifact and updates its code. Pure: which resources and files qualify.
// Anything else (a dependency manifest, npm's ignore files, esbuild or a
// Makefile, a layer, an image, SAM's dependency layer) goes through SAM.
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

const within = (p: string, dir: string) => dir === '' || p === dir || p.startsWith(`${dir}/`);

/** Whether SAM builds this resource with its npm builder (a Node.js zip function without another BuildMethod). */
export function npmBuilt(r: TemplateResource): boolean {
  return (
    r.kind === 'function' &&
    r.packageType === 'Zip' &&
    /^nodejs\d/.test(r.runtime ?? '') &&
    (r.buildMethod === undefined || /^nodejs\d/.test(r.buildMethod)) &&
    r.codePaths.length === 1
  );
}

/** The shortcut's steps for these resources and changed paths, or why it does not apply. */
export function npmShortcut(model: TemplateModel, resources: readonly string[], paths: readonly string[], dependencyLayer: boolean): ShortcutStep[] | { why: string } {
  if (dependencyLayer) return { why: "SAM's dependency layer is on" };
  const steps: ShortcutStep[] = [];
  for (const id of resources) {
    const r = model.resources.get(id);
    if (!r || !npmBuilt(r)) return { why: `${id} is not built by SAM's npm builder` };
    if (r.publishesAlias) return { why: `${id} publishes a version and moves its alias (AutoPublishAlias)` };
    const dir = r.codePaths[0]!;
    const changed: string[] = [];
    for (const p of paths) {
      if (!within(p, dir)) continue;
      if (p === dir) return { why: `${dir || 'the project folder'} itself changed` };
      const name = p.slice(p.lastIndexOf('/') + 1);
      if (isDependencyManifest(p) || PACKING_FILES.has(name)) return { why: `${p} changes how npm packs or installs ${id}` };
      changed.push(dir === '' ? p : p.slice(dir.length + 1));
    }
    if (changed.length === 0) return { why: `no file of ${id} changed` };
    steps.push({ resource: id, codeDir: dir, changed });
  }
  return steps;
}
