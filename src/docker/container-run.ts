// Running one command in a container line by line: the shape SAM runs,
// the worker's fallback and `sam logs` share.
import { LineSplitter, splitterSink } from '../base/lines.js';
import type { ContainerClient } from './container-client.js';

/** Run argv in the container with env, each output line to onLine; resolves with the exit code. */
export type ContainerRun = (argv: string[], env: string[], onLine: (line: string, stream: 'stdout' | 'stderr') => void, stdin?: string) => Promise<number>;

/** A ContainerRun on the container `id()` names now (it changes when the container is recreated). */
export function containerRun(client: ContainerClient, id: () => string, workspace: string): ContainerRun {
  return async (argv, env, onLine, stdin) => {
    const out = new LineSplitter((l) => onLine(l, 'stdout'));
    const err = new LineSplitter((l) => onLine(l, 'stderr'));
    const result = await client.exec(id(), {
      cmd: argv,
      env,
      workingDir: workspace,
      stdout: splitterSink(out),
      stderr: splitterSink(err),
      input: stdin,
    });
    out.flush();
    err.flush();
    return result.exitCode;
  };
}
