// Finds, creates, starts and removes the project's one container. The
// workspace lives in a labelled volume, so a recreated container (new image,
// deleted by hand) keeps its files and the next diff is small.
import type { ContainerClient, ContainerInfo, VolumeMount } from '../docker/container-client.js';
import { LABEL_SPEC } from '../docker/labels.js';
import { sameImageRef } from '../docker/image-ref.js';
import { DsyncError, isDsyncError } from '../base/errors.js';
import { containerLabels, ownedBy, volumeLabels, type Project } from '../docker/project.js';
import type { Reporter } from '../base/reporter.js';
import { packFiles } from '../sync/tar-pack.js';
import { caBundleScript, CA_EXTRA_FILE, envList, setupKey, type ContainerSetup } from '../docker/container-env.js';
import type { ImagePin } from '../config/config.js';
import { checkImagePin } from './image-pin.js';

/** What the container needs beyond the workspace: published ports and cache volumes. */
export interface ContainerExtras {
  /** Container port -> host port (0 = any free port), published on loopback only. */
  ports?: Record<number, number>;
  /** Named cache volumes (npm cache, ...): role -> mount target. */
  caches?: Record<string, string>;
  /** Extra /etc/hosts entries: host name -> IP address. */
  hosts?: Record<string, string>;
}

export class ContainerManager {
  private readonly spec: string;
  /** The image whose pin was checked (or found not to apply) in this run. */
  private pinChecked: string | undefined;

  constructor(
    private readonly client: ContainerClient,
    private readonly project: Project,
    private image: string,
    private readonly reporter: Reporter,
    private readonly extras: ContainerExtras = {},
    private readonly setup: ContainerSetup = { env: {}, labels: {} },
    private readonly pin?: ImagePin,
  ) {
    this.spec = `${specKey(extras)};setup=${setupKey(setup)};user=0`;
  }

  /** Switch to another image (e.g. the emulator image once it is built); the next ensure() recreates the container. */
  useImage(image: string): void {
    this.image = image;
  }

  async find(): Promise<ContainerInfo | undefined> {
    const found = (await this.client.findContainers(this.project.labels)).filter((c) => ownedBy(c.labels, this.project));
    return found.find((c) => c.state === 'running') ?? found[0];
  }

  /** A running container for this project, created or started as needed. */
  async ensure(): Promise<ContainerInfo> {
    await this.checkPin();
    let existing = await this.find();
    const why =
      existing === undefined
        ? undefined
        : !sameImageRef(existing.image, this.image)
          ? `image changed (${existing.image} -> ${this.image})`
          : (existing.labels[LABEL_SPEC] ?? '') !== this.spec
            ? 'its settings changed (ports, caches, host names, environment, proxies or certificates)'
            : undefined;
    if (existing && why) {
      this.reporter.event({ type: 'container-recreate', message: `${why}: recreating the container; the workspace volume is kept` });
      await this.client.removeContainer(existing.id);
      existing = undefined;
    }
    if (existing) {
      if (existing.state !== 'running') {
        this.reporter.progress(`starting container ${existing.name}`);
        await this.client.startContainer(existing.id);
      }
      return { ...existing, state: 'running' };
    }
    await this.ensureImage();
    await this.ensureOwnVolume(this.project.workspaceVolume, 'workspace');
    for (const mount of this.cacheMounts()) await this.ensureOwnVolume(mount.volume, 'cache');
    this.reporter.progress(`creating container ${this.project.containerName}`);
    const id = await this.createFresh();
    await this.client.startContainer(id);
    await this.installCertificates(id);
    this.reporter.event({ type: 'container-created', id, message: `created container ${this.project.containerName} (${id.slice(0, 12)})` });
    const info = await this.client.inspectContainer(id);
    if (!info) throw new DsyncError('CONTAINER_GONE', 'The container vanished right after it was created');
    return info;
  }

  /**
   * The "imageDigest" pin, once per image and run, before the container is
   * created or reused. It covers only the image named by "image": dsync's own
   * SAM image (built on this machine by `dsync image` or for --emulator, from
   * dsync's Dockerfile) has no digest a team could share, so a run that
   * switches to it says so and goes on. A reused container is checked by its
   * image's name: one made before the tag moved keeps its old image until
   * the name changes or `dsync down`.
   */
  private async checkPin(): Promise<void> {
    const pin = this.pin;
    if (!pin || this.pinChecked === this.image) return;
    if (!sameImageRef(pin.image, this.image)) {
      this.reporter.event({
        type: 'image-pin',
        level: 'warn',
        message: `the image pin (${pin.from}) is for ${pin.image}; this run uses ${this.image}, which it does not cover`,
      });
    } else {
      await this.ensureImage();
      await checkImagePin(this.client, pin);
      this.reporter.event({
        type: 'image-pin',
        image: pin.image,
        digest: pin.digest,
        message: `image ${pin.image} matches the pinned ${pin.digest.slice(0, 19)}`,
      });
    }
    this.pinChecked = this.image;
  }

