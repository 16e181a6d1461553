// The app's APIs as the emulator serves them (GET /_dsync/apis on dsync's
// emulator, docker/emulator/dsync_emulator/gateway): each REST API, HTTP API
// and function URL of the stack on a container port of its own, here turned
// into the URL a person calls on this machine (the port the engine
// published on host loopback).
import type { ContainerClient } from '../docker/container-client.js';
import { API_PORTS } from '../sam/target.js';
import { readEmulatorRoute } from './route.js';

export interface ServedApi {
  /** The API's logical id in the template (ServerlessRestApi for implicit REST APIs). */
  id: string;
  type: ApiType;
  /** Where to call it: REST with its stage (/Prod), HTTP at the root ($default) or its stage, a function URL at the root. Absent when no port was left. */
  url?: string;
  /** A function URL's AuthType (NONE or AWS_IAM). */
  authType?: string;
}

export type ApiType = 'REST' | 'HTTP' | 'URL';

interface ListedApi {
  id: string;
  type: ApiType;
  stack: string;
  port: number | null;
  stages: string[];
  authType?: string;
}

/** The stack's APIs and their URLs on host loopback; empty when the emulator cannot be asked. */
export async function readServedApis(client: ContainerClient, containerId: string, python: string, stackName: string): Promise<ServedApi[]> {
  const listed = await readEmulatorRoute<ListedApi[]>(client, containerId, python, '/_dsync/apis');
  if (!listed) return [];
  const published = await client.publishedPorts(containerId).catch(() => ({}) as Record<number, number>);
  return listed.filter((a) => a.stack === stackName).map((a) => servedApi(a, published));
}

export function servedApi(api: ListedApi, published: Record<number, number>): ServedApi {
  const hostPort = api.port === null ? undefined : published[api.port];
  const auth = api.type === 'URL' ? { authType: api.authType ?? 'NONE' } : {};
  if (hostPort === undefined) return { id: api.id, type: api.type, ...auth };
  // SAM's implicit REST API also gets a "Stage" stage from its deployment; the one people call is the named one (Prod).
  const stage = api.type === 'REST' ? (api.stages.find((s) => s !== 'Stage') ?? api.stages[0]) : api.stages.includes('$default') ? undefined : api.stages[0];
  return { id: api.id, type: api.type, url: `http://127.0.0.1:${hostPort}${stage ? `/${stage}` : ''}`, ...auth };
}

const KIND: Record<ApiType, string> = { REST: 'REST API', HTTP: 'HTTP API', URL: 'Function URL' };

/** One line per API, for the terminal. */
export function describeApis(apis: readonly ServedApi[]): string[] {
  return apis.map((a) => {
    const where = a.url ?? `not served (the emulator serves ${API_PORTS.length} APIs and function URLs per stack)`;
    const iam = a.authType === 'AWS_IAM' ? ' (AuthType AWS_IAM: the emulator accepts unsigned requests)' : '';
    return `${KIND[a.type]} ${a.id}: ${where}${iam}`;
  });
}
