// Engine failures as DsyncErrors: a transport error means the engine is
// unreachable; an API status names what the engine refused (a container
// gone or stopped, a missing image). Anything else is passed through.
import { DsyncError, errnoCode } from '../base/errors.js';
import { elsewhereHint, type EngineElsewhere } from './engines-elsewhere.js';

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ESOCKETTIMEDOUT']);

export const UNREACHABLE_HINT = 'start Docker Desktop or dockerd, or point DOCKER_HOST / DOCKER_CONTEXT at a running engine';

/**
 * `what`: what dsync was doing ("copying files into the container"); `where`: the endpoint, for messages;
 * `elsewhere`: other engines' endpoints that exist on this machine, asked only when this one is unreachable.
 */
export function engineError(error: unknown, what: string, where: string, elsewhere: () => EngineElsewhere[] = () => []): unknown {
  if (error instanceof DsyncError) return error;
  const code = errnoCode(error);
  if (code && UNREACHABLE.has(code)) {
    const others = elsewhereHint(elsewhere());
    return new DsyncError('ENGINE_UNREACHABLE', `Cannot reach the Docker engine at ${where}: ${code}`, {
      hint: others ? `${UNREACHABLE_HINT}; ${others}` : UNREACHABLE_HINT,
      cause: error,
    });
  }
  const status = (error as { statusCode?: number }).statusCode;
  const detail = apiMessage(error);
  if (status === 404 && /no such container/i.test(detail)) {
    return new DsyncError('CONTAINER_GONE', `The container went away while ${what}`, { cause: error });
  }
  if (status === 409 && /is not running|is paused|is restarting/i.test(detail)) {
    return new DsyncError('CONTAINER_GONE', `The container stopped while ${what}: ${detail}`, { cause: error });
  }
  if (status === 404 && /no such image/i.test(detail)) {
    return new DsyncError('IMAGE_MISSING', detail, { cause: error });
  }
  if (status !== undefined) {
    return new DsyncError('ENGINE', `Docker engine refused ${what}: ${detail} (HTTP ${status})`, { cause: error });
  }
  return error;
}

function apiMessage(error: unknown): string {
  const json = (error as { json?: { message?: string } }).json;
  if (json?.message) return json.message;
  const reason = (error as { reason?: string }).reason;
  return reason ?? (error instanceof Error ? error.message : String(error));
}
