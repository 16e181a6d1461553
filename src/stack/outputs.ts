// What a person needs after the first deploy: the stack's Outputs, resolved
// (an API's URL, a table's name), read with boto3 from SAM's own Python in
// the container, with the credentials and endpoint SAM's commands get.
import type { ContainerClient } from '../docker/container-client.js';
import { envList, samEnv, type SamTarget } from '../sam/commands.js';
import type { CredentialResolver } from '../sam/credentials.js';

export interface StackOutput {
  key: string;
  value: string;
  description?: string;
}

const READ = (stack: string) =>
  [
    'import json, boto3',
    `stack = boto3.client("cloudformation").describe_stacks(StackName=${JSON.stringify(stack)})["Stacks"][0]`,
    'print(json.dumps([{"key": o["OutputKey"], "value": o.get("OutputValue", ""), "description": o.get("Description")} for o in stack.get("Outputs", [])]))',
  ].join('\n');

/** The stack's Outputs; empty when they cannot be read (the caller only prints them). */
export async function readStackOutputs(client: ContainerClient, containerId: string, python: string, target: SamTarget, credentials: CredentialResolver): Promise<StackOutput[]> {
  const env = envList(samEnv(target, await credentials.get()));
  const result = await client.exec(containerId, { cmd: [python, '-c', READ(target.stackName)], env }).catch(() => undefined);
  if (!result || result.exitCode !== 0) return [];
  try {
    return JSON.parse(result.stdout.trim().split('\n').pop() ?? '[]') as StackOutput[];
  } catch {
    return [];
  }
}

/** "Outputs of stack shop:" and one aligned line per output. */
export function describeOutputs(stack: string, outputs: readonly StackOutput[]): string[] {
  if (outputs.length === 0) return [];
  const width = Math.max(...outputs.map((o) => o.key.length));
  return [`outputs of stack ${stack}:`, ...outputs.map((o) => `  ${o.key.padEnd(width)}  ${o.value}`)];
}
