// The slice of the file system the sync reads, as an interface so tests can
// fake errors (EBUSY, vanishing files) that are hard to provoke for real.
import { promises as fsp } from 'node:fs';

export interface HostStat {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  mode: number;
  size: number;
  mtimeMs: number;
}

export interface HostFs {
  lstat(p: string): Promise<HostStat>;
  readdir(p: string): Promise<string[]>;
  readlink(p: string): Promise<string>;
  readFile(p: string): Promise<string>;
  /** Open for reading and return up to `n` first bytes; fails like open(2) would (EBUSY, EACCES...). */
  readHead(p: string, n: number): Promise<Uint8Array>;
}

export const nodeHostFs: HostFs = {
  lstat: (p) => fsp.lstat(p),
  readdir: (p) => fsp.readdir(p),
  readlink: (p) => fsp.readlink(p),
  readFile: (p) => fsp.readFile(p, 'utf8'),
  async readHead(p, n) {
    const handle = await fsp.open(p, 'r');
    try {
      const buffer = Buffer.alloc(n);
      const { bytesRead } = await handle.read(buffer, 0, n, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  },
};
