// One `dsync up --emulator --json` run of the built binary, for end-to-end
// tests: its events, waits on them, and reads of what the emulator really
// holds (function lists, deployed zips, layer versions).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DEBIAN_IMAGE } from './real-docker.js';
import { readZip } from './zip.js';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/dsync.js');
export const SAM_BASE = process.env.DSYNC_SAM_BASE_IMAGE ?? DEBIAN_IMAGE;
export const REGION = 'us-east-1';
const env = { ...process.env, CI: '1', DSYNC_SAM_BASE_IMAGE: SAM_BASE };

export type Event = Record<string, unknown> & { type: string };

/** The built CLI, run to completion. */
export function cliRun(args: string[], extra: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...env, ...extra }, timeout: 900_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const AUTH = (service: string) => ({
  authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${REGION}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
});

export const deployOk = (e: Event) => e.type === 'deploy-result' && e.ok === true;
export const deployFailed = (e: Event) => e.type === 'deploy-result' && e.ok === false;

/**
 * Whether the engine has `image`: the corpus apps on Python 3.10 and 3.12 need
 * AWS's image for the runtime, which no registry here serves; the test set-up
 * builds a local stand-in under the official name (docker/base/build-python-standins.sh)
 * when this machine's pyenv has that Python. Without it those apps are skipped, saying why.
 */
export function engineHasImage(image: string): boolean {
  return spawnSync('docker', ['image', 'inspect', image], { stdio: 'ignore' }).status === 0;
}

export class EmulatorRun {
  readonly events: Event[] = [];
  endpoint = '';
  private child: ChildProcess | undefined;
  private stderr = '';

  constructor(
    readonly root: string,
    readonly stack: string,
    /** Added to the CLI's environment (e.g. DOCKER_HOST for another engine). */
    readonly extraEnv: Record<string, string> = {},
  ) {}

  /** Build the SAM image if needed, start `up --emulator` (with `flags`), wait for the first deploy, read the endpoint. */
  async start(flags: readonly string[] = []): Promise<void> {
    const built = cliRun(['image', '--base', SAM_BASE], this.extraEnv);
    if (built.code !== 0) throw new Error(`dsync image failed: ${built.stderr}`);
    const child = spawn(process.execPath, [cli, 'up', '--emulator', '--json', ...flags, '--cwd', this.root], { env: { ...env, ...this.extraEnv } });
    this.child = child;
    child.stderr!.on('data', (c) => (this.stderr += c));
    createInterface({ input: child.stdout! }).on('line', (l) => this.events.push(JSON.parse(l) as Event));
    // The first run with new runtimes builds them into the image (Python from source: minutes).
    await this.until('the first deploy', () => this.events.find((e) => e.type === 'live'), 1_200_000);
    this.refreshEndpoint();
  }

  /** The endpoint `dsync status --json` shows now (it changes when the container is recreated). */
  refreshEndpoint(): { container: { id: string } | null; endpoint?: string; standIns?: Array<{ logicalId: string; type: string; reason: string }> } {
    const status = JSON.parse(cliRun(['status', '--json', '--cwd', this.root], this.extraEnv).stdout) as { container: { id: string } | null; endpoint?: string };
    if (status.endpoint) this.endpoint = status.endpoint;
    return status;
  }

