// The only file that imports dockerode: ContainerClient over the Engine API.
import Docker from 'dockerode';
import { PassThrough, type Readable } from 'node:stream';
import type { ContainerClient, ContainerInfo, ContainerSpec, ExecChannel, ExecOptions, ExecResult } from './container-client.js';
import { connectionOptions, type EngineEndpoint } from './engine.js';
import type { HostKeyVerdict } from './known-hosts.js';
import { DsyncError } from '../base/errors.js';
import { engineError } from './engine-errors.js';
import { sshFailure, sshOptions } from './ssh.js';

export function createDockerodeClient(endpoint: EngineEndpoint): ContainerClient {
  const options = connectionOptions(endpoint);
  let hostKey: HostKeyVerdict | undefined;
  const docker =
    options.kind === 'socket'
      ? new Docker({ socketPath: options.socketPath })
      : options.kind === 'tcp'
        ? new Docker({
            protocol: options.protocol,
            host: options.host,
            port: options.port,
            ca: options.tls?.ca,
            cert: options.tls?.cert,
            key: options.tls?.key,
            ...(options.tls && !options.tls.verify ? { checkServerIdentity: () => undefined } : {}),
          } as Docker.DockerOptions)
        : new Docker({ protocol: 'ssh', host: options.host, port: options.port, username: options.username, sshOptions: sshOptions(options, (v) => (hostKey = v)) } as Docker.DockerOptions);
  const where = `${endpoint.host}${endpoint.source === 'default' ? '' : ` (from ${endpoint.source})`}`;

  const translate = (error: unknown, what: string): unknown =>
    (options.kind === 'ssh' ? sshFailure(error, options, hostKey) : undefined) ?? engineError(error, what, where);
  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw translate(error, what);
    }
  };

  const toInfo = (c: { Id: string; Names?: string[]; Name?: string; Image?: string; Config?: { Image?: string; Labels?: Record<string, string> }; State?: string | { Status?: string }; Labels?: Record<string, string> }): ContainerInfo => ({
    id: c.Id,
    name: (c.Name ?? c.Names?.[0] ?? '').replace(/^\//, ''),
    image: c.Config?.Image ?? c.Image ?? '',
    state: typeof c.State === 'string' ? c.State : (c.State?.Status ?? 'unknown'),
    labels: c.Labels ?? c.Config?.Labels ?? {},
  });

  return {
    endpoint: where,
    ping: () => call('answering a ping', async () => void (await docker.ping())),
    engineVersion: () =>
      call('telling its version', async () => {
        const v = await docker.version();
        return { version: v.Version, apiVersion: v.ApiVersion, os: v.Os, arch: v.Arch };
      }),
    findContainers: (labels) =>
      call('listing containers', async () => {
        const list = await docker.listContainers({ all: true, filters: { label: labelFilters(labels) } });
        return list.map((c) => toInfo({ ...c, State: c.State }));
      }),
    inspectContainer: async (id) => {
      try {
        return toInfo((await docker.getContainer(id).inspect()) as never);
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) return undefined;
        throw translate(error, 'inspecting the container');
      }
    },
    createContainer: (spec) => call('creating the container', () => createContainer(docker, spec)),
    startContainer: (id) =>
      call('starting the container', async () => {
        try {
          await docker.getContainer(id).start();
        } catch (error) {
          if ((error as { statusCode?: number }).statusCode !== 304) throw error; // already running
        }
      }),
    removeContainer: (id) =>
      call('removing the container', async () => {
        try {
          await docker.getContainer(id).remove({ force: true, v: false });
        } catch (error) {
          if ((error as { statusCode?: number }).statusCode !== 404) throw error;
        }
      }),
    ensureVolume: (name, labels) =>
      call('creating a volume', async () => {
        // Creating a volume that exists returns the existing one, labels and all.
        await docker.createVolume({ Name: name, Labels: labels });
        const info = (await docker.getVolume(name).inspect()) as { Labels?: Record<string, string> | null };
        return info.Labels ?? {};
      }),
    findVolumes: (labels) =>
      call('listing volumes', async () => {
        const result = await docker.listVolumes({ filters: { label: labelFilters(labels) } });
        return (result.Volumes ?? []).map((v) => ({ name: v.Name, labels: (v.Labels as Record<string, string> | null) ?? {} }));
      }),
    removeVolume: (name) =>
      call('removing a volume', async () => {
        try {
          await docker.getVolume(name).remove();
        } catch (error) {
          if ((error as { statusCode?: number }).statusCode !== 404) throw error;
        }
      }),
    imageExists: async (image) => {
      try {
        await docker.getImage(image).inspect();
        return true;
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) return false;
        throw translate(error, 'inspecting an image');
      }
    },
    inspectImage: async (image) => {
      try {
        const info = (await docker.getImage(image).inspect()) as { Id: string; RepoDigests?: string[] | null; Config?: { Labels?: Record<string, string> | null; User?: string }; Created?: string };
        return { id: info.Id, repoDigests: info.RepoDigests ?? [], labels: info.Config?.Labels ?? {}, created: info.Created || undefined, user: info.Config?.User || undefined };
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) return undefined;
        throw translate(error, 'inspecting an image');
      }
    },
    pullImage: (image, onProgress) =>
      call(`pulling ${image}`, async () => {
        const stream = (await docker.pull(image)) as Readable;
        await new Promise<void>((resolve, reject) => {
          docker.modem.followProgress(
            stream,
            (error: Error | null, output: Array<{ error?: string }>) => {
              const failed = output?.find((o) => o.error);
              if (error || failed) reject(error ?? new Error(failed?.error));
              else resolve();
            },
            (event: { status?: string; progress?: string; id?: string }) => {
              if (event.status) onProgress([event.id, event.status, event.progress].filter(Boolean).join(' '));
            },
          );
        });
      }),
    buildImage: (context, options, onProgress) =>
      call(`building ${options.tag}`, async () => {
        const stream = (await docker.buildImage(context as unknown as NodeJS.ReadableStream, {
          t: options.tag,
          dockerfile: options.dockerfile,
          buildargs: options.buildArgs,
          labels: options.labels,
          rm: true,
          forcerm: true,
        })) as Readable;
        await new Promise<void>((resolve, reject) => {
          docker.modem.followProgress(
            stream,
            (error: Error | null, output: Array<{ error?: string }>) => {
              const failed = output?.find((o) => o.error);
              if (error || failed) reject(new DsyncError('ENGINE', `Building ${options.tag} failed: ${(failed?.error ?? error?.message ?? '').trim()}`));
              else resolve();
            },
            (event: { stream?: string; status?: string }) => {
              const line = (event.stream ?? event.status ?? '').trim();
              if (line) onProgress(line);
            },
          );
        });
      }),
    putArchive: (id, path, tar) =>
      call('copying files into the container', async () => {
        await docker.getContainer(id).putArchive(tar as unknown as NodeJS.ReadableStream, { path });
      }),
    exec: (id, options) => call(`running ${options.cmd[0] ?? 'a command'} in the container`, () => runExec(docker, id, options)),
    openExec: (id, options) => call('starting a process in the container', () => openExec(docker, id, options)),
    publishedPorts: (id) =>
      call('inspecting ports', async () => {
        const info = await docker.getContainer(id).inspect();
        const out: Record<number, number> = {};
        for (const [key, bindings] of Object.entries(info.NetworkSettings?.Ports ?? {})) {
          const hostPort = bindings?.[0]?.HostPort;
          if (hostPort) out[Number(key.split('/')[0])] = Number(hostPort);
        }
        return out;
      }),
  };
}

