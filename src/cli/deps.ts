// Wires the real adapters (dockerode, chokidar, execa, node:fs) into a session.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CONFIG_FILE, loadConfig, validateSettings, type DsyncConfig } from '../config/config.js';
import { decodeText } from '../config/text.js';
import { findDevcontainerFile } from '../config/devcontainer-file.js';
import { systemClock } from '../base/clock.js';
import { runHostCommand, runInteractiveHostCommand } from '../base/host-process.js';
import { DEFAULT_SAM_BASE_IMAGE, type SamImageSource } from '../images/sam-image.js';
import type { TargetMode } from '../sam/commands.js';
import { chooseProfile, EMULATOR_CREDENTIALS, hostCredentialResolver, staticResolver, type CredentialResolver, type ProfileChoice } from '../sam/credentials.js';
import { findTemplate, samconfigProfile } from '../sam/sam-project.js';
import { projectOnlyLayout, resolveLayout } from '../sam/project-layout.js';
import { functionIds, tryTemplateModel, type TemplateModel } from '../sam/template.js';
import type { Reporter } from '../base/reporter.js';
import { createSession } from '../session/session.js';
import { createSamLoop, type SamRequest } from '../samloop/sam-loop.js';
import type { ContainerClient } from '../docker/container-client.js';
import { createDockerodeClient } from '../docker/dockerode-client.js';
import { resolveEngine } from '../docker/engine.js';
import { enginesElsewhere } from '../docker/engines-elsewhere.js';
import { nodeHostFs } from '../sync/host-fs.js';
import { hostPlatform } from '../base/platform.js';
import { chokidarWatcherFactory } from '../watch/chokidar-watcher.js';
import { dirWatcherFactory } from '../watch/dir-watcher.js';
import { version } from './version.js';
import { DOCKER_DIR } from '../images/tools.js';
import { hostCaCertificates } from '../docker/host-certificates.js';
import type { Session, SessionDeps } from '../session/types.js';

export interface CommonFlags {
  cwd?: string;
  image?: string;
  template?: string;
  root?: string;
}

/** A host file's text (BOM and UTF-16 decoded), or undefined when it cannot be read. */
export function readText(p: string): string | undefined {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(p);
  } catch {
    return undefined;
  }
  return decodeText(bytes, p);
}

/** The project's settings (dsync.json, flags, DSYNC_IMAGE), with this dsync checked against its "requires" pin. `withoutFile`: ignore dsync.json and the devcontainer.json's settings, and do not check "requires" (doctor's fallback when they are broken). */
export function loadCliConfig(flags: CommonFlags, env: Record<string, string | undefined>, options: { withoutFile?: boolean } = {}): DsyncConfig {
  const settings = validateSettings({ image: flags.image ?? env.DSYNC_IMAGE, template: flags.template, root: flags.root }, 'command line');
  const cwd = flags.cwd ?? process.cwd();
  // A devcontainer.json's customizations.dsync are settings too (below dsync.json's).
  const devcontainerFile = options.withoutFile ? undefined : findDevcontainerFile(path.resolve(cwd), path, (p) => fs.existsSync(p));
  const devcontainerText = devcontainerFile === undefined ? undefined : readText(devcontainerFile);
  return loadConfig({
    cwd,
    devcontainer: devcontainerFile !== undefined && devcontainerText !== undefined ? { file: devcontainerFile, text: devcontainerText } : undefined,
    startDir: process.cwd(),
    flags: settings,
    dsyncVersion: options.withoutFile ? undefined : version(),
    readFile: (p) => (options.withoutFile && path.basename(p) === CONFIG_FILE ? undefined : readText(p)),
    isDirectory: (p) => {
      try {
        return fs.statSync(p).isDirectory();
      } catch {
        return false;
      }
    },
  });
}

/**
 * The config with what the container mirrors: the project folder, or in a
 * monorepo the folder that also holds the code the template names outside
 * it. `strict`: a reference dsync cannot reach is an error (up); otherwise
 * (status, exec, logs, --sync-only) the project folder alone is mirrored.
 */
export async function withLayout(config: DsyncConfig, options: { configEnv?: string; strict: boolean }): Promise<DsyncConfig> {
  try {
    const model = await readTemplateModel(config, options.configEnv);
    const givenRoot = config.rootDir !== undefined ? { path: config.rootDir, from: config.rootFrom ?? '--root' } : undefined;
    const layout = await resolveLayout({ root: config.root, givenRoot, model, flavour: path, exists: async (p) => fs.existsSync(p) });
    return { ...config, layout };
  } catch (error) {
    if (options.strict) throw error;
    return { ...config, layout: projectOnlyLayout(config.root) };
  }
}

