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
    return new DsyncError('ENGINE', `Docker engine refused ${what}: ${detail} (HTTP ${status})`, { cause: error, hint: refusalHint(detail) });
  }
  return error;
}

/**
 * Refusals seen from engines other than Docker's own (Podman above all), each
 * with what fixes it: the engine's own message names the symptom, not the setting.
 */
const KNOWN_REFUSALS: Array<[RegExp, string]> = [
  [
    /container-init binary not found|catatonit/i,
    "the engine has no init binary for the container's --init: install catatonit (apt install catatonit, dnf install catatonit) or set init_path in containers.conf",
  ],
  [
    /setrlimit .*(RLIMIT_NOFILE|RLIMIT_NPROC)|rlimit type \d+: operation not permitted/i,
    "the engine gives containers higher file or process limits than this host allows: set lower default_ulimits in containers.conf (Podman), e.g. default_ulimits = [\"nofile=20000:20000\"]",
  ],
  [/cgroups in hybrid mode not supported/i, 'crun refuses hosts with cgroups v1 and v2 mounted together: set runtime = "runc" under [engine] in containers.conf (Podman)'],
];

function refusalHint(detail: string): string | undefined {
  return KNOWN_REFUSALS.find(([re]) => re.test(detail))?.[1];
}

function apiMessage(error: unknown): string {
  const json = (error as { json?: { message?: string } }).json;
  if (json?.message) return json.message;
  const reason = (error as { reason?: string }).reason;
  return reason ?? (error instanceof Error ? error.message : String(error));
}
