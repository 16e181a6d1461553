// `dsync invoke`: run one function of the deployed stack in the emulator, by
// its logical id, with an event; what the emulator's Lambda runtime answers
// (docker/emulator/dsync_emulator/lambda_runner), read through its own route.
import { DsyncError } from '../base/errors.js';
import type { ContainerClient } from '../docker/container-client.js';
import { emulatorStack, postRoute } from './post-route.js';

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

export async function invokeFunction(client: ContainerClient, containerId: string, logicalId: string, event: string): Promise<InvokeOutcome> {
  const { target, python } = await emulatorStack(client, containerId, 'dsync invoke runs functions', 'for a stack in AWS use `sam remote invoke`');
  const { ok, answer } = await postRoute(client, containerId, python, ['_dsync', 'invoke', target.region, target.stackName, logicalId], event);
  if (!ok) {
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
