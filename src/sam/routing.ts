// Pure routing of a batch of changed project paths to what SAM must do:
// an infrastructure sync (the template or a file the stack reads changed),
// code syncs for the resources whose folders hold the changes, or nothing.
import type { TemplateModel } from './template.js';

export interface Route {
  /** The template or a file it includes changed: run a full `sam sync`. */
  infra: boolean;
  /** Logical ids to push with `sam sync --code --resource-id`, in template order. */
  resources: string[];
  /** Resources whose dependency manifest changed (their build reinstalls dependencies). */
  dependencyChanges: string[];
  /** Paths that belong to no resource; they trigger nothing. */
  unowned: string[];
}

/** Names whose change means "reinstall dependencies" for the npm builder. */
const DEPENDENCY_MANIFESTS = new Set(['package.json', 'package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml']);

const within = (p: string, dir: string) => dir === '' || p === dir || p.startsWith(`${dir}/`);

export function isDependencyManifest(p: string): boolean {
  return DEPENDENCY_MANIFESTS.has(p.slice(p.lastIndexOf('/') + 1));
}

/**
 * Route `paths` (project paths, posix) through `model`. `extraInfraFiles`
 * are further files whose change means an infrastructure sync, such as
 * samconfig.toml.
 */
export function routeChanges(paths: Iterable<string>, model: TemplateModel, extraInfraFiles: readonly string[] = []): Route {
  const infraFiles = new Set([model.file, ...model.infraFiles, ...extraInfraFiles]);
  const hit = new Set<string>();
  const deps = new Set<string>();
  const unowned: string[] = [];
  let infra = false;
  for (const p of paths) {
    if (infraFiles.has(p)) {
      infra = true;
      continue;
    }
    let owned = false;
    for (const resource of model.resources.values()) {
      if (resource.codePaths.length === 0 || resource.kind === 'other') continue;
      // The longest matching folder wins only within a resource; different resources sharing a folder all rebuild.
      if (resource.codePaths.some((dir) => within(p, dir))) {
        owned = true;
        hit.add(resource.id);
        if (isDependencyManifest(p)) deps.add(resource.id);
      }
    }
    if (!owned) unowned.push(p);
  }
  const order = [...model.resources.keys()];
  const sorted = (ids: Set<string>) => order.filter((id) => ids.has(id));
  return { infra, resources: infra ? [] : sorted(hit), dependencyChanges: sorted(deps), unowned };
}
