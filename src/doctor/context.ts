// What `dsync doctor`'s checks run on: the project's settings and every
// probe of the outside world (the engine, the host's files, credentials,
// kernel limits), injected so that each check is a function tests can feed.
// Answers several checks need (the engine, the container, the template, the
// scan of the project) are asked once and shared.
import { DsyncError } from '../base/errors.js';
import type { HostPlatform } from '../base/platform.js';
import type { DsyncConfig } from '../config/config.js';
import type { ContainerClient, ContainerInfo, EngineVersion, ExecResult } from '../docker/container-client.js';
import type { Credentials } from '../sam/credentials.js';
import { loadTemplateModel, type TemplateModel } from '../sam/template.js';
import type { HostFs } from '../sync/host-fs.js';
import type { GitIndex } from '../sync/modes.js';
import type { SamImageSource } from '../images/sam-image.js';
import { findTemplate } from '../sam/sam-project.js';
import { Skip } from './check.js';
import { scanProject, type ProjectScan } from './project-scan.js';

export type DoctorMode = 'emulator' | 'aws';

/** The part of the engine client the checks use. */
export type DoctorEngine = Pick<ContainerClient, 'endpoint' | 'ping' | 'engineVersion' | 'inspectImage' | 'exec'>;

export interface DoctorProbes {
  /** A client for the engine the environment names; throws for a bad DOCKER_HOST or context. */
  connect(): DoctorEngine;
  /** The project's container (a running one first), found by its labels; undefined when there is none. */
  findContainer(): Promise<ContainerInfo | undefined>;
  /** The inputs of dsync's SAM image (its tag in emulator mode). */
  samImageSource(): Promise<SamImageSource>;
  /** Host credentials, resolved the way `dsync up` does (real AWS). */
  credentials(): Promise<Credentials>;
  /** A file of the project folder by its project path; undefined when it does not exist. */
  readProject(projectPath: string): Promise<string | undefined>;
  /** The host's file system, for the scan of the project. */
  fs: HostFs;
  /** The git index of the synced folder; undefined outside git or without git. */
  gitIndex(): Promise<GitIndex | undefined>;
  /** A kernel setting (/proc/sys/...); undefined when it cannot be read. */
  readSystemFile(p: string): Promise<string | undefined>;
  /** Extra CA certificate files this host adds (DSYNC_EXTRA_CA_CERTS, /usr/local/share/ca-certificates). */
  hostCaFiles(): string[];
}

export interface DoctorInput {
  config: DsyncConfig;
  mode: DoctorMode;
  /** samconfig environment (--config-env). */
  configEnv?: string;
  env: Record<string, string | undefined>;
  platform: HostPlatform;
  /** Wall-clock time in epoch ms (the clock check compares it with the container's). */
  now(): number;
  /** Why dsync.json could not be loaded; the other checks then run on the defaults. */
  configError?: unknown;
  /** Time limits by check id (ms), to override the defaults. */
  timeouts?: Record<string, number>;
}

export interface TemplateFound {
  /** Project path of the template. */
  path: string;
  text?: string;
  model?: TemplateModel;
  error?: unknown;
}

export interface DoctorContext extends DoctorInput {
  probes: DoctorProbes;
  /** The engine with its version; a Skip when it is not reachable. */
  engine(): Promise<{ client: DoctorEngine; version: EngineVersion }>;
  /** The engine, or its error, unshared: for the engine check itself. */
  engineState: Promise<{ client: DoctorEngine; version: EngineVersion }>;
  /** The project's running container; a Skip (saying to run `dsync up`) when there is none. */
  runningContainer(): Promise<ContainerInfo>;
  /** Run a command in the running container. */
  execInContainer(cmd: string[]): Promise<ExecResult>;
  template(): Promise<TemplateFound>;
  scan(): Promise<ProjectScan>;
}

/** Limit for the engine's first answer; later checks skip when it is missed. */
export const ENGINE_TIMEOUT_MS = 5_000;

const once = <T>(fn: () => Promise<T>): (() => Promise<T>) => {
  let value: Promise<T> | undefined;
  return () => (value ??= fn());
};

/** `work`, or `error` when it takes longer than `ms`. */
export function within<T>(work: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(error()), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

export function createDoctorContext(input: DoctorInput, probes: DoctorProbes): DoctorContext {
  const engineMs = input.timeouts?.engine ?? ENGINE_TIMEOUT_MS;
  const engineState = (async () => {
    const client = probes.connect();
    const answer = (async () => {
      await client.ping();
      return { client, version: await client.engineVersion() };
    })();
    return within(
      answer,
      engineMs,
      () =>
        new DsyncError('ENGINE_UNREACHABLE', `The Docker engine at ${client.endpoint} did not answer within ${engineMs / 1000} s`, {
          hint: 'restart Docker Desktop or dockerd, or point DOCKER_HOST / DOCKER_CONTEXT at a running engine',
        }),
    );
  })();
  engineState.catch(() => undefined); // read by the engine check; the others only skip
  const engine = once(() => engineState.catch(() => Promise.reject(new Skip('the Docker engine is not reachable (see engine)'))));
  const container = once(async () => {
    await engine();
    return probes.findContainer();
  });
  const runningContainer = async () => {
    const found = await container();
    if (!found) throw new Skip('no dsync container for this project yet (run `dsync up` first)');
    if (found.state !== 'running') throw new Skip(`the container ${found.name} is ${found.state} (run \`dsync up\` to start it)`);
    return found;
  };
  const template = once(async (): Promise<TemplateFound> => {
    const { templatePath } = await findTemplate(input.config, input.configEnv, probes.readProject, input.platform.path);
    const text = await probes.readProject(templatePath);
    if (text === undefined) return { path: templatePath };
    try {
      return { path: templatePath, text, model: loadTemplateModel(text, templatePath) };
    } catch (error) {
      return { path: templatePath, text, error };
    }
  });
  return {
    ...input,
    probes,
    engineState,
    engine,
    runningContainer,
    async execInContainer(cmd) {
      const [{ client }, found] = await Promise.all([engine(), runningContainer()]);
      return client.exec(found.id, { cmd });
    },
    template,
    scan: once(() => scanProject({ config: input.config, platform: input.platform, fs: probes.fs, gitIndex: probes.gitIndex, budgetMs: input.timeouts?.scan })),
  };
}
