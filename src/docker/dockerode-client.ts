// The only file that imports dockerode: ContainerClient over the Engine API.
import Docker from 'dockerode';
import { PassThrough, type Readable } from 'node:stream';
import type { BuildOptions, ContainerClient, ContainerInfo, ContainerSpec, ExecChannel, ExecOptions, ExecResult, PullProgress } from './container-client.js';
import { connectionOptions, type EngineEndpoint } from './engine.js';
import { createBody, labelFilters, toInfo } from './engine-json.js';
import type { HostKeyVerdict } from './known-hosts.js';
import { DsyncError } from '../base/errors.js';
import { engineError } from './engine-errors.js';
import type { EngineElsewhere } from './engines-elsewhere.js';
import { identifyEngine, type InfoPayload, type VersionPayload } from './engine-kind.js';
import { sshFailure, sshOptions } from './ssh.js';

export interface DockerodeClientOptions {
  /** Other engines' endpoints on this machine, named in the hint when this one cannot be reached. */
  elsewhere?: () => EngineElsewhere[];
}

export function createDockerodeClient(endpoint: EngineEndpoint, options: DockerodeClientOptions = {}): ContainerClient {
  return new DockerodeClient(endpoint, options);
}

type ImageJson = { Id: string; RepoDigests?: string[] | null; Config?: { Labels?: Record<string, string> | null; User?: string; Env?: string[] | null }; Created?: string };

const statusOf = (error: unknown) => (error as { statusCode?: number }).statusCode;

/** ContainerClient over dockerode: each call's failure becomes one clear DsyncError naming the engine and what was being done. */
class DockerodeClient implements ContainerClient {
  readonly endpoint: string;
  private readonly options: ReturnType<typeof connectionOptions>;
  private readonly docker: Docker;
  /** What the SSH transport decided about the engine's host key (ssh:// engines). */
  private hostKey: HostKeyVerdict | undefined;

  constructor(
    endpoint: EngineEndpoint,
    private readonly extras: DockerodeClientOptions,
  ) {
    this.options = connectionOptions(endpoint);
    this.docker = this.connect();
    this.endpoint = `${endpoint.host}${endpoint.source === 'default' ? '' : ` (from ${endpoint.source})`}`;
  }

  private connect(): Docker {
    const o = this.options;
    if (o.kind === 'socket') return new Docker({ socketPath: o.socketPath });
    if (o.kind === 'tcp') {
      const tls = o.tls ? { ca: o.tls.ca, cert: o.tls.cert, key: o.tls.key, ...(o.tls.verify ? {} : { checkServerIdentity: () => undefined }) } : {};
      return new Docker({ protocol: o.protocol, host: o.host, port: o.port, ...tls } as Docker.DockerOptions);
    }
    return new Docker({ protocol: 'ssh', host: o.host, port: o.port, username: o.username, sshOptions: sshOptions(o, (v) => (this.hostKey = v)) } as Docker.DockerOptions);
  }

