// The host's path flavour and file-system quirks, injected so that Windows
// behaviour can be unit-tested on Linux with path.win32.
import path from 'node:path';

export type PathFlavour = typeof path.posix | typeof path.win32;

export interface HostPlatform {
  name: NodeJS.Platform;
  path: PathFlavour;
  /** NTFS and APFS (by default) treat `Foo.js` and `foo.js` as one file. */
  caseInsensitive: boolean;
  /** Windows has no executable bit; modes must come from git or a rule. */
  hasExecBit: boolean;
}

export function hostPlatform(name: NodeJS.Platform = process.platform): HostPlatform {
  const windows = name === 'win32';
  return {
    name,
    path: windows ? path.win32 : path.posix,
    caseInsensitive: windows || name === 'darwin',
    hasExecBit: !windows,
  };
}
