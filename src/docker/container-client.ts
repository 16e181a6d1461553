// What dsync needs from a container engine. One adapter (dockerode) implements
// it for real; unit tests use fakes. Everything goes through the Engine API:
// no bind mounts, no shared file system, so a remote engine works the same.
import type { Readable } from 'node:stream';
import type { EngineIdentity } from './engine-kind.js';

export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  /** created | running | paused | restarting | exited | dead */
  state: string;
  labels: Record<string, string>;
}

export interface VolumeMount {
  volume: string;
  target: string;
}

export interface ContainerSpec {
  name: string;
  image: string;
  labels: Record<string, string>;
  mounts: VolumeMount[];
  workingDir: string;
  env?: string[];
  /** Loopback-only published ports: container port -> host port (0 = any). */
  ports?: Record<number, number>;
  /** The user the container (and every exec without its own) runs as; default: the image's USER. */
  user?: string;
  /** Extra /etc/hosts entries: host name -> IP address. */
  hosts?: Record<string, string>;
}

export interface ExecOptions {
  cmd: string[];
  workingDir?: string;
  env?: string[];
  user?: string;
  /** Stream output here as it arrives; when absent it is collected into the result. */
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** Feed the process's standard input from this stream (streamed; ends with a half-close of the connection). */
  stdin?: Readable;
  /**
   * The whole standard input, known up front. Delivered without closing
   * dsync's side of the connection: the process reads exactly this many
   * bytes. Windows named pipes cannot half-close (Node.js sends no end of
   * input over them, and libuv drops what arrives 50 ms after it tried), nor
   * can some proxies in front of an engine: an answer read after the input
   * ended would be lost there.
   */
  input?: string | Buffer;
  tty?: boolean;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A long-running process in the container with open pipes. */
export interface ExecChannel {
  stdin: NodeJS.WritableStream;
  stdout: Readable;
  stderr: Readable;
  /** Resolves with the exit code once the process has ended (or the connection dropped: -1). */
  done: Promise<number>;
  close(): void;
}

export interface BuildOptions {
  tag: string;
  dockerfile: string;
  buildArgs?: Record<string, string>;
  labels?: Record<string, string>;
}

export interface ImageDetails {
  /** "sha256:…": the image's config digest (a locally built image has no other). */
  id: string;
  /** "name@sha256:…" for images pulled from or pushed to a registry. */
  repoDigests: string[];
  labels: Record<string, string>;
  created?: string;
  /** The image's USER ('' or undefined: root). */
  user?: string;
  /** The image's environment ("NAME=value"). */
  env?: string[];
}

/** What the engine says about itself. */
export interface EngineVersion {
  version: string;
  apiVersion: string;
  os: string;
  arch: string;
  /** Which product it is (Podman, Docker Desktop, ...), from /version and /info. */
  identity: EngineIdentity;
}

export interface PullProgress {
  (status: string): void;
}

export interface ContainerClient {
  /** Human-readable endpoint, for messages. */
  readonly endpoint: string;
  ping(): Promise<void>;
  /** The engine's version, API version, platform and which product it is. */
  engineVersion(): Promise<EngineVersion>;
  findContainers(labels: Record<string, string>): Promise<ContainerInfo[]>;
  inspectContainer(id: string): Promise<ContainerInfo | undefined>;
  createContainer(spec: ContainerSpec): Promise<string>;
  startContainer(id: string): Promise<void>;
  removeContainer(id: string): Promise<void>;
  /** Create the volume unless it exists; returns the labels it really has (an existing volume keeps its own). */
  ensureVolume(name: string, labels: Record<string, string>): Promise<Record<string, string>>;
  findVolumes(labels: Record<string, string>): Promise<Array<{ name: string; labels: Record<string, string> }>>;
  removeVolume(name: string): Promise<void>;
  imageExists(image: string): Promise<boolean>;
  /** An image's id, repo digests and labels, or undefined when the engine does not have it. */
  inspectImage(image: string): Promise<ImageDetails | undefined>;
  pullImage(image: string, onProgress: PullProgress): Promise<void>;
  /** Build an image from a tar build context; progress lines go to onProgress. */
  buildImage(context: Readable, options: BuildOptions, onProgress: PullProgress): Promise<void>;
  /** Extract a tar stream at `path` inside the container. */
  putArchive(id: string, path: string, tar: Readable): Promise<void>;
  exec(id: string, options: ExecOptions): Promise<ExecResult>;
  /** Start a process and keep its stdin open for streaming. */
  openExec(id: string, options: { cmd: string[]; workingDir?: string }): Promise<ExecChannel>;
  /** Published host ports of a running container: container port -> host port. */
  publishedPorts(id: string): Promise<Record<number, number>>;
}
