// Wiring for `dsync up`: the container's environment (the host's proxies and
// extra CAs) and, when the project has a devcontainer.json, the image and
// settings it describes, read and built by the real devcontainer CLI.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { DsyncConfig } from '../config/config.js';
import { findDevcontainerFile } from '../config/devcontainer-file.js';
import { runStreamingHostCommand } from '../base/host-process.js';
import type { Reporter } from '../base/reporter.js';
import { DsyncError } from '../base/errors.js';
import { containerEnvironment } from '../docker/container-env.js';
import { contentFingerprint, loadDevcontainer } from './source.js';
import type { ContainerClient } from '../docker/container-client.js';
import { hostCaCertificates } from '../docker/host-certificates.js';

/** The project's devcontainer.json, if it has one. */
export function devcontainerFileOf(root: string): string | undefined {
  return findDevcontainerFile(root, path, (p) => fs.existsSync(p));
}

/** The devcontainer CLI shipped as a dependency: run with this Node, so no global install is needed. */
function devcontainerCli(): { node: string; script: string } {
  const require = createRequire(import.meta.url);
  try {
    const pkg = require.resolve('@devcontainers/cli/package.json');
    return { node: process.execPath, script: path.join(path.dirname(pkg), 'devcontainer.js') };
  } catch (error) {
    throw new DsyncError('DEVCONTAINER', 'the devcontainer CLI (@devcontainers/cli) is not installed next to dsync', {
      hint: 'reinstall dsync (npm i -D dsync)',
      cause: error,
    });
  }
}

/**
 * The config with the container's environment and, when the project has a
 * devcontainer.json, its image (built through the devcontainer CLI unless
 * dsync.json or a flag names one), containerEnv, user and postCreateCommand.
 */
export async function withContainerEnvironment(
  config: DsyncConfig,
  input: { env: Record<string, string | undefined>; client: () => ContainerClient; reporter: Reporter; signal?: AbortSignal },
): Promise<DsyncConfig> {
  const certificates = hostCaCertificates(input.env);
  const extraCa = certificates.length > 0 ? certificates.map((c) => c.pem).join('') : undefined;
  const configFile = devcontainerFileOf(config.root);
  if (!configFile) return { ...config, extraCa, containerEnv: containerEnvironment({ hostEnv: input.env, extraCa }) };
  const source = await loadDevcontainer({
    root: config.root,
    configFile,
    cli: devcontainerCli(),
    run: runStreamingHostCommand,
    env: input.env,
    client: input.client(),
    reporter: input.reporter,
    build: !config.imageChosen,
    namedImage: config.imageChosen ? config.image : undefined,
    fingerprint: async (read) => contentFingerprint([['(configuration)', Buffer.from(read.text)], ...fingerprintFiles(config.root, configFile, read.dockerfile)]),
    projectId: createHash('sha256').update(path.resolve(config.root)).digest('hex').slice(0, 12),
    signal: input.signal,
  });
  const { image, ...devcontainer } = source;
  input.reporter.event({
    type: 'devcontainer',
    configFile,
    image: config.imageChosen ? config.image : image,
    message: `dev container ${path.relative(config.root, configFile)}: ${config.imageChosen ? `image ${config.image} (dsync.json or a flag wins)` : `image ${image}`}`,
  });
  return {
    ...config,
    image: config.imageChosen ? config.image : (image ?? config.image),
    imageChosen: true,
    devcontainer: { ...devcontainer, providesImage: !config.imageChosen },
    extraCa,
    containerEnv: containerEnvironment({ containerEnv: devcontainer.config.containerEnv, hostEnv: input.env, extraCa }),
  };
}

/**
 * The bytes that decide whether the built image is current, besides the
 * configuration itself: its folder (features, Dockerfile, scripts) and the
 * Dockerfile it names wherever that is. Files a Dockerfile copies from a
 * context outside .devcontainer are not followed.
 */
function fingerprintFiles(root: string, configFile: string, dockerfile: string | undefined): Array<[string, Buffer]> {
  const out: Array<[string, Buffer]> = [];
  const add = (file: string) => {
    try {
      out.push([path.relative(root, file), fs.readFileSync(file)]);
    } catch {
      // unreadable or gone: the CLI will say so when it builds
    }
  };
  const dir = path.dirname(configFile);
  if (path.basename(dir) === '.devcontainer') {
    const walk = (d: string, depth: number) => {
      for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, entry.name);
        if (entry.isDirectory() && depth < 6) walk(p, depth + 1);
        else if (entry.isFile()) add(p);
      }
    };
    walk(dir, 0);
  } else {
    add(configFile);
  }
  if (dockerfile) {
    const file = path.resolve(dir, dockerfile);
    if (!out.some(([name]) => name === path.relative(root, file))) add(file);
  }
  return out;
}
