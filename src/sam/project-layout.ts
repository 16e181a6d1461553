// Monorepos: a template may name code outside its own folder (a shared
// CodeUri, a layer's ContentUri two levels up, a DefinitionUri in a sibling
// folder). SAM resolves those from the template's place on disk, so the
// container must hold them at the same relative place. This module decides
// what dsync mirrors: the project folder alone when nothing leaves it, else
// the smallest folder holding the project and every outside reference, as
// long as they all lie in one git work tree (or under the root a person
// named); only the project folder and the referenced subtrees are synced.
import { DsyncError } from '../base/errors.js';
import type { PathFlavour } from '../base/platform.js';
import type { ProjectLayout } from '../config/config.js';
import { isOutside, type TemplateModel, type TemplateReference } from './template.js';

export interface LayoutInput {
  /** The project folder (absolute host path). */
  root: string;
  /** --root DIR or dsync.json "root": the folder references may reach up to. */
  givenRoot?: { path: string; from: string };
  /** The template as dsync models it (undefined when it does not parse yet: nothing is known to lie outside). */
  model: TemplateModel | undefined;
  flavour: PathFlavour;
  /** Whether an absolute host path exists (to find the git work tree). */
  exists(absolute: string): Promise<boolean>;
}

/** The layout for a project whose template names nothing outside its folder. */
export function projectOnlyLayout(root: string): ProjectLayout {
  return { syncRoot: root, projectDir: '' };
}

export async function resolveLayout(input: LayoutInput): Promise<ProjectLayout> {
  const { root, flavour } = input;
  const outside = (input.model?.references ?? []).filter(isOutside);
  if (outside.length === 0) return projectOnlyLayout(root);

  const boundary = input.givenRoot ? { dir: flavour.resolve(root, input.givenRoot.path), from: input.givenRoot.from } : await gitWorkTree(root, input);
  const first = outside[0]!;
  if (!boundary) {
    throw new DsyncError('PROJECT', `${describeRef(first)} lies outside the project folder ${root}, and the project is not in a git work tree`, {
      hint: `run \`dsync up --root DIR\` (or set "root" in dsync.json) with a folder that holds both the project and ${first.written}`,
    });
  }
  if (!within(flavour, boundary.dir, root)) {
    throw new DsyncError('CONFIG', `The root ${boundary.dir} (from ${boundary.from}) does not hold the project folder ${root}`, {
      hint: 'give a folder above the project, e.g. the repository root',
    });
  }
  const absolute = new Map<TemplateReference, string>();
  for (const ref of outside) {
    const abs = hostPathOf(root, ref.path, flavour);
    if (!within(flavour, boundary.dir, abs)) {
      const where = input.givenRoot ? `outside the root ${boundary.dir} (from ${boundary.from})` : `outside the git work tree ${boundary.dir}`;
      throw new DsyncError('PROJECT', `${describeRef(ref)} lies ${where}`, {
        hint: `dsync syncs one folder tree: run \`dsync up --root DIR\` (or set "root" in dsync.json) with a folder that holds both the project and ${abs}`,
      });
    }
    absolute.set(ref, abs);
  }
  const syncRoot = commonAncestor(flavour, [root, ...absolute.values()]);
  const rel = (abs: string) => flavour.relative(syncRoot, abs).split(flavour.sep).filter(Boolean).join('/');
  const projectDir = rel(root);
  const scope = minimalCover([projectDir, ...[...absolute.values()].map(rel)]);
  return { syncRoot, projectDir, scope, outside: outside.map((r) => `${r.resource} ${r.property} ${r.written}`), rootFrom: boundary.from };
}

/** "OrdersFunction's CodeUri ../shared/orders/" */
function describeRef(ref: TemplateReference): string {
  return `${ref.resource}'s ${ref.property} ${ref.written}`;
}

/** The nearest folder at or above `start` that holds .git (a folder, or a file for worktrees and submodules). */
async function gitWorkTree(start: string, input: LayoutInput): Promise<{ dir: string; from: string } | undefined> {
  const { flavour } = input;
  for (let dir = start; ; dir = flavour.dirname(dir)) {
    if (await input.exists(flavour.join(dir, '.git'))) return { dir, from: 'the git work tree' };
    if (flavour.dirname(dir) === dir) return undefined;
  }
}

/** The host path of a project-relative reference (`../x`) or an absolute one (as the template wrote it). */
function hostPathOf(root: string, p: string, flavour: PathFlavour): string {
  if (p.startsWith('/') || /^[A-Za-z]:\//.test(p)) return flavour.resolve(p);
  return flavour.resolve(root, ...p.split('/'));
}

/** Whether `p` is `dir` or lies below it (case-insensitively where the flavour is). */
function within(flavour: PathFlavour, dir: string, p: string): boolean {
  const rel = flavour.relative(dir, p);
  return rel === '' || (!flavour.isAbsolute(rel) && rel.split(flavour.sep)[0] !== '..');
}

/** The deepest folder that holds every path. */
function commonAncestor(flavour: PathFlavour, paths: string[]): string {
  let candidate = paths[0]!;
  while (!paths.every((p) => within(flavour, candidate, p))) {
    const up = flavour.dirname(candidate);
    if (up === candidate) break;
    candidate = up;
  }
  return candidate;
}

/** The paths without those already covered by another (a folder covers what lies below it). */
function minimalCover(paths: string[]): string[] {
  const unique = [...new Set(paths)].sort();
  return unique.filter((p) => !unique.some((q) => q !== p && (q === '' || p.startsWith(`${q}/`))));
}
