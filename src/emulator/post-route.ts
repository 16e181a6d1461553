// Posting to one of the emulator's own routes (`dsync invoke`, `dsync
// trigger`): from inside the container, with the emulator's Python, since
// the engine may be remote and its published ports out of reach. The
// project's stack must be in the emulator.
import { DsyncError } from '../base/errors.js';
import type { ContainerClient } from '../docker/container-client.js';
import { probeImage } from '../images/probe.js';
import type { SamTarget } from '../sam/commands.js';
import { EMULATOR_PORT } from '../sam/target.js';
import { loadTarget } from '../sam/target-store.js';

/** Posts stdin to an emulator route; prints the answer, or the error body with exit 3. */
const POST = (path: string) =>
  [
    'import sys, urllib.request, urllib.error',
    `req = urllib.request.Request("http://localhost:${EMULATOR_PORT}${path}", data=sys.stdin.buffer.read(), method="POST")`,
    'try:',
    '    sys.stdout.write(urllib.request.urlopen(req, timeout=960).read().decode())',
    'except urllib.error.HTTPError as e:',
    '    sys.stdout.write(e.read().decode()); sys.exit(3)',
  ].join('\n');

export interface EmulatorStack {
  target: SamTarget;
  /** The container's Python with moto (it runs the POST). */
  python: string;
}

/** The project's stack in the emulator, or one line saying it is elsewhere (`what` names the command: "dsync invoke runs functions"). */
export async function emulatorStack(client: ContainerClient, containerId: string, what: string, elsewhere: string): Promise<EmulatorStack> {
  const target = await loadTarget(client, containerId);
  if (target.mode !== 'emulator') {
    const where = target.mode === 'aws' ? 'AWS' : `an endpoint (${target.endpointUrl ?? '?'})`;
    throw new DsyncError('USAGE', `${what} in the emulator; this project's stack ${target.stackName} is in ${where}`, { hint: `run \`dsync up --emulator\`; ${elsewhere}` });
  }
  const probe = await probeImage(client, containerId);
  if (!probe.motoPython) throw new DsyncError('EMULATOR', 'The container has no emulator', { hint: 'run `dsync up --emulator` first' });
  return { target, python: probe.motoPython };
}

/** POST `body` to `route` (its segments are encoded here); the answer as JSON and whether the emulator accepted it. */
export async function postRoute(
  client: ContainerClient,
  containerId: string,
  python: string,
  segments: string[],
  body: string,
): Promise<{ ok: boolean; answer: Record<string, unknown> }> {
  const path = `/${segments.map((s, i) => (i < 2 ? s : encodeURIComponent(s))).join('/')}`;
  const result = await client.exec(containerId, { cmd: [python, '-c', POST(path)], input: body });
  try {
    return { ok: result.exitCode === 0, answer: JSON.parse(result.stdout) as Record<string, unknown> };
  } catch {
    throw new DsyncError('EMULATOR', `The emulator did not answer (exit ${result.exitCode}): ${(result.stderr || result.stdout).trim().split('\n').pop() ?? ''}`, {
      hint: 'is `dsync up --emulator` running? `dsync status` shows the emulator',
    });
  }
}
