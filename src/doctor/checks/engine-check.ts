// Check 1: the Docker engine answers, where it is (DOCKER_HOST, a context or
// the default) and which version it runs. A failure carries the engine
// errors' own fix (start Docker, point DOCKER_HOST / DOCKER_CONTEXT at it).
import { fromError, pass, type CheckDefinition } from '../check.js';
import type { DoctorContext } from '../context.js';

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
        return pass('engine', `Docker Engine ${version.version} (API ${version.apiVersion}, ${version.os}/${version.arch}) at ${where}`);
      } catch (error) {
        return fromError('engine', error, 'start Docker Desktop or dockerd, or point DOCKER_HOST / DOCKER_CONTEXT at a running engine');
      }
    },
  };
}
