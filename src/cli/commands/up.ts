// `dsync up`: flags to a SAM request (or --sync-only), then the session until Ctrl-C.
import os from 'node:os';
import path from 'node:path';
import { COMMON_HELP, COMMON_OPTIONS, parse } from '../args.js';
import { connectEngine, createCliSession, credentialsFor, currentUser, loadCliConfig, profileFor, readTemplateModel, samImageSource, withLayout } from '../deps.js';
import { configuredWish, fixedPorts, planDebug, type DebugPlan } from '../../emulator/debug.js';
import { withContainerEnvironment } from '../../devcontainer/prepare.js';
import { chooseReporter, type OutputStreams } from '../output.js';
import { DsyncError, EXIT, isDsyncError } from '../../base/errors.js';
import { interruptible } from '../../base/interrupt.js';
import type { SamRequest } from '../../samloop/sam-loop.js';
import type { LeaseTiming } from '../../stack/lease.js';
import { checkLoopbackEndpoint, loopbackEndpoint } from '../../docker/tunnel.js';
import type { TargetMode } from '../../sam/commands.js';
import type { RunningSync } from '../../session/types.js';
import type { DsyncConfig } from '../../config/config.js';
import type { Reporter } from '../../base/reporter.js';

export const help = `Usage: dsync up [options]

Create (or reuse) this project's container, copy the project into it, deploy
the SAM stack once, then keep both in step as you edit, until Ctrl-C: a code
change syncs only the functions or layers it belongs to (sam sync --code), a
template change redeploys the stack. SAM runs in the container; .aws-sam never
appears on the host. The container and its volumes stay for the next run.

Where the stack goes:
  (default)               your AWS account: credentials are resolved on this
                          machine (--profile, samconfig's profile, AWS_PROFILE,
                          SSO, env keys) and passed per command; the account
                          they belong to is printed at start
  --emulator              no AWS account: an AWS emulator (moto) runs in the
                          container and runs your functions: each API is
                          served on 127.0.0.1 (URLs printed after the first
                          deploy and in \`dsync status\`); \`dsync invoke\`
  --endpoint-url URL      another AWS-compatible endpoint (e.g. LocalStack); a
                          localhost URL means this machine, reached from the
                          container through a tunnel

A stack per developer (real AWS and --endpoint-url): the stack is
samconfig's stack_name plus your name from the AWS identity (e.g. shop-ana),
so teammates never overwrite each other's code; --stack-name is used exactly.
While dsync runs it holds the stack's lease (an SSM parameter under
/dsync/stack-lease/): a second \`dsync up\` on that stack is refused, naming
who holds it. A protected stack (tag dsync:protected=true, or "prod" in its
name) that dsync did not create is refused.

Options:
  --stack-name NAME       the stack, exactly (default: samconfig stack_name plus
                          your name; in emulator mode, the folder name)
  --take-over             take the stack's lease although another dsync up holds it
  --allow-protected       sync into a protected stack dsync did not create (deliberately)
  --region REGION         region (default: samconfig, then AWS_REGION)
  --template PATH         SAM template (default: samconfig template_file, else template.yaml)
  --parameter-overrides K=V ...
                          template parameters (repeatable; replaces samconfig's)
  --config-env NAME       samconfig environment (default: default)
  --profile NAME          AWS profile on this machine (default: samconfig's profile, else AWS_PROFILE / default)
  --debug [FUNCTION...]   (emulator) run these functions (all, when none is named)
                          under a debugger (Node.js: the inspector; Python: debugpy),
                          each on a port of its own on 127.0.0.1 that stays the same
                          across runs and saves
                          (printed at start and in \`dsync status\`; attach with VS Code:
                          \`dsync debug --vscode\`); dsync.json "debug" does the same
  --logs                  also show the functions' runtime logs (sam logs --tail), prefixed \`logs │\`,
                          and (emulator) one line per trigger run, prefixed \`trigger │\`
  --verbose               show SAM's own output too (by default it is folded under
                          the spinner, and shown only to explain a failure)
  --sync-only             only mirror files; no SAM
${COMMON_HELP}

Environment: DSYNC_IMAGE (image), DSYNC_SAM_BASE_IMAGE (base of the emulator's
SAM image), DSYNC_EXTRA_CA_CERTS (extra CA files for that image's builds).
`;

const UP_OPTIONS = {
  ...COMMON_OPTIONS,
  'sync-only': { type: 'boolean', default: false },
  emulator: { type: 'boolean', default: false },
  'endpoint-url': { type: 'string' },
  'stack-name': { type: 'string' },
  'take-over': { type: 'boolean', default: false },
  'allow-protected': { type: 'boolean', default: false },
  region: { type: 'string' },
  template: { type: 'string' },
  'parameter-overrides': { type: 'string', multiple: true },
  'config-env': { type: 'string' },
  profile: { type: 'string' },
  logs: { type: 'boolean', default: false },
  debug: { type: 'boolean', default: false },
  verbose: { type: 'boolean', default: false },
} as const;

