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