/**
 * The project's template as dsync models it; undefined when it is missing or
 * does not parse (the deployer reports a broken template with its line).
 * Rejects only when samconfig itself cannot be read.
 */
/** The template as dsync models it, read from the host; undefined when it cannot be read or parsed. */
export async function readTemplateModel(config: DsyncConfig, configEnv: string | undefined): Promise<TemplateModel | undefined> {
  const readHost = async (rel: string) => readText(path.join(config.root, ...rel.split('/')));
  const { templatePath } = await findTemplate(config, configEnv, readHost, path);
  return tryTemplateModel(await readHost(templatePath), templatePath);
}

/** The template's functions (logical ids); empty when the template cannot be read (sam logs then looks them up itself). */
export async function templateFunctionIds(config: DsyncConfig, configEnv: string | undefined): Promise<string[]> {
  const model = await readTemplateModel(config, configEnv).catch(() => undefined);
  return model ? functionIds(model) : [];
}

/** A client for the engine the environment points at (DOCKER_HOST, contexts, default). */
export function connectEngine(env: Record<string, string | undefined>): ContainerClient {
  const where = { env, platform: process.platform, homedir: os.homedir() };
  const endpoint = resolveEngine({ ...where, readFile: readText });
  // fs.existsSync sees a named pipe (\\.\pipe\name) on Windows as it sees a socket file elsewhere.
  return createDockerodeClient(endpoint, { elsewhere: () => enginesElsewhere({ ...where, exists: (p) => fs.existsSync(p) }, endpoint.host) });
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
    // Linux: one inotify watch per folder (chokidar keeps one per file); elsewhere chokidar. DSYNC_WATCHER=chokidar forces it.
    watcherFactory: platform.name === 'linux' && process.env.DSYNC_WATCHER !== 'chokidar' ? dirWatcherFactory() : chokidarWatcherFactory(platform.path),
    hostname: os.hostname(),
    user: currentUser(),
  };
}

/** The OS user name; some containers and CI runners have no passwd entry for their uid. */
export function currentUser(env: Record<string, string | undefined> = process.env): string {
  try {
    return os.userInfo().username;
  } catch {
    return env.USER || env.USERNAME || `uid-${process.getuid?.() ?? 'unknown'}`;
  }
}

/** A session on the engine the environment points at; with a SAM request, the SAM loop plugged in. */
export function createCliSession(config: DsyncConfig, reporter: Reporter, env: Record<string, string | undefined>, sam?: SamRequest): Session {
  return createSession(config, realSessionDeps(connectEngine(env), reporter), sam ? createSamLoop(config, sam) : undefined);
}

/** Inputs of dsync's Debian SAM image: the packaged Dockerfile, the host's extra CAs, the base image. */
export async function samImageSource(config: DsyncConfig, env: Record<string, string | undefined>): Promise<SamImageSource> {
  const dockerfile = fs.readFileSync(path.join(DOCKER_DIR, 'Dockerfile'), 'utf8');
  return { dockerfile, caCertificates: hostCaCertificates(env), baseImage: env.DSYNC_SAM_BASE_IMAGE ?? config.samBaseImage ?? DEFAULT_SAM_BASE_IMAGE };
}

/**
 * Host-side credentials for real AWS (and other endpoints): the profile from
 * --profile or samconfig, through the AWS SDK, with the AWS CLI as a
 * fallback; fixed dummy keys for the emulator.
 */
export function credentialsFor(mode: TargetMode, env: Record<string, string | undefined>, profile: ProfileChoice = {}): CredentialResolver {
  if (mode === 'emulator') return staticResolver(EMULATOR_CREDENTIALS);
  return hostCredentialResolver({
    env,
    profile,
    sdk: async (name) => (await import('./aws-sdk.js')).sdkCredentials(name),
    cli: runInteractiveHostCommand,
    now: () => Date.now(),
  });
}

/** The profile to resolve credentials for: --profile, else samconfig's (for the chosen --config-env). */
export async function profileFor(config: DsyncConfig, flag: string | undefined, configEnv: string | undefined): Promise<ProfileChoice> {
  const found = await samconfigProfile(async (rel) => readText(path.join(config.root, rel)), configEnv ?? config.configEnv ?? 'default');
  return chooseProfile(flag, found.profile, found.file);
}
