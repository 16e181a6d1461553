// The target of the last `dsync up` (mode, stack, region, endpoint), kept in
// the volume so later commands (`logs`, `invoke`, `status`) act on the same
// stack without being told again.
import { DsyncError } from '../base/errors.js';
import type { ContainerClient } from '../docker/container-client.js';
import { TARGET_FILE, type SamTarget } from './commands.js';

/** Record the target in the container for later `dsync logs`. */
export async function saveTarget(client: ContainerClient, containerId: string, target: SamTarget): Promise<void> {
  await client.exec(containerId, {
    cmd: ['sh', '-c', `mkdir -p /dsync/state && cat > ${TARGET_FILE}`],
    input: JSON.stringify(target),
  });
}

export async function loadTarget(client: ContainerClient, containerId: string): Promise<SamTarget> {
  const r = await client.exec(containerId, { cmd: ['cat', TARGET_FILE] });
  if (r.exitCode !== 0) {
    throw new DsyncError('NOT_FOUND', 'This project has not been deployed by `dsync up` yet', { hint: 'run `dsync up` (or `dsync up --emulator`) first' });
  }
  return JSON.parse(r.stdout) as SamTarget;
}