  private translate(error: unknown, what: string): unknown {
    return (this.options.kind === 'ssh' ? sshFailure(error, this.options, this.hostKey) : undefined) ?? engineError(error, what, this.endpoint, this.extras.elsewhere);
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw this.translate(error, what);
    }
  }

  /** The call's answer, or `missing` when the engine says 404. */
  private async unless404<T, M>(what: string, missing: M, fn: () => Promise<T>): Promise<T | M> {
    try {
      return await fn();
    } catch (error) {
      if (statusOf(error) === 404) return missing;
      throw this.translate(error, what);
    }
  }

  ping(): Promise<void> {
    return this.call('answering a ping', async () => void (await this.docker.ping()));
  }

  engineVersion() {
    return this.call('telling its version', async () => {
      // /info only names the product; an engine that refuses it is still identified from /version.
      const [v, info] = await Promise.all([this.docker.version(), this.docker.info().catch(() => undefined) as Promise<InfoPayload | undefined>]);
      return { version: v.Version, apiVersion: v.ApiVersion, os: v.Os, arch: v.Arch, identity: identifyEngine(v as VersionPayload, info) };
    });
  }

  findContainers(labels: Record<string, string>): Promise<ContainerInfo[]> {
    return this.call('listing containers', async () => {
      const list = await this.docker.listContainers({ all: true, filters: { label: labelFilters(labels) } });
      return list.map((c) => toInfo({ ...c, State: c.State }));
    });
  }

  inspectContainer(id: string): Promise<ContainerInfo | undefined> {
    return this.unless404('inspecting the container', undefined, async () => toInfo((await this.docker.getContainer(id).inspect()) as never));
  }

  createContainer(spec: ContainerSpec): Promise<string> {
    return this.call('creating the container', () => createContainer(this.docker, spec));
  }

  startContainer(id: string): Promise<void> {
    return this.call('starting the container', async () => {
      try {
        await this.docker.getContainer(id).start();
      } catch (error) {
        if (statusOf(error) !== 304) throw error; // already running
      }
    });
  }

  removeContainer(id: string): Promise<void> {
    return this.unless404('removing the container', undefined, () => this.docker.getContainer(id).remove({ force: true, v: false }));
  }

  ensureVolume(name: string, labels: Record<string, string>): Promise<Record<string, string>> {
    return this.call('creating a volume', async () => {
      // Creating a volume that exists returns the existing one, labels and all.
      await this.docker.createVolume({ Name: name, Labels: labels });
      const info = (await this.docker.getVolume(name).inspect()) as { Labels?: Record<string, string> | null };
      return info.Labels ?? {};
    });
  }

  findVolumes(labels: Record<string, string>) {
    return this.call('listing volumes', async () => {
      const result = await this.docker.listVolumes({ filters: { label: labelFilters(labels) } });
      return (result.Volumes ?? []).map((v) => ({ name: v.Name, labels: (v.Labels as Record<string, string> | null) ?? {} }));
    });
  }

  removeVolume(name: string): Promise<void> {
    return this.unless404('removing a volume', undefined, () => this.docker.getVolume(name).remove());
  }

  imageExists(image: string): Promise<boolean> {
    return this.unless404('inspecting an image', false, async () => (await this.docker.getImage(image).inspect(), true));
  }

  inspectImage(image: string) {
    return this.unless404('inspecting an image', undefined, async () => {
      const info = (await this.docker.getImage(image).inspect()) as ImageJson;
      return { id: info.Id, repoDigests: info.RepoDigests ?? [], labels: info.Config?.Labels ?? {}, created: info.Created || undefined, user: info.Config?.User || undefined, env: info.Config?.Env ?? undefined };
    });
  }

  pullImage(image: string, onProgress: PullProgress): Promise<void> {
    return this.call(`pulling ${image}`, async () => {
      const stream = (await this.docker.pull(image)) as Readable;
      await this.follow(stream, (failure) => failure, (event: { status?: string; progress?: string; id?: string }) => {
        if (event.status) onProgress([event.id, event.status, event.progress].filter(Boolean).join(' '));
      });
    });
  }

  buildImage(context: Readable, options: BuildOptions, onProgress: PullProgress): Promise<void> {
    return this.call(`building ${options.tag}`, async () => {
      const stream = (await this.docker.buildImage(context as unknown as NodeJS.ReadableStream, {
        t: options.tag,
        dockerfile: options.dockerfile,
        buildargs: options.buildArgs,
        labels: options.labels,
        rm: true,
        forcerm: true,
      })) as Readable;
      const failed = (failure: Error) => new DsyncError('ENGINE', `Building ${options.tag} failed: ${failure.message.trim()}`);
      await this.follow(stream, failed, (event: { stream?: string; status?: string }) => {
        const line = (event.stream ?? event.status ?? '').trim();
        if (line) onProgress(line);
      });
    });
  }

  /** Follow a pull's or build's progress stream to its end; a failure reported in it rejects, as `failed` words it. */
  private follow<E>(stream: Readable, failed: (failure: Error) => Error, onEvent: (event: E) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(
        stream,
        (error: Error | null, output: Array<{ error?: string }>) => {
          const reported = output?.find((o) => o.error);
          if (reported || error) reject(failed(reported ? new Error(reported.error) : error!));
          else resolve();
        },
        onEvent,
      );
    });
  }

  putArchive(id: string, path: string, tar: Readable): Promise<void> {
    return this.call('copying files into the container', async () => {
      await this.docker.getContainer(id).putArchive(tar as unknown as NodeJS.ReadableStream, { path });
    });
  }

  exec(id: string, options: ExecOptions): Promise<ExecResult> {
    return this.call(`running ${options.cmd[0] ?? 'a command'} in the container`, () => runExec(this.docker, id, options));
  }

  openExec(id: string, options: { cmd: string[]; workingDir?: string }): Promise<ExecChannel> {
    return this.call('starting a process in the container', () => openExec(this.docker, id, options));
  }

  publishedPorts(id: string): Promise<Record<number, number>> {
    return this.call('inspecting ports', async () => {
      const info = await this.docker.getContainer(id).inspect();
      const out: Record<number, number> = {};
      for (const [key, bindings] of Object.entries(info.NetworkSettings?.Ports ?? {})) {
        const hostPort = bindings?.[0]?.HostPort;
        if (hostPort) out[Number(key.split('/')[0])] = Number(hostPort);
      }
      return out;
    });
  }
}

