// The container's side of the manifest: one shell script that works with
// busybox as well as GNU tools, and a parser for what it prints. Folders that
// are always ignored (node_modules, .aws-sam, .git) are pruned in the find
// itself so builds in the container do not slow the listing down.
import type { Manifest, ManifestEntry, EntryType } from './manifest.js';
import { ALWAYS_PRUNED_DIRS } from './ignore-rules.js';
import { isProjectPath } from '../base/paths.js';

const LINKS_MARKER = '--dsync-links--';
/** GNU find lists everything in one pass with -printf, NUL-separated (any name survives); busybox has no -printf. */
const GNU_MARKER = '--dsync-gnu--';

export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** GNU find's -printf format for one entry: six NUL-terminated fields (see parseGnuListing). */
export const GNU_PRINTF = `'%y\\0%m\\0%s\\0%T@\\0%p\\0%l\\0'`;

/** `find <starts> -mindepth 1`-style prefix that skips the always-ignored folders. */
export function prunedFind(starts: string, extra = ''): string {
  const prune = ALWAYS_PRUNED_DIRS.map((d) => `-name ${shellQuote(d)}`).join(' -o ');
  return `find ${starts}${extra} \\( ${prune} \\) -prune -o`;
}

export function remoteListScript(workspace: string): string {
  return [`mkdir -p ${shellQuote(workspace)} && cd ${shellQuote(workspace)} || exit 3`, ...listing(prunedFind('.', ' -mindepth 1'), true)].join('\n');
}

/**
 * The same listing for the paths given as arguments ("./"-prefixed): each
 * path alone, or with everything below it when `recursive`. Paths that do
 * not exist are simply not listed.
 */
export function remotePathsScript(workspace: string, recursive: boolean): string {
  const find = recursive ? prunedFind('"$@"') : 'find "$@" -maxdepth 0';
  return [`cd ${shellQuote(workspace)} || exit 3`, ...listing(`${find}`, false), 'exit 0'].join('\n');
}

function listing(find: string, exitWithFind: boolean): string[] {
  return [
    `if find . -maxdepth 0 -printf '' 2>/dev/null; then echo ${GNU_MARKER}; ${find} -printf ${GNU_PRINTF}${exitWithFind ? '; exit $?' : ' 2>/dev/null; exit 0'}; fi`,
    `${find} -exec stat -c '%F\t%a\t%s\t%Y\t%n' {} +${exitWithFind ? '' : ' 2>/dev/null'}`,
    `echo ${LINKS_MARKER}`,
    `${find} -type l -exec sh -c 'for f do printf "%s\\t%s\\n" "$f" "$(readlink "$f")"; done' sh {} +${exitWithFind ? '' : ' 2>/dev/null'}`,
  ];
}

const TYPES: Record<string, EntryType | undefined> = {
  'regular file': 'file',
  'regular empty file': 'file',
  directory: 'dir',
  'symbolic link': 'symlink',
};

const GNU_TYPES: Record<string, EntryType | undefined> = { f: 'file', d: 'dir', l: 'symlink' };

export function parseRemoteListing(output: string): Manifest {
  if (output.startsWith(`${GNU_MARKER}\n`)) return parseGnuListing(output.slice(GNU_MARKER.length + 1));
  const manifest: Manifest = new Map();
  const [statPart = '', linkPart = ''] = output.split(`${LINKS_MARKER}\n`);
  for (const line of statPart.split('\n')) {
    const fields = line.split('\t');
    if (fields.length < 5) continue;
    const [kind = '', mode = '', size = '', mtime = ''] = fields;
    const p = stripDot(fields.slice(4).join('\t'));
    const type = TYPES[kind];
    if (type === undefined || p === undefined) continue;
    const entry: ManifestEntry = {
      path: p,
      type,
      mode: type === 'symlink' ? 0o777 : parseInt(mode, 8) & 0o777,
      size: type === 'file' ? Number(size) : 0,
      mtime: Number(mtime),
    };
    manifest.set(p, entry);
  }
  for (const line of linkPart.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const p = stripDot(line.slice(0, tab));
    const entry = p === undefined ? undefined : manifest.get(p);
    if (entry?.type === 'symlink') entry.target = line.slice(tab + 1);
  }
  return manifest;
}

/** Records of six NUL-terminated fields: type letter, octal mode, size, mtime (seconds.fraction), path, link target. */
export function parseGnuListing(output: string): Manifest {
  const manifest: Manifest = new Map();
  const fields = output.split('\0');
  for (let i = 0; i + 5 < fields.length; i += 6) {
    const type = GNU_TYPES[fields[i]!];
    const p = stripDot(fields[i + 4]!);
    if (type === undefined || p === undefined) continue;
    const entry: ManifestEntry = {
      path: p,
      type,
      mode: type === 'symlink' ? 0o777 : parseInt(fields[i + 1]!, 8) & 0o777,
      size: type === 'file' ? Number(fields[i + 2]) : 0,
      // Whole seconds from the text: as a double, 1700000001.999999999 would round up to the next second.
      mtime: Number(fields[i + 3]!.split('.')[0]),
    };
    if (type === 'symlink') entry.target = fields[i + 5];
    manifest.set(p, entry);
  }
  return manifest;
}

function stripDot(p: string): string | undefined {
  if (!p.startsWith('./')) return undefined;
  const rel = p.slice(2);
  return isProjectPath(rel) ? rel : undefined;
}
