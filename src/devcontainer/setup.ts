// The dev container's part of a project container's life: the workspace
// folder the dev container tools expect (a link to dsync's workspace), the
// owner of synced files (containerUser, else remoteUser), and the
// postCreateCommand, run once per container after the first sync with its
// output streamed.
import { DsyncError } from '../base/errors.js';
import { interruptible } from '../base/interrupt.js';
import type { Reporter } from '../base/reporter.js';
import type { DevcontainerSource } from '../config/config.js';
import { lifecycleKey, lifecycleSteps } from '../config/devcontainer-file.js';
import type { ContainerClient } from '../docker/container-client.js';
import type { Project } from '../docker/project.js';
import { shellQuote } from '../sync/remote-manifest.js';
import { LineSplitter, splitterSink } from '../base/lines.js';

export const POST_CREATE_MARKER = 'state/post-create';

/**
 * Link the workspace folder the tools expect (`/workspaces/<name>` by
 * default, or the configuration's workspaceFolder) to dsync's workspace, so
 * `devcontainer exec` and VS Code land in it. A path that exists and is not
 * such a link is left alone, with a warning.
 */
export async function linkWorkspaceFolder(client: ContainerClient, containerId: string, project: Project, folder: string | undefined, reporter: Reporter): Promise<void> {
  if (!folder || folder === project.workspace || !folder.startsWith('/')) return;
  const script = [
    `target=${shellQuote(project.workspace)}; link=${shellQuote(folder)}`,
    'if [ -L "$link" ] || [ ! -e "$link" ]; then mkdir -p "$(dirname "$link")" && ln -sfn "$target" "$link"; exit $?; fi',
    'exit 9',
  ].join('\n');
  const result = await client.exec(containerId, { cmd: ['/bin/sh', '-c', script], user: '0' });
  if (result.exitCode === 9) {
    reporter.event({
      type: 'warning',
      level: 'warn',
      message: `the dev container's workspaceFolder ${folder} exists in the image; devcontainer exec will start there, not in dsync's workspace ${project.workspace}`,
    });
  } else if (result.exitCode !== 0) {
    reporter.event({ type: 'warning', level: 'warn', message: `could not link ${folder} to ${project.workspace}: ${result.stderr.trim()}` });
  }
}

/** The uid and gid of the dev container's user in the container (containerUser, else remoteUser), or undefined for root/none. */
export async function devcontainerOwner(client: ContainerClient, containerId: string, source: DevcontainerSource): Promise<{ uid: number; gid: number; user: string } | undefined> {
  const user = source.config.containerUser ?? source.config.remoteUser;
  if (!user || user === 'root') return undefined;
  const result = await client.exec(containerId, { cmd: ['/bin/sh', '-c', 'id -u "$1" && id -g "$1"', 'dsync-id', user] });
  const [uid, gid] = result.stdout.trim().split('\n').map(Number);
  if (result.exitCode !== 0 || !Number.isInteger(uid) || !Number.isInteger(gid)) {
    throw new DsyncError('DEVCONTAINER', `the dev container's user "${user}" does not exist in the image`, {
      hint: `create it in the Dockerfile, or change containerUser/remoteUser in ${source.configFile}`,
    });
  }
  return { uid: uid!, gid: gid!, user };
}

/** Give the workspace to the owner when an earlier run left it to someone else. */
export async function ownWorkspace(client: ContainerClient, containerId: string, project: Project, owner: { uid: number; gid: number }): Promise<void> {
  const want = `${owner.uid}:${owner.gid}`;
  const script = `mkdir -p ${shellQuote(project.mirror)} && [ "$(stat -c %u:%g ${shellQuote(project.mirror)})" = ${shellQuote(want)} ] || chown -R ${shellQuote(want)} ${shellQuote(project.mirror)}`;
  const result = await client.exec(containerId, { cmd: ['/bin/sh', '-c', script], user: '0' });
  if (result.exitCode !== 0) {
    throw new DsyncError('DEVCONTAINER', `could not give the workspace to uid ${want}: ${result.stderr.trim().split('\n')[0] ?? `exit ${result.exitCode}`}`);
  }
}

/**
 * Run postCreateCommand in the workspace once per container (and again when
 * it changes), as the dev container's remote user, streaming its output. A
 * failure is reported and retried at the next `up`; the loop goes on.
 */
export async function runPostCreate(
  client: ContainerClient,
  containerId: string,
  project: Project,
  source: DevcontainerSource,
  reporter: Reporter,
  signal?: AbortSignal,
): Promise<void> {
  const command = source.config.postCreateCommand;
  if (command === undefined) return;
  const marker = `${project.volumeRoot}/${POST_CREATE_MARKER}`;
  const stamp = `${containerId}\n${lifecycleKey(command)}`;
  const seen = await client.exec(containerId, { cmd: ['cat', marker] });
  if (seen.exitCode === 0 && seen.stdout === stamp) return;
  const user = source.config.remoteUser ?? source.config.containerUser;
  const failed: string[] = [];
  const running = Promise.all(
    lifecycleSteps(command).map(async (step, i) => {
      reporter.progress(`postCreateCommand: ${step.argv.join(' ').slice(0, 80)}`);
      const splitter = (stream: 'stdout' | 'stderr') =>
        new LineSplitter((text) => reporter.event({ type: 'post-create-output', step: step.name, stream, line: text, message: `  postCreate │ ${text}` }));
      const [out, err] = [splitter('stdout'), splitter('stderr')];
      // Its pid is kept so that Ctrl-C stops it too: an exec outlives the client that started it.
      const cmd = ['/bin/sh', '-c', 'echo $$ > "$1"; shift; exec "$@"', 'dsync-post-create', `${PID_PREFIX}${i}.pid`, ...step.argv];
      const result = await client.exec(containerId, { cmd, workingDir: project.workspace, user, stdout: splitterSink(out), stderr: splitterSink(err) });
      out.flush();
      err.flush();
      await client.exec(containerId, { cmd: ['rm', '-f', `${PID_PREFIX}${i}.pid`], user: '0' });
      if (result.exitCode !== 0) failed.push(`${step.name} exited ${result.exitCode}`);
    }),
  );
  try {
    await interruptible(running, signal);
  } catch (error) {
    if (signal?.aborted) await stopPostCreate(client, containerId);
    throw error;
  }
  if (failed.length > 0) {
    reporter.event({
      type: 'post-create-failed',
      level: 'warn',
      message: `postCreateCommand failed (${failed.join(', ')}): it runs again at the next dsync up`,
    });
    return;
  }
  await client.exec(containerId, { cmd: ['/bin/sh', '-c', `mkdir -p "$(dirname "$1")" && printf '%s' "$2" > "$1"`, 'dsync-mark', marker, stamp], user: '0' });
  reporter.done('postCreateCommand done');
}

const PID_PREFIX = '/tmp/dsync-post-create-';

/** Stop postCreateCommand's processes (and their children) after an interrupt; the next `up` runs it again. */
async function stopPostCreate(client: ContainerClient, containerId: string): Promise<void> {
  const script = `for f in ${PID_PREFIX}*.pid; do [ -f "$f" ] || continue; p=$(cat "$f"); pkill -TERM -P "$p" 2>/dev/null; kill -TERM "$p" 2>/dev/null; rm -f "$f"; done`;
  await client.exec(containerId, { cmd: ['/bin/sh', '-c', script], user: '0' }).catch(() => undefined);
}