  /** SIGINT, as Ctrl-C; resolves with the exit code. */
  async stop(): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null) return child?.exitCode ?? null;
    child.kill('SIGINT');
    return new Promise((r) => child.once('exit', r));
  }

  /** Stop if still running and remove the container and its volumes. */
  async cleanUp(): Promise<void> {
    await this.stop();
    cliRun(['down', '--purge', '--cwd', this.root], this.extraEnv);
  }

  until = async <T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 120_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await Promise.resolve()
        .then(probe)
        .catch(() => undefined);
      if (value) return value;
      if (this.child && this.child.exitCode !== null) throw new Error(`dsync up exited ${this.child.exitCode} while waiting for ${what}: ${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last events: ${JSON.stringify(this.events.slice(-8))}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  /** The first event after index `from` matching `match`. */
  nextEvent = (from: number, match: (e: Event) => boolean, what: string): Promise<Event> => this.until(what, () => this.events.slice(from).find(match));

  /** Every started deploy has its result and nothing new happened for `ms`. */
  quiet = async (ms = 2500): Promise<void> => {
    let seen = -1;
    let since = Date.now();
    await this.until('the loop to go quiet', () => {
      if (this.events.length !== seen) {
        seen = this.events.length;
        since = Date.now();
        return false;
      }
      const started = this.events.filter((e) => e.type === 'deploy-started').length;
      const finished = this.events.filter((e) => e.type === 'deploy-result').length;
      return started === finished && Date.now() - since >= ms;
    });
  };

  lambdaGet = async (p: string): Promise<Record<string, unknown>> => {
    const res = await fetch(`${this.endpoint}${p}`, { headers: AUTH('lambda') });
    if (!res.ok) throw new Error(`GET ${p}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };

  functions = async (): Promise<Array<{ FunctionName: string; Layers?: Array<{ Arn: string }> }>> =>
    (await this.lambdaGet('/2015-03-31/functions/')).Functions as Array<{ FunctionName: string }>;

  functionNamed = async (logicalId: string): Promise<string | undefined> =>
    (await this.functions()).find((f) => f.FunctionName.startsWith(`${this.stack}-${logicalId}-`))?.FunctionName;

  /** The deployed zip's files (empty when the function does not exist). */
  deployedZip = async (logicalId: string): Promise<Map<string, Buffer>> => {
    const name = await this.functionNamed(logicalId);
    if (!name) return new Map();
    const res = await fetch(`${this.endpoint}/_dsync/lambda/${REGION}/${name}/code`);
    return res.ok ? readZip(Buffer.from(await res.arrayBuffer())) : new Map();
  };

  deployedFile = async (logicalId: string, file: string): Promise<string> => (await this.deployedZip(logicalId)).get(file)?.toString('utf8') ?? '';

  latestLayerFile = async (layerName: string, file: string): Promise<{ version: number; text: string }> => {
    const versions = (await this.lambdaGet(`/2018-10-31/layers/${layerName}/versions`)).LayerVersions as Array<{ Version: number }>;
    const version = Math.max(0, ...versions.map((v) => v.Version));
    const res = await fetch(`${this.endpoint}/_dsync/lambda/${REGION}/layers/${layerName}/${version}/code`);
    return {
      version,
      text: res.ok
        ? (readZip(Buffer.from(await res.arrayBuffer()))
            .get(file)
            ?.toString('utf8') ?? '')
        : '',
    };
  };
}

/**
 * The files of `functionId` as a fresh `sam build` process makes them (no
 * worker, no cache, another folder), `path sha256` per file, sorted.
 */
export function freshBuildListing(root: string, template: string, functionId: string): string[] {
  const dir = `/tmp/fresh-${functionId}`;
  const built = cliRun([
    'exec',
    '--cwd',
    root,
    '--',
    'sh',
    '-c',
    `rm -rf ${dir} && sam build ${functionId} --template-file ${template} --build-dir ${dir} >${dir}.log 2>&1 || { tail -20 ${dir}.log; exit 1; }
cd ${dir}/${functionId} && find . -type f | sort | while read -r f; do echo "\${f#./} $(sha256sum "$f" | cut -d' ' -f1)"; done`,
  ]);
  if (built.code !== 0) throw new Error(`sam build ${functionId} failed: ${built.stdout}${built.stderr}`);
  return built.stdout.trim().split('\n').filter(Boolean).sort();
}

/** A deployed zip as `path sha256` per file, sorted. */
export function zipListing(zip: Map<string, Buffer>): string[] {
  return [...zip.entries()].map(([name, bytes]) => `${name} ${createHash('sha256').update(bytes).digest('hex')}`).sort();
}
