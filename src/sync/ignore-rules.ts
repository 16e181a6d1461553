// Which project paths dsync leaves alone: built-in defaults, every .gitignore
// (nested ones apply below their own folder, as in git) and .dsyncignore,
// which uses the same syntax and comes last so its `!negations` win.
import ignore, { type Ignore } from 'ignore';
import { ancestorsOf, isWithin } from '../base/paths.js';

export const IGNORE_FILES = ['.gitignore', '.dsyncignore'] as const;

export const DEFAULT_IGNORES = [
  '.git/',
  'node_modules/',
  '.aws-sam/',
  // Editors' swap, backup and atomic-save temp files.
  '*.swp',
  '*.swo',
  '*.swx',
  '*~',
  '.#*',
  '#*#',
  '4913',
  '*.tmp',
  '*___jb_tmp___',
  '*___jb_old___',
  '.~lock.*#',
  '.DS_Store',
  'Thumbs.db',
  'desktop.ini',
];

/** Directory names that are always ignored, whatever the rules say; used to prune remote listings. */
export const ALWAYS_PRUNED_DIRS = ['.git', 'node_modules', '.aws-sam'];

interface Scope {
  dir: string; // project path of the folder holding the file; '' for the root
  source: string;
  matcher: Ignore;
}

export class IgnoreRules {
  private scopes: Scope[] = [];
  private readonly dirCache = new Map<string, boolean>();

  /**
   * `synced`: when only parts of the root are synced (a monorepo's project
   * folder and the shared folders its template names), those paths; every
   * other path counts as ignored, except the folders on the way down to
   * them and the ignore files in those folders (their rules apply below).
   */
  constructor(
    defaults: readonly string[] = DEFAULT_IGNORES,
    private readonly synced?: readonly string[],
  ) {
    this.scopes.push({ dir: '', source: '(defaults)', matcher: ignore().add([...defaults]) });
  }

  /** Whether `p` is synced at all (always, without a scope). */
  inScope(p: string): boolean {
    if (!this.synced) return true;
    const parent = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '';
    return this.synced.some((s) => s === '' || p === s || p.startsWith(`${s}/`) || s.startsWith(`${p}/`) || (isIgnoreFile(p) && (parent === '' || s.startsWith(`${parent}/`))));
  }

  /** Add the patterns of an ignore file found in folder `dir` ('' = project root). */
  addFile(dir: string, source: string, content: string): void {
    const scope: Scope = { dir, source, matcher: ignore().add(content) };
    this.scopes = this.scopes.filter((s) => s.source !== source);
    // Order: shallower folders first; within a folder, .gitignore before .dsyncignore.
    const rank = (s: Scope) => [s.dir === '' ? 0 : s.dir.split('/').length, s.source.endsWith('.dsyncignore') ? 1 : 0] as const;
    this.scopes.push(scope);
    this.scopes.sort((a, b) => {
      const [ad, af] = rank(a);
      const [bd, bf] = rank(b);
      return ad - bd || af - bf;
    });
    this.dirCache.clear();
  }

  get sources(): string[] {
    return this.scopes.map((s) => s.source);
  }

  /** True when `p` (a project path) or any folder above it is ignored. */
  isIgnored(p: string, isDir: boolean): boolean {
    if (!this.inScope(p)) return true;
    for (const ancestor of ancestorsOf(p)) {
      if (this.dirIgnored(ancestor)) return true;
    }
    return isDir ? this.dirIgnored(p) : this.selfIgnored(p, false);
  }

  private dirIgnored(p: string): boolean {
    let cached = this.dirCache.get(p);
    if (cached === undefined) {
      cached = this.selfIgnored(p, true);
      this.dirCache.set(p, cached);
    }
    return cached;
  }

  private selfIgnored(p: string, isDir: boolean): boolean {
    let ignored = false;
    for (const scope of this.scopes) {
      if (scope.dir !== '' && !(isWithin(scope.dir, p) && p !== scope.dir)) continue;
      const rel = scope.dir === '' ? p : p.slice(scope.dir.length + 1);
      const verdict = scope.matcher.test(isDir ? `${rel}/` : rel);
      if (verdict.ignored) ignored = true;
      else if (verdict.unignored) ignored = false;
    }
    return ignored;
  }
}

export function isIgnoreFile(p: string): boolean {
  const base = p.slice(p.lastIndexOf('/') + 1);
  return (IGNORE_FILES as readonly string[]).includes(base);
}
