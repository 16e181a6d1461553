// The edit storm the storm suites make (test/e2e/storm.test.ts, and the
// Windows tier's, test/windows/): rounds of random creates, edits,
// truncations, deletes, renames, folder moves and folder deletes, spread over
// a few hundred milliseconds so that files vanish and folders move while the
// batch that names them is being packed and sent.
import fs from 'node:fs';
import path from 'node:path';

export const OPS = 150;

export function rng(seed: number) {
  let s = seed;
  return (n: number) => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s % n;
  };
}

export function walk(dir: string, want: 'file' | 'dir'): string[] {
  try {
    return fs
      .readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((d) => (want === 'file' ? d.isFile() : d.isDirectory()))
      .map((d) => path.join(d.parentPath, d.name));
  } catch {
    return [];
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function stormRound(base: string, round: number, rand: (n: number) => number): Promise<void> {
  for (let op = 0; op < OPS; op++) {
    const files = walk(base, 'file');
    const dirs = walk(base, 'dir');
    const pick = <T>(list: T[]) => list[rand(list.length)]!;
    const kind = files.length < 8 ? 0 : rand(9);
    try {
      if (kind === 0) {
        // A new file of up to ~400 KB: big enough that packing takes a while.
        const dir = dirs.length && rand(2) ? pick(dirs) : base;
        const p = path.join(dir, `f${round}-${op}.bin`);
        fs.writeFileSync(p, Buffer.alloc(rand(400) * 1024 + rand(100), round + op));
        // Often gone again a moment later, while its batch is on the way.
        if (rand(3) === 0) setTimeout(() => fs.rmSync(p, { force: true, recursive: true }), rand(20));
      } else if (kind === 1) {
        fs.appendFileSync(pick(files), `edit ${round}/${op}\n`);
      } else if (kind === 2) {
        fs.rmSync(pick(files), { force: true });
      } else if (kind === 3) {
        const from = pick(files);
        fs.renameSync(from, path.join(path.dirname(from), `r${round}-${op}.txt`));
      } else if (kind === 4) {
        const dir = path.join(base, `d${round}-${op}`, `sub${rand(3)}`);
        fs.mkdirSync(dir, { recursive: true });
        for (let i = 0; i < 1 + rand(6); i++) fs.writeFileSync(path.join(dir, `inside${i}.txt`), Buffer.alloc(rand(200) * 1024, i));
      } else if (kind === 5 && dirs.length > 0) {
        const from = pick(dirs);
        const to = path.join(base, `moved${round}-${op}`);
        fs.renameSync(from, to);
      } else if (kind === 6 && dirs.length > 0) {
        fs.rmSync(pick(dirs), { recursive: true, force: true });
      } else if (kind === 7) {
        fs.truncateSync(pick(files), rand(50));
      } else {
        // Replace a file with a folder of the same name.
        const victim = pick(files);
        fs.rmSync(victim, { force: true });
        fs.mkdirSync(victim);
        fs.writeFileSync(path.join(victim, 'now-a-folder.txt'), 'was a file');
      }
    } catch {
      // A path taken from an earlier listing may already be gone: part of the storm.
    }
    if (rand(4) === 0) await sleep(rand(6));
  }
  await sleep(40); // the delayed deletes above
}