  private async createFresh(): Promise<string> {
    const spec = {
      name: this.project.containerName,
      image: this.image,
      labels: { ...this.setup.labels, ...containerLabels(this.project), [LABEL_SPEC]: this.spec },
      env: envList(this.setup.env),
      // dsync's own processes (the tar stream, listings, saves) write the root-owned volume: an image
      // ending in `USER vscode` must not break them. Files get their owner from the tar; tools attach
      // as the dev container's remoteUser (its metadata), not as this.
      user: '0',
      mounts: [{ volume: this.project.workspaceVolume, target: this.project.volumeRoot }, ...this.cacheMounts()],
      workingDir: this.project.workspace,
      ports: this.extras.ports,
      hosts: this.extras.hosts,
    };
    try {
      return await this.client.createContainer(spec);
    } catch (error) {
      if (!(isDsyncError(error, 'ENGINE') && /already in use/i.test(error.message))) throw error;
      // Our name is taken. Only a container that is provably this project's
      // (a half-removed one, one whose image changed) is cleared; anything
      // else is someone else's and is left alone.
      const holder = await this.client.inspectContainer(this.project.containerName);
      if (holder && !ownedBy(holder.labels, this.project)) {
        throw new DsyncError('ENGINE', `A container named ${this.project.containerName} already exists and is not this project's (its labels do not match)`, {
          hint: `dsync never removes containers it cannot prove are its own: inspect it with \`docker inspect ${this.project.containerName}\` and remove it yourself if it is stale`,
        });
      }
      if (holder) await this.client.removeContainer(holder.id);
      return this.client.createContainer(spec);
    }
  }

  /** The host's extra CA certificates, and the system bundle plus them, where the container's environment points. */
  private async installCertificates(id: string): Promise<void> {
    if (!this.setup.extraCa) return;
    const relative = CA_EXTRA_FILE.slice(this.project.volumeRoot.length + 1);
    await this.client.putArchive(id, this.project.volumeRoot, packFiles([{ name: relative, content: Buffer.from(this.setup.extraCa), mode: 0o644 }]));
    const result = await this.client.exec(id, { cmd: ['/bin/sh', '-c', caBundleScript()] });
    if (result.exitCode !== 0) {
      this.reporter.event({
        type: 'warning',
        level: 'warn',
        message: `could not write the CA bundle in the container (${result.stderr.trim() || `exit ${result.exitCode}`}): SAM may not trust your proxy's certificate`,
      });
    }
  }

  /** Create (or find) one of the project's volumes, and refuse one that belongs to someone else. */
  private async ensureOwnVolume(name: string, role: string): Promise<void> {
    const labels = await this.client.ensureVolume(name, volumeLabels(this.project, role));
    if (!ownedBy(labels, this.project)) {
      throw new DsyncError('ENGINE', `A volume named ${name} already exists and is not this project's (its labels do not match)`, {
        hint: `dsync never writes into a volume it cannot prove is its own: inspect it with \`docker volume inspect ${name}\` and remove it yourself if it is stale`,
      });
    }
  }

  private cacheMounts(): VolumeMount[] {
    return Object.entries(this.extras.caches ?? {}).map(([role, target]) => ({ volume: `dsync-${this.project.id}-${role}`, target }));
  }

  private async ensureImage(): Promise<void> {
    if (await this.client.imageExists(this.image)) return;
    this.reporter.progress(`pulling ${this.image}`);
    try {
      await this.client.pullImage(this.image, (status) => this.reporter.progress(`pulling ${this.image}: ${status}`));
    } catch (error) {
      if (isDsyncError(error, 'ENGINE_UNREACHABLE')) throw error;
      throw new DsyncError('IMAGE_MISSING', `Image ${this.image} is not on the engine and could not be pulled: ${(error as Error).message}`, {
        hint: 'build or pull it first, or choose another with --image NAME (or "image" in dsync.json)',
        cause: error,
      });
    }
  }

  /** Remove the container; with `purge`, every volume of the project too. Returns what was removed. */
  async down(purge: boolean): Promise<{ containers: string[]; volumes: string[] }> {
    const containers = (await this.client.findContainers(this.project.labels)).filter((c) => ownedBy(c.labels, this.project));
    for (const c of containers) await this.client.removeContainer(c.id);
    const volumes: string[] = [];
    if (purge) {
      for (const v of await this.client.findVolumes(this.project.labels)) {
        if (!ownedBy(v.labels, this.project)) continue;
        await this.client.removeVolume(v.name);
        volumes.push(v.name);
      }
    }
    return { containers: containers.map((c) => c.name), volumes };
  }
}

/** A short, stable description of the extras, stored as a label to notice when they change. */
function specKey(extras: ContainerExtras): string {
  const ports = Object.keys(extras.ports ?? {})
    .sort()
    .join(',');
  const caches = Object.entries(extras.caches ?? {})
    .map(([r, t]) => `${r}:${t}`)
    .sort()
    .join(',');
  const hosts = Object.entries(extras.hosts ?? {})
    .map(([name, ip]) => `${name}:${ip}`)
    .sort()
    .join(',');
  // Without hosts the key is what it was before they existed, so those containers are not recreated.
  return `ports=${ports};caches=${caches}${hosts ? `;hosts=${hosts}` : ''}`;
}
