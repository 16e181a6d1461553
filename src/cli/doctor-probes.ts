// The real probes behind `dsync doctor`: the engine from the environment,
// the project's container by its labels, host credentials as `up` resolves
// them, the host's files, git and /proc.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { runHostCommand } from '../base/host-process.js';
import { silentReporter } from '../base/reporter.js';
import type { DsyncConfig } from '../config/config.js';
import type { ContainerClient } from '../docker/container-client.js';
import type { DoctorMode, DoctorProbes } from '../loop/doctor/doctor.js';
import { createSession } from '../session/session.js';
import { nodeHostFs } from '../sync/host-fs.js';
import { parseGitLsFiles } from '../sync/modes.js';
import { connectEngine, credentialsFor, hostCaFiles, profileFor, readText, realSessionDeps, samImageSource } from './deps.js';

export interface DoctorFlags {
  profile?: string;
  configEnv?: string;
}

export function doctorProbes(config: DsyncConfig, mode: DoctorMode, env: Record<string, string | undefined>, flags: DoctorFlags): DoctorProbes {
  let client: ContainerClient | undefined;
  const connect = () => (client ??= connectEngine(env));
  const syncRoot = config.layout?.syncRoot ?? config.root;
  return {
    connect,
    findContainer: () => createSession(config, realSessionDeps(connect(), silentReporter)).findContainer(),
    samImageSource: () => samImageSource(config, env),
    credentials: async () => credentialsFor(mode === 'emulator' ? 'emulator' : 'aws', env, await profileFor(config, flags.profile, flags.configEnv)).get(),
    readProject: async (projectPath) => readText(path.join(config.root, ...projectPath.split('/'))),
    fs: nodeHostFs,
    gitIndex: async () => {
      const result = await runHostCommand('git', ['ls-files', '-s', '-z'], { cwd: syncRoot });
      return result.exitCode === 0 ? parseGitLsFiles(result.stdout) : undefined;
    },
    readSystemFile: (p) => fsp.readFile(p, 'utf8').catch(() => undefined),
    hostCaFiles: () => hostCaFiles(env),
  };
}
