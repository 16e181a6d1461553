// Which toolchains a template's functions need, and where they come from.
// Real AWS: SAM's own build image for the template's runtime
// (public.ecr.aws/sam/build-<runtime>: Amazon Linux, like Lambda, so native
// modules built there run there). Emulator mode and dsync's Debian image:
// the Node.js majors and Python versions the template names, added to that
// image; what cannot be had offline, or is not supported at all, is one
// clear line before any builder runs. Pure: unit-tested.
import { DsyncError } from '../base/errors.js';
import type { TemplateModel } from './template.js';

export type RuntimeFamily = 'nodejs' | 'python' | 'java' | 'dotnet' | 'ruby' | 'go' | 'provided' | 'other';

/** Node.js versions dsync's image can add, by major: the official binaries the npm registry carries. */
export const NODE_VERSIONS: Readonly<Record<number, string>> = { 18: '18.20.8', 20: '20.20.2', 22: '22.23.3', 24: '24.21.0' };
/** The Node.js major dsync's base SAM image has. */
export const BASE_NODE_MAJOR = 22;
/**
 * Python versions dsync's image can add: those of Lambda's runtimes from
 * 3.9. 3.11 is Debian 12's (the SAM CLI's own); 3.9, 3.13 and 3.14 are built
 * from the CPython sources in Debian's archive; 3.10 and 3.12, which no
 * Debian suite carries, come from AWS's image for the runtime (or an image
 * named in dsync.json "runtimeImages"): see images/python-images.ts.
 */
export const PYTHON_VERSIONS = ['3.9', '3.10', '3.11', '3.12', '3.13', '3.14'] as const;
export const BASE_PYTHON = '3.11';

export function familyOf(runtime: string): RuntimeFamily {
  if (/^nodejs\d/.test(runtime)) return 'nodejs';
  if (/^python\d/.test(runtime)) return 'python';
  if (/^java\d/.test(runtime)) return 'java';
  if (/^dotnet/.test(runtime)) return 'dotnet';
  if (/^ruby\d/.test(runtime)) return 'ruby';
  if (/^go\d/.test(runtime)) return 'go';
  if (/^provided/.test(runtime)) return 'provided';
  return 'other';
}

/** Runtime -> the functions and layers that need it (function Runtime, with Globals; a layer's BuildMethod when it is a runtime). */
export function runtimesOf(model: TemplateModel): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (runtime: string, id: string) => out.set(runtime, [...(out.get(runtime) ?? []), id]);
  for (const r of model.resources.values()) {
    if (r.kind === 'function' && r.packageType !== 'Image' && r.runtime) add(r.runtime, r.id);
    if (r.kind === 'layer' && r.buildMethod && familyOf(r.buildMethod) !== 'other') add(r.buildMethod, r.id);
  }
  return out;
}

const SAM_BUILD_IMAGE = (runtime: string) => `public.ecr.aws/sam/build-${runtime}`;
export const DEFAULT_RUNTIME = 'nodejs22.x';

const versionKey = (runtime: string) => (runtime.match(/\d+/g) ?? []).map(Number);
const newer = (a: string, b: string) => {
  const x = versionKey(a);
  const y = versionKey(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  return false;
};

/**
 * Real-AWS mode with no image chosen: SAM's build image for the template's
 * runtime. Several versions of one family take the newest (its toolchain
 * builds the older ones); two families cannot share one build image.
 */
export function realAwsImage(runtimes: ReadonlyMap<string, string[]>): { image: string; runtime: string } {
  const byFamily = new Map<RuntimeFamily, string[]>();
  for (const runtime of runtimes.keys()) byFamily.set(familyOf(runtime), [...(byFamily.get(familyOf(runtime)) ?? []), runtime]);
  if (byFamily.size === 0) return { image: SAM_BUILD_IMAGE(DEFAULT_RUNTIME), runtime: DEFAULT_RUNTIME };
  if (byFamily.size > 1) {
    const list = [...runtimes.entries()].map(([rt, ids]) => `${rt} (${ids.join(', ')})`).join(', ');
    throw new DsyncError('CONFIG', `The template mixes runtime families, and no SAM build image has them all: ${list}`, {
      hint: 'choose an image with every toolchain: "image" in dsync.json (or --image), e.g. dsync\'s own (`dsync image`: Node.js and Python), or one you compose FROM a SAM build image; see docs/usage.md "Runtimes"',
    });
  }
  const newest = [...runtimes.keys()].reduce((a, b) => (newer(b, a) ? b : a));
  return { image: SAM_BUILD_IMAGE(newest), runtime: newest };
}

/** What dsync's Debian image must add for these runtimes, or one clear line for what it cannot. */
export interface ImageExtras {
  /** Node.js majors besides the base image's. */
  nodeMajors: number[];
  /** Python versions besides the base image's. */
  pythons: string[];
}

export function debianImageExtras(runtimes: ReadonlyMap<string, string[]>): ImageExtras {
  const nodeMajors = new Set<number>();
  const pythons = new Set<string>();
  const missing: string[] = [];
  for (const [runtime, ids] of runtimes) {
    const family = familyOf(runtime);
    const who = `${runtime} (${ids.join(', ')})`;
    if (family === 'nodejs') {
      const major = Number(/^nodejs(\d+)/.exec(runtime)?.[1]);
      if (NODE_VERSIONS[major] === undefined) missing.push(`${who}: dsync's image can add Node.js ${Object.keys(NODE_VERSIONS).join(', ')}`);
      else if (major !== BASE_NODE_MAJOR) nodeMajors.add(major);
    } else if (family === 'python') {
      const version = runtime.slice('python'.length);
      if (!(PYTHON_VERSIONS as readonly string[]).includes(version)) {
        missing.push(`${who}: dsync's image can add Python ${PYTHON_VERSIONS[0]} to ${PYTHON_VERSIONS.at(-1)}`);
      } else if (version !== BASE_PYTHON) pythons.add(version);
    } else {
      missing.push(`${who}: dsync's image has no ${family === 'other' ? runtime : family} toolchain`);
    }
  }
  if (missing.length > 0) {
    throw new DsyncError('CONFIG', `dsync's image cannot build ${missing.join('; ')}`, {
      hint: 'set "image" in dsync.json to one that has the toolchain (with moto for --emulator), e.g. a team image FROM a SAM build image; see docs/usage.md "Runtimes"',
    });
  }
  return { nodeMajors: [...nodeMajors].sort((a, b) => a - b), pythons: [...pythons].sort() };
}
