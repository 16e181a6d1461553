// Runs the built `dsync` binary the way a user does: one-shot commands, and
// a long-running `up` whose --json events are collected as they arrive.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/dsync.js');

export type Env = Record<string, string | undefined>;

/** How to start the CLI: this Node.js on the built bin by default (the Windows tier passes node.exe under Wine). */
export interface CliCommand {
  file: string;
  args: string[];
}
const NODE_CLI: CliCommand = { file: process.execPath, args: [CLI] };

export function runCli(args: string[], env: Env = {}, input?: string, via: CliCommand = NODE_CLI) {
  const result = spawnSync(via.file, [...via.args, ...args], { encoding: 'utf8', env: { ...process.env, CI: '1', ...env }, input });
  return { code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

export interface UpProcess {
  events: Array<Record<string, unknown>>;
  readonly stderr: string;
  /** null while it runs. */
  exitCode(): number | null;
  waitFor(type: string, timeoutMs?: number, where?: (e: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** Send a signal (SIGINT by default) and resolve with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/** `dsync up --json ARGS` in the background (add --sync-only yourself when wanted). */
export function startUp(args: string[], env: Env = {}, via: CliCommand = NODE_CLI): UpProcess {
  const child = spawn(via.file, [...via.args, 'up', '--json', ...args], { env: { ...process.env, CI: '1', ...env } });
  const events: Array<Record<string, unknown>> = [];
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  createInterface({ input: child.stdout }).on('line', (l) => {
    try {
      events.push(JSON.parse(l) as Record<string, unknown>);
    } catch {
      events.push({ type: 'non-json', line: l });
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    events,
    get stderr() {
      return stderr;
    },
    exitCode: () => child.exitCode,
    async waitFor(type, timeoutMs = 60_000, where = () => true) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const found = events.find((e) => e.type === type && where(e));
        if (found) return found;
        if (child.exitCode !== null) throw new Error(`dsync up exited ${child.exitCode} before a ${type} event: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no ${type} event in ${timeoutMs} ms; stderr: ${stderr}`);
    },
    async stop(signal = 'SIGINT') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
    exited,
  };
}
