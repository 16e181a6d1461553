// The container's side of the manifest: one shell script that works with
// busybox as well as GNU tools, and a parser for what it prints. Folders that
// are always ignored (node_modules, .aws-sam, .git) are pruned in the find
// itself so builds in the container do not slow the listing down.
import type { Manifest, ManifestEntry, EntryType } from './manifest.js';
import { ALWAYS_PRUNED_DIRS } from './ignore-rules.js';
import { isProjectPath } from '../base/paths.js';

const LINKS_MARKER = '--dsync-links--';

export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function remoteListScript(workspace: string): string {
  const prune = ALWAYS_PRUNED_DIRS.map((d) => `-name ${shellQuote(d)}`).join(' -o ');
  const find = `find . -mindepth 1 \\( ${prune} \\) -prune -o`;
  return [
    `mkdir -p ${shellQuote(workspace)} && cd ${shellQuote(workspace)} || exit 3`,
    `${find} -exec stat -c '%F\t%a\t%s\t%Y\t%n' {} +`,
    `echo ${LINKS_MARKER}`,
    `${find} -type l -exec sh -c 'for f do printf "%s\\t%s\\n" "$f" "$(readlink "$f")"; done' sh {} +`,
  ].join('\n');
}

const TYPES: Record<string, EntryType | undefined> = {
  'regular file': 'file',
  'regular empty file': 'file',
  directory: 'dir',
  'symbolic link': 'symlink',
};

export function parseRemoteListing(output: string): Manifest {
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

function stripDot(p: string): string | undefined {
  if (!p.startsWith('./')) return undefined;
  const rel = p.slice(2);
  return isProjectPath(rel) ? rel : undefined;
}
