// `dsync invoke`: run one function of the deployed stack in the emulator, by
// its logical id, with an event; what the emulator's Lambda runtime answers
// (docker/emulator/dsync_emulator/lambda_runner), read through its own route.
import { Readable } from 'node:stream';
import { DsyncError } from '../base/errors.js';
import type { ContainerClient } from '../docker/container-client.js';
import { EMULATOR_PORT } from '../sam/target.js';
import { probeImage } from '../images/probe.js';
import { loadTarget } from '../sam/target-store.js';

export interface InvokeOutcome {
  logicalId: string;
  functionName: string;
  /** The function's answer (JSON text), or the error Lambda would give. */
  payload: string;
  /** "Unhandled" when the function failed (threw, timed out, could not start). */
  functionError: string | null;
  /** START / the function's lines / END / REPORT. */
  logs: string;
  /** Set on a cold start. */
  initMs: number | null;
  durationMs: number;
}

/** Posts stdin to the emulator's invoke route; prints the answer, or the error body with exit 3. */
const POST = (path: string) =>
  [
    'import sys, urllib.request, urllib.error',
    `req = urllib.request.Request("http://localhost:${EMULATOR_PORT}${path}", data=sys.stdin.buffer.read(), method="POST")`,
    'try:',
    '    sys.stdout.write(urllib.request.urlopen(req, timeout=960).read().decode())',
    'except urllib.error.HTTPError as e:',
    '    sys.stdout.write(e.read().decode()); sys.exit(3)',
  ].join('\n');

export async function invokeFunction(client: ContainerClient, containerId: string, logicalId: string, event: string): Promise<InvokeOutcome> {
  const target = await loadTarget(client, containerId);
  if (target.mode !== 'emulator') {
    throw new DsyncError(
      'USAGE',
      `dsync invoke runs functions in the emulator; this project's stack ${target.stackName} is in ${target.mode === 'aws' ? 'AWS' : `an endpoint (${target.endpointUrl ?? '?'})`}`,
      {
        hint: 'run `dsync up --emulator`; for a stack in AWS use `sam remote invoke`',
      },
    );
  }
  const probe = await probeImage(client, containerId);
  if (!probe.motoPython) throw new DsyncError('EMULATOR', 'The container has no emulator', { hint: 'run `dsync up --emulator` first' });
  const path = `/_dsync/invoke/${encodeURIComponent(target.region)}/${encodeURIComponent(target.stackName)}/${encodeURIComponent(logicalId)}`;
  const result = await client.exec(containerId, { cmd: [probe.motoPython, '-c', POST(path)], stdin: Readable.from([Buffer.from(event)]) });
  let answer: Record<string, unknown>;
  try {
    answer = JSON.parse(result.stdout) as Record<string, unknown>;
  } catch {
    throw new DsyncError('EMULATOR', `The emulator did not answer the invoke (exit ${result.exitCode}): ${(result.stderr || result.stdout).trim().split('\n').pop() ?? ''}`, {
      hint: 'is `dsync up --emulator` running? `dsync status` shows the emulator',
    });
  }
  if (result.exitCode !== 0) {
    const functions = Array.isArray(answer.functions) ? (answer.functions as string[]) : [];
    throw new DsyncError('NOT_FOUND', String(answer.message ?? 'the emulator refused the invoke'), {
      hint: functions.length > 0 ? `the stack's functions: ${functions.join(', ')}` : 'run `dsync up --emulator` and wait for the first deploy',
    });
  }
  return answer as unknown as InvokeOutcome;
}

/** The one line that says why an invocation failed: the error's type and message as the runtime gave them (never just "Unhandled"). */
export function failureLine(logicalId: string, payload: string): string {
  let error: { errorType?: unknown; errorMessage?: unknown } = {};
  try {
    const parsed = JSON.parse(payload) as unknown;
    if (parsed && typeof parsed === 'object') error = parsed as typeof error;
  } catch {
    // not JSON: the payload itself is printed above
  }
  const type = typeof error.errorType === 'string' ? error.errorType : 'an error';
  const message = typeof error.errorMessage === 'string' ? error.errorMessage.split('\n')[0]!.slice(0, 300) : '';
  const where = type === 'Runtime.Unavailable' ? 'the emulator cannot run it' : 'its logs: dsync invoke --logs, or dsync logs';
  return `dsync: ${logicalId} failed: ${type}${message ? `: ${message}` : ''} (${where})`;
}
