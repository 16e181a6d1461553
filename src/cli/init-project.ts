// `dsync init`'s work, without argv: detect the SAM project (template,
// samconfig's stack and region, the runtime family), choose the image the way
// `dsync up` would, pin its digest on this engine when it has the image, and
// write dsync.json (and .devcontainer/devcontainer.json). Tests drive it with
// a temporary folder and a fake container client.
import path from 'node:path';
import { DsyncError, isDsyncError } from '../base/errors.js';
import { CONFIG_FILE, DEFAULTS } from '../config/config.js';
import { starterDevcontainer, starterDsyncJson, type StarterSettings } from '../config/starter.js';
import type { ContainerClient } from '../docker/container-client.js';
import { pinnableDigest } from '../docker/image-digest.js';
import { VOLUME_ROOT } from '../docker/project.js';
import { findTemplate } from '../sam/sam-project.js';
import { familyOf, realAwsImage, runtimesOf } from '../sam/runtimes.js';
import { loadTemplateModel } from '../sam/template.js';

export interface InitOptions {
  root: string;
  devcontainer: boolean;
  force: boolean;
  /** --image: this image instead of SAM's build image for the runtime. */
  image?: string;
}

export interface InitDeps {
  readFile(p: string): string | undefined;
  writeFile(p: string, text: string): void;
  exists(p: string): boolean;
  /** The engine's client; absent or failing: no digest is pinned. */
  client?: () => ContainerClient;
  dsyncVersion: string;
  /** How long to wait for the engine. */
  engineTimeoutMs?: number;
}

export interface InitResult {
  /** One line each: what was detected and what was written. */
  lines: string[];
  wrote: string[];
}

export async function initProject(options: InitOptions, deps: InitDeps): Promise<InitResult> {
  const root = path.resolve(options.root);
  // An existing root .devcontainer.json counts too: a new .devcontainer/devcontainer.json would silently shadow it.
  const devcontainerFiles = [path.join(root, '.devcontainer', 'devcontainer.json'), path.join(root, '.devcontainer.json')];
  const targets = [path.join(root, CONFIG_FILE), ...(options.devcontainer ? devcontainerFiles : [])];
  for (const file of targets) {
    if (deps.exists(file) && !options.force) {
      throw new DsyncError('USAGE', `${file} already exists; dsync init does not overwrite it`, {
        hint: 'run `dsync init --force` to replace it (commit or copy yours first)',
      });
    }
  }
  const lines: string[] = [];
  const readHost = async (rel: string) => deps.readFile(path.join(root, ...rel.split('/')));
  const { samconfig, infraFiles, templatePath } = await findTemplate({ ...DEFAULTS, root }, undefined, readHost, path);
  const text = await readHost(templatePath);
  if (text === undefined) {
    throw new DsyncError(
      'PROJECT',
      `no SAM template in ${root} (looked for ${samconfig.template_file ? `${templatePath}, from ${infraFiles[0]}` : 'template.yaml and template.yml'})`,
      {
        hint: 'run `dsync init` in the folder of an existing SAM project (or pass --cwd DIR); `sam init` creates one',
      },
    );
  }
  lines.push(`detected template ${templatePath}${samconfig.template_file ? ` (${infraFiles[0]} template_file)` : ''}`);
  const runtimes = runtimesOf(loadTemplateModel(text, templatePath));
  const families = [...new Set([...runtimes.keys()].map(familyOf))];
  lines.push(runtimes.size === 0 ? 'detected no function runtimes (no Zip functions)' : `detected runtime ${[...runtimes.keys()].join(', ')} (${families.join(', ')})`);
  const sam = infraFiles[0] ? { file: infraFiles[0], stackName: samconfig.stack_name, region: samconfig.region } : undefined;
  lines.push(
    sam
      ? `detected ${sam.file}: stack ${sam.stackName ?? '(none)'}, region ${sam.region ?? '(none)'}`
      : 'detected no samconfig (stack and region come from flags, dsync.json or the environment)',
  );
  const image = options.image ? { name: options.image, why: 'given with --image' } : chooseImage(runtimes);
  lines.push(`image ${image.name} (${image.why})`);
  const digest = await imageDigest(image.name, deps);
  lines.push('value' in digest ? `pinned imageDigest ${digest.value} (the image on this engine)` : `imageDigest not pinned: ${digest.missing} (left commented out)`);
  const settings: StarterSettings = {
    schema: schemaRef(root, deps),
    image,
    digest,
    requires: `>=${deps.dsyncVersion}`,
    samconfig: sam,
  };
  const wrote: string[] = [];
  const write = (file: string, content: string) => {
    deps.writeFile(file, content);
    wrote.push(file);
    lines.push(`wrote ${file}`);
  };
  write(targets[0]!, starterDsyncJson(settings));
  if (options.devcontainer) {
    const reference = 'value' in digest ? digest.reference : undefined;
    write(targets[1]!, starterDevcontainer({ name: path.basename(root), image: reference ?? image.name, workspace: `${VOLUME_ROOT}/workspace` }));
  }
  return { lines, wrote };
}

/** The image `dsync up` would choose on real AWS: SAM's build image for the template's runtime. */
function chooseImage(runtimes: ReadonlyMap<string, string[]>): { name: string; why: string } {
  try {
    const { image, runtime } = realAwsImage(runtimes);
    return { name: image, why: runtimes.size === 0 ? "dsync's default" : `SAM's build image for ${runtime}` };
  } catch (error) {
    if (!isDsyncError(error, 'CONFIG')) throw error;
    // Several runtime families: no SAM build image has them all; the team must choose (docs/usage.md "Runtimes").
    return { name: DEFAULTS.image, why: "dsync's default: the template mixes runtime families, so replace it with an image that has every toolchain" };
  }
}

type Digest = { value: string; reference?: string } | { missing: string };

/** The image's digest on this engine, or why there is none. */
async function imageDigest(image: string, deps: InitDeps): Promise<Digest> {
  if (!deps.client) return { missing: 'no Docker engine' };
  let client: ContainerClient | undefined;
  try {
    client = deps.client();
    const details = await withTimeout(client.inspectImage(image), deps.engineTimeoutMs ?? 10_000);
    if (!details) return { missing: `${image} is not on this engine yet (docker pull ${image}, then dsync init --force)` };
    const { digest, reference } = pinnableDigest(image, details);
    return { value: digest, reference };
  } catch (error) {
    return { missing: `the Docker engine${client ? ` at ${client.endpoint}` : ''} did not answer (${(error as Error).message.split('\n')[0]})` };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * "$schema" as a path relative to the project, so it works on every machine
 * and in every editor without a network: the copy in node_modules when the
 * project installs dsync (the usual team setup), else the running dsync's.
 */
function schemaRef(root: string, deps: InitDeps): { ref: string; why: string } {
  const local = './node_modules/dsync/schema/dsync.schema.json';
  if (deps.exists(path.join(root, ...local.split('/').slice(1)))) {
    return { ref: local, why: "The schema (editors' completion and descriptions), shipped in the dsync package this project installs." };
  }
  // Not installed in the project (npx, a global install): a path to this machine's copy would be
  // committed and break on every other machine, so the file names where the team's install puts it.
  return { ref: local, why: "The schema (editors' completion and descriptions), shipped in the dsync package: `npm i -D dsync` in the project puts it here." };
}