type UpFlags = ReturnType<typeof parseFlags>;

function parseFlags(args: string[]) {
  const { values, positionals } = parse('up', args, UP_OPTIONS, true);
  if (positionals.length && !values.debug) {
    throw new DsyncError('USAGE', `up: unexpected argument ${positionals[0]}`, { hint: 'function names go after --debug: dsync up --emulator --debug FUNCTION...' });
  }
  if (values.debug && !values.emulator) {
    throw new DsyncError('USAGE', 'up: --debug needs --emulator: the debugger attaches to functions the emulator runs in the container (on AWS they run in Lambda, out of reach)', {
      hint: 'dsync up --emulator --debug [FUNCTION...]',
    });
  }
  if (values['sync-only'] && (values.emulator || values['endpoint-url'])) {
    throw new DsyncError('USAGE', 'up: --sync-only cannot be combined with --emulator or --endpoint-url');
  }
  if (values.emulator && values['endpoint-url']) {
    throw new DsyncError('USAGE', 'up: choose one of --emulator (embedded moto) and --endpoint-url URL');
  }
  const mode: TargetMode = values.emulator ? 'emulator' : values['endpoint-url'] ? 'endpoint' : 'aws';
  return { ...values, mode, debugFunctions: positionals };
}

export async function run(args: string[], io: OutputStreams): Promise<number> {
  const flags = parseFlags(args);
  // In a monorepo the template may name code outside the project folder: mirror the folder holding both (or say why not).
  const config = await withLayout(loadCliConfig(flags, io.env), { configEnv: flags['config-env'], strict: !flags['sync-only'] });
  const lifecycle = new UpLifecycle(io);
  const sam = flags['sync-only'] ? undefined : await samRequest(flags, config, io, lifecycle);
  const reporter = await chooseReporter(io, flags.json, { quiet: !flags['sync-only'] && !flags.verbose });
  reportSyncRoot(config, reporter);
  lifecycle.listen(reporter);
  try {
    const running = await lifecycle.start(() => startSession(config, io, reporter, sam, lifecycle.signal));
    if (!running) return EXIT.interrupted;
    await lifecycle.stopped();
    reporter.progress('stopping: finishing the current batch');
    await running.stop();
    lifecycle.throwFatal();
    reporter.done('stopped; the container is kept for the next `dsync up`');
    reporter.event({ type: 'stopped' });
    return EXIT.ok;
  } finally {
    // Also on a fatal error: no spinner may keep turning under the error line.
    reporter.close();
    lifecycle.dispose();
  }
}

/** The SAM side of `up`: target, credentials, the stack's owner, what ends the run. */
async function samRequest(flags: UpFlags, config: DsyncConfig, io: OutputStreams, lifecycle: UpLifecycle): Promise<SamRequest> {
  const { mode } = flags;
  return {
    mode,
    flags: {
      stackName: flags['stack-name'],
      region: flags.region,
      endpointUrl: flags['endpoint-url'],
      parameterOverrides: flags['parameter-overrides']?.flatMap((v) => v.split(/\s+/).filter(Boolean)),
      configEnv: flags['config-env'],
    },
    env: io.env,
    credentials: credentialsFor(mode, io.env, mode === 'emulator' ? {} : await profileFor(config, flags.profile, flags['config-env'])),
    account: mode === 'emulator' ? undefined : async (credentials, region) => (await import('../aws-sdk.js')).awsAccount(credentials, region, flags['endpoint-url']),
    machine: { osUser: currentUser(io.env), hostname: os.hostname(), pid: process.pid },
    takeOver: flags['take-over'],
    allowProtected: flags['allow-protected'],
    leaseTiming: leaseTiming(io.env),
    fatal: (error) => lifecycle.fail(error),
    samImage: () => samImageSource(config, io.env),
    logs: flags.logs,
    debug: mode === 'emulator' ? await debugPlan(flags, config) : undefined,
  };
}

/** --debug [FUNCTION...] (or dsync.json "debug"): the functions and their ports, from the template on the host. */
async function debugPlan(flags: UpFlags, config: DsyncConfig): Promise<DebugPlan | undefined> {
  const wish = flags.debug ? (flags.debugFunctions.length ? flags.debugFunctions : true) : configuredWish(config.debug);
  if (wish === undefined) return undefined;
  const model = await readTemplateModel(config, flags['config-env']);
  if (!model) throw new DsyncError('TEMPLATE', '--debug: the SAM template cannot be read, so its functions are unknown', { hint: 'fix the template, or run without --debug' });
  return planDebug(model, wish, fixedPorts(config.debug), path.basename(config.root));
}

