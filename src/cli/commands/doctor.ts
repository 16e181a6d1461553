// `dsync doctor`: check this machine and project for what would break
// `dsync up`, one line per check, with the fix for each warning or failure.
import { COMMON_HELP, COMMON_OPTIONS, parse } from '../args.js';
import type { OutputStreams } from '../output.js';
import { EXIT, isDsyncError } from '../../base/errors.js';
import { hostPlatform } from '../../base/platform.js';
import type { DsyncConfig } from '../../config/config.js';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { runHostCommand } from '../../base/host-process.js';
import { silentReporter } from '../../base/reporter.js';
import type { ContainerClient } from '../../docker/container-client.js';
import { anyFailed, runDoctor, type CheckResult, type CheckStatus, type DoctorMode, type DoctorProbes } from '../../doctor/run.js';
import { createSession } from '../../session/session.js';
import { nodeHostFs } from '../../sync/host-fs.js';
import { parseGitLsFiles } from '../../sync/modes.js';
import { connectEngine, credentialsFor, loadCliConfig, profileFor, readText, realSessionDeps, samImageSource, withLayout } from '../deps.js';
import { hostCaFiles } from '../../docker/host-certificates.js';

export const help = `Usage: dsync doctor [--emulator] [options]

Check what \`dsync up\` needs, one line per check, each warning or failure
with its fix:

  config       dsync.json parses and its settings are valid
  engine       the Docker engine answers: where (DOCKER_HOST, context, default), which engine
               (Docker Desktop, Podman, Rancher Desktop, Colima, dockerd), its version and known gaps
  image        the image \`up\` would use is on the engine, and matches "imageDigest" if pinned
  sam          the SAM CLI in the project's container meets "samVersion" if pinned
  clock        the container's clock is within 30 s of the host's (AWS refuses 5 min)
  proxy        HTTP(S)_PROXY / NO_PROXY and extra CA settings in the container match the host's
  credentials  AWS credentials are found and not about to expire (real AWS only)
  template     the SAM template is found and parses (and how many functions it has)
  crlf         no script's #! line ends in CRLF
  exec-bits    no #! script (or git 100755 file) lost its executable bit
  watchers     Linux: enough inotify watches for the folders dsync watches
  disk         free space on the container's workspace volume

Checks that need the project's container are skipped until \`dsync up\` has
created it; those that need the engine are skipped when it does not answer.
Each check has a time limit of a few seconds. Warnings alone exit 0; any
failure exits 5.

Options:
  --emulator              check for \`up --emulator\` (dsync's SAM image; no AWS credentials)
  --template PATH         SAM template (default: samconfig template_file, else template.yaml)
  --config-env NAME       samconfig environment (default: default)
  --profile NAME          AWS profile on this machine (default: samconfig's, else AWS_PROFILE / default)
${COMMON_HELP.replace('one JSON object per line', 'one JSON object with every check')}
`;

const SYMBOLS: Record<CheckStatus, string> = { pass: '✔', warn: '!', fail: '✖', skip: '-' };

/** One line per check (and an indented fix line); symbols on a terminal, words otherwise. */
export function formatChecks(results: readonly CheckResult[], tty: boolean): string {
  const width = Math.max(...results.map((r) => r.id.length));
  const lines: string[] = [];
  for (const r of results) {
    const mark = tty ? SYMBOLS[r.status] : r.status.padEnd(4);
    lines.push(`${mark} ${r.id.padEnd(width)}  ${r.message}`);
    if (r.fix && (r.status === 'warn' || r.status === 'fail')) lines.push(`${' '.repeat((tty ? 1 : 4) + 1 + width + 2)}fix: ${r.fix}`);
  }
  const count = (s: CheckStatus) => results.filter((r) => r.status === s).length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  lines.push('', `${plural(count('pass'), 'check')} passed, ${plural(count('warn'), 'warning')}, ${plural(count('fail'), 'failure')}, ${count('skip')} skipped`);
  return `${lines.join('\n')}\n`;
}

export async function run(args: string[], io: OutputStreams): Promise<number> {
  const { values } = parse('doctor', args, {
    ...COMMON_OPTIONS,
    emulator: { type: 'boolean', default: false },
    template: { type: 'string' },
    'config-env': { type: 'string' },
    profile: { type: 'string' },
  });
  // A broken dsync.json is one of the findings: the other checks run on the defaults.
  let configError: unknown;
  let base: DsyncConfig;
  try {
    base = loadCliConfig(values, io.env);
  } catch (error) {
    if (!isDsyncError(error, 'CONFIG')) throw error;
    configError = error;
    base = loadCliConfig(values, io.env, { withoutFile: true });
  }
  const config = await withLayout(base, { configEnv: values['config-env'], strict: false });
  const mode = values.emulator ? 'emulator' : 'aws';
  const platform = hostPlatform();
  const probes = doctorProbes(config, mode, io.env, { profile: values.profile, configEnv: values['config-env'] });
  const results = await runDoctor({ config, mode, configEnv: values['config-env'], env: io.env, platform, now: () => Date.now(), configError }, probes);
  if (values.json) io.stdout.write(`${JSON.stringify({ type: 'doctor', ok: !anyFailed(results), checks: results })}\n`);
  else io.stdout.write(formatChecks(results, io.stdout.isTTY === true && !io.env.CI));
  return anyFailed(results) ? EXIT.failed : EXIT.ok;
}

// The real probes behind the checks: the engine from the environment, the
// project's container by its labels, host credentials as `up` resolves them,
// the host's files, git and /proc.
export interface DoctorFlags {
  profile?: string;
  configEnv?: string;
}

export function doctorProbes(config: DsyncConfig, mode: DoctorMode, env: Record<string, string | undefined>, flags: DoctorFlags): DoctorProbes {
  let client: ContainerClient | undefined;
  const connect = () => (client ??= connectEngine(env));
  const syncRoot = config.layout?.syncRoot ?? config.root;
  return {
    connect,
    findContainer: () => createSession(config, realSessionDeps(connect(), silentReporter)).findContainer(),
    samImageSource: () => samImageSource(config, env),
    credentials: async () => credentialsFor(mode === 'emulator' ? 'emulator' : 'aws', env, await profileFor(config, flags.profile, flags.configEnv)).get(),
    readProject: async (projectPath) => readText(path.join(config.root, ...projectPath.split('/'))),
    fs: nodeHostFs,
    gitIndex: async () => {
      const result = await runHostCommand('git', ['ls-files', '-s', '-z'], { cwd: syncRoot });
      return result.exitCode === 0 ? parseGitLsFiles(result.stdout) : undefined;
    },
    readSystemFile: (p) => fsp.readFile(p, 'utf8').catch(() => undefined),
    hostCaFiles: () => hostCaFiles(env),
  };
}
