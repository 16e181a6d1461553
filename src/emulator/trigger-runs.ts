// `dsync up --logs` in emulator mode: one line per trigger run (a rule's
// delivery, a queue's batch, a stream's retry, an asynchronous try), as the
// emulator records them, interleaved with the functions' own logs. The
// follower runs in the container (docker/sam-tools/trigger_runs.py) and
// long-polls the emulator, so it costs nothing while no trigger runs.
import type { ContainerClient } from '../docker/container-client.js';
import { containerRun } from '../docker/container-run.js';
import { stripAnsi } from '../base/lines.js';
import { triggerRunsArgv, type SamTarget } from '../sam/commands.js';
import { EMULATOR_PORT } from '../sam/target.js';

export interface TriggerRunStream {
  client: ContainerClient;
  containerId: () => string;
  workspace: string;
  target: SamTarget;
  python: string;
  /** Where the follower records its pid, so stopTriggerRuns stops exactly it. */
  pidFile: string;
  onLine(line: string): void;
}

/** Follow the trigger runs until stopped; resolves with the follower's exit status. */
export async function streamTriggerRuns(o: TriggerRunStream): Promise<number> {
  const run = containerRun(o.client, o.containerId, o.workspace);
  const argv = triggerRunsArgv(o.target, o.python, EMULATOR_PORT);
  const cmd = ['sh', '-c', `echo $$ > ${o.pidFile} && exec "$@"`, 'sh', ...argv];
  return run(cmd, [], (line, stream) => {
    const clean = stripAnsi(line);
    if (clean.trim() && stream === 'stdout') o.onLine(clean);
  });
}
