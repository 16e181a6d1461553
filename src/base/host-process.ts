// The only file that imports execa: commands dsync runs on the host.
import { execa } from 'execa';

export interface HostCommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export type HostCommandRunner = (file: string, args: string[], options: { cwd: string }) => Promise<HostCommandResult>;

export const runHostCommand: HostCommandRunner = async (file, args, options) => {
  const result = await execa(file, args, { cwd: options.cwd, reject: false, stripFinalNewline: false, timeout: 30_000 });
  return {
    exitCode: result.exitCode ?? (result.failed ? 127 : 0),
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
  };
};

/**
 * Run the AWS CLI (or another credential helper) with the user's terminal on
 * stdin and stderr, so SSO device prompts and MFA codes work; stdout is captured.
 */
export const runInteractiveHostCommand = async (file: string, args: string[], env: Record<string, string | undefined>): Promise<HostCommandResult> => {
  // On a terminal, prompts (MFA codes, SSO device codes) reach the user; otherwise stderr is only captured.
  const interactive = process.stdin.isTTY === true && process.stderr.isTTY === true;
  const result = await execa(file, args, { env, extendEnv: false, reject: false, stdin: interactive ? 'inherit' : 'ignore', stderr: interactive ? ['pipe', 'inherit'] : 'pipe', timeout: 300_000 });
  if (result.failed && result.exitCode === undefined) throw new Error(result.shortMessage);
  return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
};