function labelFilters(labels: Record<string, string>): string[] {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`);
}

async function createContainer(docker: Docker, spec: ContainerSpec): Promise<string> {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const [containerPort, hostPort] of Object.entries(spec.ports ?? {})) {
    exposed[`${containerPort}/tcp`] = {};
    bindings[`${containerPort}/tcp`] = [{ HostIp: '127.0.0.1', HostPort: hostPort ? String(hostPort) : '' }];
  }
  const container = await docker.createContainer({
    name: spec.name,
    Image: spec.image,
    Labels: spec.labels,
    WorkingDir: spec.workingDir,
    Env: spec.env,
    User: spec.user,
    // A shell loop that sleeps until told to stop: works in any image with /bin/sh.
    Entrypoint: ['/bin/sh', '-c'],
    Cmd: ['trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done'],
    ExposedPorts: exposed,
    HostConfig: {
      Mounts: spec.mounts.map((m) => ({ Type: 'volume', Source: m.volume, Target: m.target })),
      PortBindings: bindings,
      Init: true,
    },
  });
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

async function runExec(docker: Docker, id: string, options: ExecOptions): Promise<ExecResult> {
  const exec = await docker.getContainer(id).exec({
    Cmd: options.cmd,
    WorkingDir: options.workingDir,
    Env: options.env,
    User: options.user,
    AttachStdout: true,
    AttachStderr: true,
    AttachStdin: options.stdin !== undefined,
    Tty: options.tty ?? false,
  });
  const stream = await exec.start({ hijack: true, stdin: options.stdin !== undefined, Tty: options.tty ?? false });
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
