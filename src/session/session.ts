// The library entry point: createSession(config, deps, plugin?) gives what
// the commands do with a project's container (prepare, live sync, status,
// exec, down) without argv or process globals, so tests drive it directly.
// The SAM loop plugs in through SessionPlugin (./plugin.ts).
import type { DsyncConfig } from '../config/config.js';
import type { SessionPlugin } from './plugin.js';
import { ProjectSession } from './project-session.js';
import type { Session, SessionDeps } from './types.js';

export type { RunningSync, Session, SessionDeps } from './types.js';
export type { StatusReport } from './session-status.js';

export function createSession(config: DsyncConfig, deps: SessionDeps, plugin?: SessionPlugin): Session {
  return new ProjectSession(config, deps, plugin);
}
