// Image references as engines report them back. Docker answers with the name
// it was given; Podman qualifies short names (a locally built image
// "dsync-sam:1" comes back as "localhost/dsync-sam:1", one from Docker Hub as
// "docker.io/library/debian:bookworm"). Compared raw, every `up` against
// Podman would think the image changed and recreate the container.

/** The reference with the registry and namespace engines add implicitly, and the implied tag, made explicit. */
export function canonicalImageRef(ref: string): string {
  let name = ref.trim();
  const at = name.indexOf('@');
  const digest = at >= 0 ? name.slice(at) : '';
  if (at >= 0) name = name.slice(0, at);
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  const tag = colon > slash ? name.slice(colon) : digest ? '' : ':latest';
  if (colon > slash) name = name.slice(0, colon);
  const parts = name.split('/');
  const first = parts[0]!;
  // A first part with a dot or a colon, or "localhost", is a registry host.
  const hasRegistry = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let registry = hasRegistry ? first : 'docker.io';
  let path = hasRegistry ? parts.slice(1) : parts;
  if (registry === 'index.docker.io') registry = 'docker.io';
  if (registry === 'docker.io' && path.length === 1) path = ['library', ...path];
  return `${registry}/${path.join('/')}${tag}${digest}`;
}

/** Do two references name the same image, as an engine (Docker or Podman) would resolve a local name? */
export function sameImageRef(a: string, b: string): boolean {
  if (a === b) return true;
  const ca = canonicalImageRef(a);
  const cb = canonicalImageRef(b);
  if (ca === cb) return true;
  // Podman keeps images built or loaded without a registry under localhost/.
  const local = (c: string) => c.replace(/^localhost\//, 'docker.io/').replace(/^docker\.io\/library\//, 'docker.io/');
  return local(ca) === local(cb);
}
