// Version ranges (the team pins "requires" and "samVersion") through the
// semver package: the one file that imports it.
import semver from 'semver';

/** Whether text is a semver range (an exact version is one too): ">=0.3", "^1.2", "1.170.0", "1.x". */
export function isVersionRange(text: string): boolean {
  return semver.validRange(text.trim()) !== null;
}

/** Whether a version satisfies a range; prereleases count (0.4.0-rc.1 satisfies >=0.3). */
export function satisfiesRange(version: string, range: string): boolean {
  const clean = semver.valid(version.trim()) ?? semver.coerce(version)?.version;
  return clean !== undefined && semver.satisfies(clean, range.trim(), { includePrerelease: true });
}