async function createContainer(docker: Docker, spec: ContainerSpec): Promise<string> {
  const container = await docker.createContainer(createBody(spec) as Docker.ContainerCreateOptions);
  return container.id;
}

async function openExec(docker: Docker, id: string, options: { cmd: string[]; workingDir?: string }): Promise<ExecChannel> {
  const exec = await docker.getContainer(id).exec({
    Cmd: options.cmd,
    WorkingDir: options.workingDir,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
  });
  const stream = await exec.start({ hijack: true, stdin: true });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  docker.modem.demuxStream(stream, stdout, stderr);
  const done = new Promise<number>((resolve) => {
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      stdout.end();
      stderr.end();
      exec.inspect().then(
        (info) => resolve(info.ExitCode ?? -1),
        () => resolve(-1),
      );
    };
    stream.on('end', finish);
    stream.on('close', finish);
    stream.on('error', finish);
  });
  return { stdin: stream, stdout, stderr, done, close: () => stream.destroy() };
}

/** A command that reads exactly `bytes` bytes of standard input, then sees its end (head -c: coreutils and busybox). */
export function boundedInputCmd(cmd: string[], bytes: number): string[] {
  return ['/bin/sh', '-c', 'head -c "$0" | "$@"', String(bytes), ...cmd];
}

async function runExec(docker: Docker, id: string, options: ExecOptions): Promise<ExecResult> {
  const input = options.input === undefined ? undefined : Buffer.from(options.input);
  const exec = await docker.getContainer(id).exec({
    Cmd: input ? boundedInputCmd(options.cmd, input.length) : options.cmd,
    WorkingDir: options.workingDir,
    Env: options.env,
    User: options.user,
    AttachStdout: true,
    AttachStderr: true,
    AttachStdin: options.stdin !== undefined || input !== undefined,
    Tty: options.tty ?? false,
  });
  const stream = await exec.start({ hijack: true, stdin: options.stdin !== undefined || input !== undefined, Tty: options.tty ?? false });
  const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  const sink = (target: NodeJS.WritableStream | undefined, into: Buffer[]) => {
    if (target) return target;
    const collector = new PassThrough();
    collector.on('data', (c: Buffer) => into.push(c));
    return collector;
  };
  const out = sink(options.stdout, chunks.stdout);
  const err = sink(options.stderr, chunks.stderr);
  if (options.tty) stream.pipe(out, { end: false });
  else docker.modem.demuxStream(stream, out, err);
  if (options.stdin) {
    options.stdin.pipe(stream);
  } else if (input) {
    // Never ended: the engine closes the connection when the process exits.
    stream.write(input);
  }
  await new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
  });
  // The stream can end a moment before the engine records the exit code.
  let info = await exec.inspect();
  for (let i = 0; info.Running && i < 100; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    info = await exec.inspect();
  }
  return {
    exitCode: info.ExitCode ?? -1,
    stdout: Buffer.concat(chunks.stdout).toString('utf8'),
    stderr: Buffer.concat(chunks.stderr).toString('utf8'),
  };
}
