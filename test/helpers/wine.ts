// dsync's CLI as win32 for the Windows tier's tests (test/windows/): Windows'
// node.exe under Wine (scripts/windows-tier/wnode), run from the copy of the
// repository with win32 node_modules that `npm run test:windows` makes
// (DSYNC_WIN_REPO); and what the container must hold by dsync's Windows rules.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliCommand } from './cli.js';

export const WNODE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scripts/windows-tier/wnode');

/** A Linux path as win32 code under Wine sees it: Z: is the Linux root. */
export const winPath = (p: string) => `Z:${p.split('/').join('\\')}`;

/** The CLI as node.exe under Wine (wnode), through the same helpers as the Linux end-to-end tests. */
export const viaWine = (): CliCommand => ({ file: WNODE, args: [winPath(path.join(process.env.DSYNC_WIN_REPO ?? '', 'bin/dsync.js'))] });

const sha = (p: string) => createHash('sha256').update(fs.readFileSync(p)).digest('hex');

/**
 * What the container must hold, by dsync's Windows rules: folders 755; a file
 * is what the git index says (100755, or 120000: a symlink checked out as a
 * text file holding its target), else 755 when it starts with #!, else 644.
 */
export function expectedWindowsTree(root: string, gitIndex: { exec: string[]; links: string[] }): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of fs.readdirSync(dir)) {
      const abs = path.join(dir, name);
      const rel = path.relative(root, abs);
      if (rel === '.git') continue;
      if (gitIndex.links.includes(rel)) out.push(`${rel}|symlink|${fs.readFileSync(abs, 'utf8')}`);
      else if (gitIndex.exec.includes(rel)) out.push(`${rel}|file|755|${sha(abs)}`);
      else if (fs.statSync(abs).isDirectory()) {
        out.push(`${rel}|dir|755`);
        walk(abs);
      } else {
        const exec = fs.readFileSync(abs).subarray(0, 2).toString() === '#!';
        out.push(`${rel}|file|${exec ? 755 : 644}|${sha(abs)}`);
      }
    }
  };
  walk(root);
  return out.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}
