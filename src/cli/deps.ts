// Wires the real adapters (dockerode, chokidar, execa, node:fs) into a session.
import fs from 'node:fs';
import os from 'node:os';
import { loadConfig, validateSettings, type DsyncConfig } from '../config/config.js';
import { systemClock } from '../core/clock.js';
import { runHostCommand } from '../core/host-process.js';
import type { Reporter } from '../core/reporter.js';
import { createSession, type Session, type SessionDeps } from '../core/session.js';
import type { ContainerClient } from '../docker/container-client.js';
import { createDockerodeClient } from '../docker/dockerode-client.js';
import { resolveEngine } from '../docker/engine.js';
import { nodeHostFs } from '../sync/host-fs.js';
import { hostPlatform } from '../sync/platform.js';
import { chokidarWatcherFactory } from '../watch/chokidar-watcher.js';

export interface CommonFlags {
  cwd?: string;
  image?: string;
}

function readText(p: string): string | undefined {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

export function loadCliConfig(flags: CommonFlags, env: Record<string, string | undefined>): DsyncConfig {
  const settings = validateSettings({ image: flags.image ?? env.DSYNC_IMAGE }, 'command line');
  return loadConfig({
    cwd: flags.cwd ?? process.cwd(),
    flags: settings,
    readFile: readText,
    isDirectory: (p) => {
      try {
        return fs.statSync(p).isDirectory();
      } catch {
        return false;
      }
    },
  });
}

/** A client for the engine the environment points at (DOCKER_HOST, contexts, default). */
export function connectEngine(env: Record<string, string | undefined>): ContainerClient {
  return createDockerodeClient(resolveEngine({ env, platform: process.platform, homedir: os.homedir(), readFile: readText }));
}

/** The real adapters for a session on this host; tests use the same wiring against the real engine. */
export function realSessionDeps(client: ContainerClient, reporter: Reporter): SessionDeps {
  const platform = hostPlatform();
  return {
    client,
    reporter,
    clock: systemClock,
    platform,
    fs: nodeHostFs,
    runHost: runHostCommand,
    watcherFactory: chokidarWatcherFactory(platform.path),
    hostname: os.hostname(),
  };
}

export function createCliSession(config: DsyncConfig, reporter: Reporter, env: Record<string, string | undefined>): Session {
  return createSession(config, realSessionDeps(connectEngine(env), reporter));
}
