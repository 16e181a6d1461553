// The only file that imports execa: commands dsync runs on the host.
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';

export interface HostCommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Resolves with the exit code (124 on a timeout); rejects, as spawn does (code ENOENT…), when the command cannot be started. */
export type HostCommandRunner = (file: string, args: string[], options: { cwd: string }) => Promise<HostCommandResult>;

export const runHostCommand: HostCommandRunner = async (file, args, options) => {
  if (process.platform === 'win32' && !onWindowsPath(file, process.env, (p) => fs.existsSync(p))) {
    // Not a spawn error on Windows: execa would hand the name to cmd.exe, which
    // answers exit 1 (9009 under Wine) and "not recognized" in the system's language.
    throw Object.assign(new Error(`${file} is not on PATH`), { code: 'ENOENT' });
  }
  const result = await execa(file, args, { cwd: options.cwd, reject: false, stripFinalNewline: false, timeout: 30_000 });
  const spawnError = (result as { code?: unknown }).code;
  if (result.failed && result.exitCode === undefined && typeof spawnError === 'string') throw Object.assign(new Error(result.shortMessage), { code: spawnError });
  return {
    exitCode: result.exitCode ?? (result.timedOut ? 124 : 127),
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
  };
};

/** A long host command whose stderr lines are shown as they come (a build); stdout is collected. */
export type StreamingHostRunner = (
  file: string,
  args: string[],
  options: { cwd: string; env: Record<string, string | undefined>; onStderrLine?(line: string): void; signal?: AbortSignal },
) => Promise<HostCommandResult>;

export const runStreamingHostCommand: StreamingHostRunner = async (file, args, options) => {
  const child = execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    cancelSignal: options.signal,
    forceKillAfterDelay: 2000,
  });
  let partial = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split(/\r?\n/);
    partial = lines.pop() ?? '';
    for (const line of lines) options.onStderrLine?.(line);
  });
  const result = await child;
  if (partial) options.onStderrLine?.(partial);
  const spawnError = (result as { code?: unknown }).code;
  if (result.failed && result.exitCode === undefined && typeof spawnError === 'string' && !result.isCanceled)
    throw Object.assign(new Error(result.shortMessage), { code: spawnError });
  return { exitCode: result.exitCode ?? (result.isCanceled ? 130 : 1), stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
};

/** Whether a bare command name resolves on a Windows PATH (with PATHEXT), as cmd.exe would look it up. */
export function onWindowsPath(file: string, env: Record<string, string | undefined>, exists: (p: string) => boolean): boolean {
  if (/[\\/:]/.test(file)) return exists(file);
  const pathVar = Object.entries(env).find(([k]) => k.toUpperCase() === 'PATH')?.[1] ?? '';
  const pathExt = Object.entries(env).find(([k]) => k.toUpperCase() === 'PATHEXT')?.[1] ?? '.COM;.EXE;.BAT;.CMD';
  const exts = ['', ...pathExt.split(';').filter(Boolean)];
  return pathVar
    .split(';')
    .filter(Boolean)
    .some((dir) => exts.some((ext) => exists(path.win32.join(dir.replace(/^"|"$/g, ''), file + ext))));
}

/**
 * Run the AWS CLI (or another credential helper) with the user's terminal on
 * stdin and stderr, so SSO device prompts and MFA codes work; stdout is captured.
 */
export const runInteractiveHostCommand = async (file: string, args: string[], env: Record<string, string | undefined>): Promise<HostCommandResult> => {
  // On a terminal, prompts (MFA codes, SSO device codes) reach the user; otherwise stderr is only captured.
  const interactive = process.stdin.isTTY === true && process.stderr.isTTY === true;
  const result = await execa(file, args, {
    env,
    extendEnv: false,
    reject: false,
    stdin: interactive ? 'inherit' : 'ignore',
    stderr: interactive ? ['pipe', 'inherit'] : 'pipe',
    timeout: 300_000,
  });
  if (result.failed && result.exitCode === undefined) throw new Error(result.shortMessage);
  return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
};
