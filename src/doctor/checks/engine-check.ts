// Check 1: the Docker engine answers, where it is (DOCKER_HOST, a context or
// the default), which engine it is (Docker Desktop, Podman, Rancher Desktop,
// Colima, a plain dockerd) and its version. An engine with known gaps is a
// warning that lists them; a failure carries the engine errors' own fix
// (start Docker, point DOCKER_HOST / DOCKER_CONTEXT at it).
import { fromError, pass, warn, type CheckDefinition, type CheckResult, type EngineReport } from '../check.js';
import type { DoctorContext } from '../context.js';
import type { EngineVersion } from '../../docker/container-client.js';

export function engineCheck(ctx: DoctorContext): CheckDefinition {
  return {
    id: 'engine',
    // The context bounds the engine's answer itself; this is a backstop.
    timeoutMs: (ctx.timeouts?.engine ?? 5_000) + 1_000,
    onTimeout: 'fail',
    timeoutFix: 'restart Docker Desktop or dockerd, or point DOCKER_HOST / DOCKER_CONTEXT at a running engine',
    async run() {
      try {
        const { client, version } = await ctx.engineState;
        const where = client.endpoint.includes('(from ') ? client.endpoint : `${client.endpoint} (default)`;
        return engineResult(version, where);
      } catch (error) {
        return fromError('engine', error, 'start Docker Desktop or dockerd, or point DOCKER_HOST / DOCKER_CONTEXT at a running engine');
      }
    },
  };
}

/** A pass naming the engine, or a warning that adds its known gaps (facts joined in the message, hints in the fix). */
export function engineResult(version: EngineVersion, where: string): CheckResult {
  const { identity } = version;
  const engine: EngineReport = {
    kind: identity.kind,
    label: identity.label,
    version: version.version,
    apiVersion: version.apiVersion,
    os: version.os,
    arch: version.arch,
    rootless: identity.rootless,
    endpoint: where,
    gaps: identity.gaps,
  };
  const found = `${describe(version)} at ${where}`;
  if (identity.gaps.length === 0) return { ...pass('engine', found), engine };
  const facts = identity.gaps.map((g) => g.fact).join('; ');
  const fixes = identity.gaps.map((g) => g.hint).join('; ');
  return { ...warn('engine', `${found}; known gap${identity.gaps.length === 1 ? '' : 's'}: ${facts}`, fixes), engine };
}

/**
 * "Docker Engine 27.3.1 (API 1.47, linux/amd64)", "Podman 4.3.1 (Docker API 1.41, linux/amd64, rootless)",
 * "Docker Desktop 4.33.0 with Docker Engine 27.1.1 (API 1.46, linux/arm64)".
 */
function describe(version: EngineVersion): string {
  const { identity } = version;
  const platform = `${version.os}/${version.arch}${identity.rootless ? ', rootless' : ''}`;
  switch (identity.kind) {
    case 'dockerd':
      return `Docker Engine ${version.version} (API ${version.apiVersion}, ${platform})`;
    case 'docker-desktop':
    case 'rancher-desktop':
    case 'colima':
      return `${identity.label} with Docker Engine ${version.version} (API ${version.apiVersion}, ${platform})`;
    default:
      // Podman's and unknown engines' versions are their own; the API version is Docker's.
      return `${identity.label} ${version.version} (Docker API ${version.apiVersion}, ${platform})`;
  }
}
