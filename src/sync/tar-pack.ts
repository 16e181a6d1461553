// Packs manifest entries into one tar stream with tar-fs. Headers are ours,
// not the host's: POSIX names, explicit uid/gid, the decided mode, and
// symlink targets already rewritten to stay inside the project.
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import tarFs from 'tar-fs';
import type { Pack } from 'tar-stream';
import type { ManifestEntry } from './manifest.js';

export interface PackOptions {
  root: string;
  entries: readonly ManifestEntry[];
  uid: number;
  gid: number;
  /** Prepended to every name, e.g. "workspace/" when extracting at the volume root. */
  prefix: string;
  /** Small files to add after the entries (state written alongside the sync). */
  extra?: Array<{ name: string; content: string | Buffer; mode?: number }>;
}

export function packEntries(options: PackOptions): Readable {
  const byName = new Map<string, ManifestEntry>();
  const hostNames: string[] = [];
  for (const entry of options.entries) {
    byName.set(entry.path, entry);
    hostNames.push(entry.path.split('/').join(path.sep));
  }
  const linkTargets = new Map<string, string>();
  for (const entry of options.entries) {
    if (entry.type === 'symlink' && entry.target !== undefined) {
      linkTargets.set(path.join(options.root, ...entry.path.split('/')), entry.target);
    }
  }
  // tar-fs reads link targets itself; hand it the target dsync already vetted.
  const guardedFs = {
    ...fs,
    readlink(p: string, cb: (err: NodeJS.ErrnoException | null, target?: string) => void) {
      const target = linkTargets.get(p);
      if (target !== undefined) cb(null, target);
      else cb(Object.assign(new Error(`unexpected symlink ${p}`), { code: 'EINVAL' }));
    },
  };
  const extra = options.extra ?? [];
  const packOptions = {
    entries: hostNames,
    fs: guardedFs as unknown as typeof fs,
    // tar-fs descends into listed folders; dsync lists every path it wants
    // itself, so nothing is found by descending (or packed twice).
    ignore: () => true,
    finalize: extra.length === 0,
    finish: (pack: Pack) => {
      if (extra.length === 0) return;
      let pending = extra.length;
      for (const file of extra) {
        pack.entry({ name: file.name, mode: file.mode ?? 0o644, uid: options.uid, gid: options.gid, mtime: new Date() }, file.content, () => {
          if (--pending === 0) pack.finalize();
        });
      }
    },
    map(header: tarFs.Headers) {
      const projectPath = header.name.replace(/\\/g, '/').replace(/\/$/, '');
      const entry = byName.get(projectPath);
      header.name = options.prefix + projectPath;
      header.uid = options.uid;
      header.gid = options.gid;
      if (entry) header.mode = entry.mode;
      return header;
    },
  };
  return tarFs.pack(options.root, packOptions as tarFs.PackOptions) as unknown as Readable;
}

/** A tar of in-memory files (build contexts, helper scripts), owned by root. */
export function packFiles(files: ReadonlyArray<{ name: string; content: string | Buffer; mode?: number }>): Readable {
  return packEntries({
    root: '.',
    entries: [],
    uid: 0,
    gid: 0,
    prefix: '',
    extra: files.map((f) => ({ name: f.name, content: f.content, mode: f.mode })),
  });
}
