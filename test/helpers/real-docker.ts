// Helpers for integration tests against the real Docker engine. Trees are
// compared by content: the container's side is hashed inside the container.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DsyncEvent, Reporter } from '../../src/base/reporter.js';
import { createSession } from '../../src/session/session.js';
import { DEFAULTS, type DsyncConfig } from '../../src/config/config.js';
import type { ContainerClient } from '../../src/docker/container-client.js';
import { connectEngine, realSessionDeps } from '../../src/cli/deps.js';
import type { Session, SessionDeps } from '../../src/session/types.js';

export const DEBIAN_IMAGE = process.env.DSYNC_TEST_IMAGE ?? 'dsync-local/debian:bookworm';
/** The watcher a session on this Linux host uses: the vitest project "chokidar" sets DSYNC_WATCHER=chokidar. */
export const EXPECTED_WATCHER = process.env.DSYNC_WATCHER === 'chokidar' ? 'chokidar' : 'inotify folders';
export const BUSYBOX_IMAGE = process.env.DSYNC_TEST_BUSYBOX_IMAGE ?? 'dsync-local/busybox:latest';

export function engineClient(env: Record<string, string | undefined> = process.env): ContainerClient {
  return connectEngine(env);
}

export function tempProject(prefix = 'proj'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `dsync-it-${prefix}-`));
}

export interface RecordingReporter extends Reporter {
  events: DsyncEvent[];
}

export function recordingReporter(): RecordingReporter {
  const events: DsyncEvent[] = [];
  return {
    events,
    event: (e) => events.push(e),
    progress: () => {},
    done: () => {},
    close: () => {},
  };
}

export function testSession(root: string, image: string, client = engineClient(), overrides: Partial<DsyncConfig> = {}, deps: Partial<SessionDeps> = {}) {
  const reporter = recordingReporter();
  const config: DsyncConfig = { ...DEFAULTS, image, root, ...overrides };
  const session: Session = createSession(config, { ...realSessionDeps(client, reporter), ...deps });
  return { session, reporter, client };
}

/** One line per entry: "path type mode sha256|target", sorted. Works with busybox. */
const TREE_SCRIPT = `cd /dsync/workspace || exit 3
find . -mindepth 1 \\( -name node_modules -o -name .aws-sam -o -name .git \\) -prune -o -print | sort | while IFS= read -r f; do
  p="\${f#./}"
  if [ -L "$f" ]; then printf '%s|symlink|%s\\n' "$p" "$(readlink "$f")"
  elif [ -d "$f" ]; then printf '%s|dir|%s\\n' "$p" "$(stat -c %a "$f")"
  else printf '%s|file|%s|%s\\n' "$p" "$(stat -c %a "$f")" "$(sha256sum < "$f" | cut -d' ' -f1)"
  fi
done`;

export async function containerTree(client: ContainerClient, containerId: string): Promise<string[]> {
  const result = await client.exec(containerId, { cmd: ['/bin/sh', '-c', TREE_SCRIPT] });
  if (result.exitCode !== 0) throw new Error(`tree listing failed: ${result.stderr}`);
  return result.stdout.split('\n').filter(Boolean);
}

/** The same listing computed on the host, skipping what `skip` says dsync must not send. */
export function hostTree(root: string, skip: (rel: string, stat: fs.Stats) => boolean = defaultSkip): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of fs.readdirSync(dir)) {
      const abs = path.join(dir, name);
      const rel = path.relative(root, abs).split(path.sep).join('/');
      const st = fs.lstatSync(abs);
      if (skip(rel, st)) continue;
      if (st.isSymbolicLink()) out.push(`${rel}|symlink|${fs.readlinkSync(abs)}`);
      else if (st.isDirectory()) {
        out.push(`${rel}|dir|${(st.mode & 0o777).toString(8)}`);
        walk(abs);
      } else out.push(`${rel}|file|${(st.mode & 0o777).toString(8)}|${createHash('sha256').update(fs.readFileSync(abs)).digest('hex')}`);
    }
  };
  walk(root);
  // The same order `sort` gives in the container (C locale byte order).
  return out.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

export function defaultSkip(rel: string): boolean {
  const base = rel.slice(rel.lastIndexOf('/') + 1);
  return ['node_modules', '.git', '.aws-sam'].includes(base) || base.endsWith('.swp') || base.endsWith('~');
}

/** Poll until the container's tree equals the host's; fail with the difference. */
export async function expectTreesEqual(client: ContainerClient, containerId: string, root: string, skip = defaultSkip, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let remote: string[] = [];
  let host: string[] = [];
  for (;;) {
    host = hostTree(root, skip);
    remote = (await containerTree(client, containerId)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    if (JSON.stringify(host) === JSON.stringify(remote)) return;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 150));
  }
  const onlyHost = host.filter((l) => !remote.includes(l));
  const onlyRemote = remote.filter((l) => !host.includes(l));
  throw new Error(`trees differ after ${timeoutMs} ms\nonly on host:\n  ${onlyHost.slice(0, 20).join('\n  ')}\nonly in container:\n  ${onlyRemote.slice(0, 20).join('\n  ')}`);
}

export async function removeProjectResources(session: Session): Promise<void> {
  await session.down(true).catch(() => undefined);
}
