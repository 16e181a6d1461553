// Wires the real adapters (dockerode, chokidar, execa, node:fs) into a session.
import fs from 'node:fs';
import os from 'node:os';
import { loadConfig, validateSettings, type DsyncConfig } from '../config/config.js';
import { systemClock } from '../core/clock.js';
import { runHostCommand } from '../core/host-process.js';
import type { Reporter } from '../core/reporter.js';
import { createSession, type Session } from '../core/session.js';
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

export function createCliSession(config: DsyncConfig, reporter: Reporter, env: Record<string, string | undefined>): Session {
  const platform = hostPlatform();
  const endpoint = resolveEngine({ env, platform: platform.name, homedir: os.homedir(), readFile: readText });
  return createSession(config, {
    client: createDockerodeClient(endpoint),
    reporter,
    clock: systemClock,
    platform,
    fs: nodeHostFs,
    runHost: runHostCommand,
    watcherFactory: chokidarWatcherFactory(platform.path),
    hostname: os.hostname(),
  });
}
