// Function runtime logs through `sam logs` in the container: `dsync logs`
// prints them, `dsync up --logs` interleaves them with the sync status.
import type { ContainerClient } from '../docker/container-client.js';
import type { Clock } from '../base/clock.js';
import { envList, logsArgv, samEnv, tunnelArgv, type SamTarget, type TargetMode } from '../sam/commands.js';
import type { CredentialResolver } from '../sam/credentials.js';
import { readEmulatorRoute } from '../emulator/route.js';
import { loadTarget } from '../sam/target-store.js';
import { loopbackEndpoint, ReverseTunnel, tunnelTarget, urlPort } from '../docker/tunnel.js';
import { containerRun } from '../docker/container-run.js';
import { stripAnsi } from '../base/lines.js';

export interface LogStream {
  client: ContainerClient;
  containerId: () => string;
  workspace: string;
  target: SamTarget;
  credentials: CredentialResolver;
  /** Logical ids; empty for all of the stack's functions. */
  names: readonly string[];
  tail: boolean;
  onLine(line: string): void;
  /** Record the process id here, so this one stream can be stopped later (stopLogs). */
  pidFile?: string;
}

/** Stream `sam logs` lines to onLine until the command ends (with tail: until the exec is stopped). */
export async function streamLogs(o: LogStream): Promise<number> {
  const run = containerRun(o.client, o.containerId, o.workspace);
  const env = envList(samEnv(o.target, await o.credentials.get()));
  const argv = logsArgv(o.target, o.names, o.tail);
  // `exec` keeps the pid, so the file names the sam process itself.
  const cmd = o.pidFile ? ['sh', '-c', `echo $$ > ${o.pidFile} && exec "$@"`, 'sh', ...argv] : argv;
  // sam logs does not say which function a line is from; the emulator knows which wrote each log stream.
  const names = o.target.mode === 'emulator' && o.names.length !== 1 ? new StreamFunctions(o.client, o.containerId, o.target) : undefined;
  let ordered: Promise<void> = Promise.resolve();
  const code = await run(cmd, env, (line) => {
    const clean = stripAnsi(line);
    if (!clean.trim()) return;
    if (!names) return o.onLine(clean);
    ordered = ordered.then(async () => {
      const fn = await names.of(clean.split(' ', 1)[0] ?? '');
      o.onLine(fn ? `${fn} │ ${clean}` : clean);
    });
  });
  await ordered;
  return code;
}

/** Log stream name -> the logical id of the function that wrote it, asked of dsync's emulator (GET /_dsync/streams). */
class StreamFunctions {
  private known = new Map<string, string>();
  private askedAt = 0;

  constructor(
    private readonly client: ContainerClient,
    private readonly containerId: () => string,
    private readonly target: SamTarget,
  ) {}

  async of(stream: string): Promise<string | undefined> {
    if (!this.known.has(stream) && Date.now() - this.askedAt > 500) {
      this.askedAt = Date.now();
      const route = `/_dsync/streams/${encodeURIComponent(this.target.region)}/${encodeURIComponent(this.target.stackName)}`;
      const found = await readEmulatorRoute<Record<string, string>>(this.client, this.containerId(), 'python3', route);
      for (const [s, fn] of Object.entries(found ?? {})) this.known.set(s, fn);
    }
    return this.known.get(stream);
  }
}

/** Stop the stream started with this pidFile (and no other `sam logs` in the container). */
export async function stopLogs(client: ContainerClient, containerId: string, pidFile: string): Promise<void> {
  await client.exec(containerId, { cmd: ['sh', '-c', `[ -f ${pidFile} ] && kill "$(cat ${pidFile})"; rm -f ${pidFile}`] });
}

export interface ShowLogs {
  client: ContainerClient;
  containerId: string;
  workspace: string;
  clock: Clock;
  /** Logical ids; empty for all of the stack's functions. */
  names: string[];
  /** The template's functions, named to sam logs when `names` is empty (see functionIds). */
  allFunctions?: string[];
  tail: boolean;
  credentials(mode: TargetMode): CredentialResolver;
  onLine(line: string): void;
  /** Ctrl-C: stop this command's own `sam logs` in the container. */
  signal?: AbortSignal;
}

/** `dsync logs`: the functions' runtime logs for the stack the last `up` deployed; resolves with the exit status. */
export async function showLogs(o: ShowLogs): Promise<number> {
  const target = await loadTarget(o.client, o.containerId);
  // A loopback endpoint needs the tunnel; while `up` runs, its tunnel already serves the port.
  const loopback = target.mode === 'endpoint' && target.endpointUrl ? loopbackEndpoint(target.endpointUrl) : undefined;
  const tunnel = loopback
    ? await ReverseTunnel.open(o.client, o.containerId, tunnelArgv('python3', urlPort(loopback)), tunnelTarget(loopback)).catch((error: unknown) => {
        if (/cannot listen/i.test((error as Error).message)) return undefined;
        throw error;
      })
    : undefined;
  const base = { client: o.client, containerId: () => o.containerId, workspace: o.workspace, target, credentials: o.credentials(target.mode), tail: o.tail };
  // Each stream records its own pid, so Ctrl-C stops exactly this command's `sam logs` and no other.
  const token = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const streams = (o.names.length <= 1 ? [undefined] : o.names).map((name, i) => ({ name, pidFile: `/dsync/state/logs-${token}-${i}.pid` }));
  let finished = false;
  // A stream may not have written its pid yet when Ctrl-C comes: keep trying until all have ended.
  const stop = () => {
    void (async () => {
      while (!finished) {
        await Promise.all(streams.map((s) => stopLogs(o.client, o.containerId, s.pidFile).catch(() => undefined)));
        await o.clock.sleep(250);
      }
    })();
  };
  o.signal?.addEventListener('abort', stop, { once: true });
  try {
    // sam logs does not say which function a line came from: one stream per named function, prefixed.
    const codes = await Promise.all(
      streams.map((s) =>
        streamLogs({
          ...base,
          names: s.name !== undefined ? [s.name] : o.names.length > 0 ? o.names : (o.allFunctions ?? []),
          pidFile: s.pidFile,
          onLine: s.name === undefined ? o.onLine : (line) => o.onLine(`${s.name} │ ${line}`),
        }),
      ),
    );
    if (o.signal?.aborted) return 0;
    return codes.find((c) => c !== 0) ?? 0;
  } finally {
    finished = true;
    o.signal?.removeEventListener('abort', stop);
    tunnel?.close();
  }
}
