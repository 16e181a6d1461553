// What SAM needs to know about the project, read from the host: SAM's own
// samconfig (the first of samconfig.toml/.yaml/.yml), the template path, and
// from those plus flags and dsync.json, the target stack.
import type { DsyncConfig } from '../config/config.js';
import type { SamTarget, TargetMode } from '../sam/commands.js';
import { readSamConfig, SAMCONFIG_FILES, type SamParameters } from '../sam/samconfig.js';
import { resolveTarget, type TargetInput } from '../sam/target.js';

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
}): Promise<SamProject> {
  const { config, flags, readHost } = input;
  let samconfig: SamParameters = {};
  const infraFiles: string[] = [];
  for (const file of SAMCONFIG_FILES) {
    const text = await readHost(file);
    if (text === undefined) continue;
    infraFiles.push(file);
    samconfig = readSamConfig(text, file, flags.configEnv ?? config.configEnv ?? 'default');
    break;
  }
  // SAM's own default: template.yaml, else template.yml.
  const onlyYml = (await readHost('template.yaml')) === undefined && (await readHost('template.yml')) !== undefined;
  const templatePath = config.template ?? samconfig.template_file ?? (onlyYml ? 'template.yml' : 'template.yaml');
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