function reportSyncRoot(config: DsyncConfig, reporter: Reporter): void {
  const layout = config.layout;
  if (!layout || layout.projectDir === '') return;
  reporter.event({
    type: 'sync-root',
    root: layout.syncRoot,
    projectDir: layout.projectDir,
    scope: layout.scope,
    message: `root ${layout.syncRoot} (${layout.rootFrom ?? 'given'}): syncing ${(layout.scope ?? []).join(', ')}, for ${(layout.outside ?? []).join('; ')}`,
  });
}

/** The container's environment and dev container, the session, early checks of credentials and a local endpoint, then live sync. */
async function startSession(config: DsyncConfig, io: OutputStreams, reporter: Reporter, sam: SamRequest | undefined, signal: AbortSignal): Promise<RunningSync> {
  // The host's proxies and CAs, and a devcontainer.json's image and settings (built through the devcontainer CLI).
  const ready = await interruptible(withContainerEnvironment(config, { env: io.env, client: () => connectEngine(io.env), reporter, signal }), signal);
  const session = createCliSession(ready, reporter, io.env, sam);
  if (sam && sam.mode !== 'emulator') {
    // Fail before any work when there are no credentials at all, or nothing answers at a local endpoint.
    await interruptible(sam.credentials.get(), signal);
    const loopback = sam.flags.endpointUrl ? loopbackEndpoint(sam.flags.endpointUrl) : undefined;
    if (loopback) await interruptible(checkLoopbackEndpoint(loopback), signal);
  }
  return session.startLiveSync({ signal });
}

/**
 * Ctrl-C, SIGTERM, a closed terminal, or a fatal event while running (the
 * stack's lease taken over) end the run. Before dsync is watching they
 * interrupt the start (image build, initial sync, emulator) and `up` exits
 * with the interrupted status; once it watches, they stop it cleanly (the
 * batch and SAM step in flight finish) with status 0. A second Ctrl-C
 * quits at once.
 */
class UpLifecycle {
  private readonly stopping = new AbortController();
  private fatal: DsyncError | undefined;
  private watching = false;
  private reporter: Reporter | undefined;
  private readonly onSignal = () => this.interrupt();
  // A closed terminal window (SIGHUP; on Windows the console's close event)
  // stops the run the same way, so the stack's lease is given back; the
  // terminal is gone, so writing to it must not fail the teardown.
  private readonly onHangup = () => {
    for (const stream of [this.io.stdout, this.io.stderr]) stream.on('error', () => undefined);
    this.interrupt();
  };

  constructor(private readonly io: OutputStreams) {}

  get signal(): AbortSignal {
    return this.stopping.signal;
  }

  /** Handle the signals from now on, reporting through `reporter`. */
  listen(reporter: Reporter): void {
    this.reporter = reporter;
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
    process.on('SIGHUP', this.onHangup);
  }

  dispose(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    process.off('SIGHUP', this.onHangup);
  }

  fail(error: DsyncError): void {
    this.fatal ??= error;
    this.stopping.abort();
  }

  throwFatal(): void {
    if (this.fatal) throw this.fatal;
  }

  /** Run the start; undefined when it was interrupted (said on the terminal). */
  async start(begin: () => Promise<RunningSync>): Promise<RunningSync | undefined> {
    try {
      const running = await begin();
      this.watching = true;
      return running;
    } catch (error) {
      this.throwFatal();
      if (!isDsyncError(error, 'INTERRUPTED')) throw error;
      this.reporter?.done('interrupted before dsync was watching; the container (if created) is kept for the next `dsync up`', false);
      this.reporter?.event({ type: 'stopped', interrupted: true });
      return undefined;
    }
  }

  /** Resolves when something asked the run to end. */
  stopped(): Promise<void> {
    if (this.stopping.signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => this.stopping.signal.addEventListener('abort', () => resolve(), { once: true }));
  }

  private interrupt(): void {
    if (!this.stopping.signal.aborted) {
      this.stopping.abort();
      this.reporter?.progress(
        this.watching ? 'stopping: finishing the current batch and SAM step (Ctrl-C again to quit now)' : 'interrupted: closing what was started (Ctrl-C again to quit now)',
      );
      return;
    }
    this.reporter?.close();
    this.io.stderr.write('dsync: quit without waiting\n');
    process.exit(EXIT.interrupted);
  }
}

/** The lease's heartbeat and stale time: DSYNC_LEASE_HEARTBEAT_S and DSYNC_LEASE_STALE_S (seconds; for tests and slow links). */
function leaseTiming(env: Record<string, string | undefined>): LeaseTiming | undefined {
  const heartbeat = Number(env.DSYNC_LEASE_HEARTBEAT_S);
  const stale = Number(env.DSYNC_LEASE_STALE_S);
  if (!(heartbeat > 0) && !(stale > 0)) return undefined;
  const heartbeatMs = heartbeat > 0 ? heartbeat * 1000 : 30_000;
  return { heartbeatMs, staleMs: stale > 0 ? Math.max(stale * 1000, 2 * heartbeatMs) : 6 * heartbeatMs };
}
