// What SAM needs to know about the project, read from the host: SAM's own
// samconfig (the first of samconfig.toml/.yaml/.yml), the template path, and
// from those plus flags and dsync.json, the target stack.
import type { DsyncConfig } from '../config/config.js';
import { userPathToProjectPath } from '../base/paths.js';
import type { PathFlavour } from '../base/platform.js';
import { DsyncError } from '../base/errors.js';
import type { SamTarget, TargetMode } from './commands.js';
import { readSamConfig, SAMCONFIG_FILES, type SamParameters } from './samconfig.js';
import { resolveTarget, type TargetInput } from './target.js';

export interface SamProject {
  target: SamTarget;
  /** Project path of the template. */
  templatePath: string;
  /** Project paths whose change means a stack deploy besides the template (the samconfig file). */
  infraFiles: string[];
}

export async function resolveSamProject(input: {
  config: DsyncConfig;
  mode: TargetMode;
  flags: TargetInput['flags'];
  env: Record<string, string | undefined>;
  projectName: string;
  /** A project file's text, or undefined when it does not exist. */
  readHost(rel: string): Promise<string | undefined>;
  flavour: PathFlavour;
}): Promise<SamProject> {
  const { config, flags, readHost } = input;
  const { samconfig, infraFiles, templatePath } = await findTemplate(config, flags.configEnv, readHost, input.flavour);
  const target = resolveTarget({
    mode: input.mode,
    projectName: input.projectName,
    templateFile: templatePath,
    flags,
    settings: { stackName: config.stackName, region: config.region, configEnv: config.configEnv },
    samconfig,
    env: input.env,
  });
  return { target, templatePath, infraFiles };
}

/** samconfig (the first of its files), and the template's project path as flags, dsync.json, samconfig and SAM's defaults say. */
export async function findTemplate(
  config: DsyncConfig,
  configEnvFlag: string | undefined,
  readHost: (rel: string) => Promise<string | undefined>,
  flavour: PathFlavour,
): Promise<{ samconfig: SamParameters; infraFiles: string[]; templatePath: string }> {
  let samconfig: SamParameters = {};
  const infraFiles: string[] = [];
  for (const file of SAMCONFIG_FILES) {
    const text = await readHost(file);
    if (text === undefined) continue;
    infraFiles.push(file);
    samconfig = readSamConfig(text, file, configEnvFlag ?? config.configEnv ?? 'default');
    break;
  }
  // SAM's own default: template.yaml, else template.yml.
  const onlyYml = (await readHost('template.yaml')) === undefined && (await readHost('template.yml')) !== undefined;
  const given =
    config.template !== undefined
      ? { path: config.template, from: config.templateFrom ?? 'dsync.json' }
      : samconfig.template_file !== undefined
        ? { path: samconfig.template_file, from: `${infraFiles[0]} (template_file)` }
        : undefined;
  const templatePath = given ? await templateProjectPath(config.root, given, flavour, readHost) : onlyYml ? 'template.yml' : 'template.yaml';
  return { samconfig, infraFiles, templatePath };
}

/**
 * The template path a person gave (`.\template.yaml` from PowerShell's tab
 * completion, `./template.yaml`, an absolute path), as the project path SAM
 * is given in the container and changes are compared with.
 */
async function templateProjectPath(
  root: string,
  given: { path: string; from: string },
  flavour: PathFlavour,
  readHost: (rel: string) => Promise<string | undefined>,
): Promise<string> {
  const projectPath = await userPathToProjectPath(root, given.path, flavour, async (p) => (await readHost(p)) !== undefined);
  if (projectPath === undefined) {
    throw new DsyncError('CONFIG', `The template ${JSON.stringify(given.path)} (from ${given.from}) is not inside the project folder ${root}`, {
      hint: 'dsync sends only the project folder: give a template inside it, or run dsync in (or with --cwd) the folder that holds the template',
    });
  }
  return projectPath;
}

/** The `profile` the project's samconfig names for an environment (global and sync tables), and the file it is in. */
export async function samconfigProfile(readHost: (rel: string) => Promise<string | undefined>, configEnv: string): Promise<{ profile?: string; file?: string }> {
  for (const file of SAMCONFIG_FILES) {
    const text = await readHost(file);
    if (text === undefined) continue;
    return { profile: readSamConfig(text, file, configEnv).profile, file };
  }
  return {};
}
