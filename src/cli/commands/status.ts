// `dsync status`: the session's report plus the SAM loop's (emulator URL, changes).
import { COMMON_HELP, COMMON_OPTIONS, parse } from '../args.js';
import { describeApis } from '../../emulator/apis.js';
import { describeTriggers } from '../../emulator/triggers.js';
import { connectEngine, createCliSession, credentialsFor, loadCliConfig, profileFor, withLayout } from '../deps.js';
import { samStatus, type LeaseReader, type SamStatus } from '../../samloop/sam-status.js';
import type { StatusReport } from '../../session/session.js';
import type { OutputStreams } from '../output.js';
import { silentReporter } from '../../base/reporter.js';
import { EXIT } from '../../base/errors.js';
import { VOLUME_ROOT } from '../../docker/project.js';
import { CONFLICTS_DIR } from '../../sync/conflicts.js';
import type { OpenConflict } from '../../sync/conflict-store.js';

const CONFLICTS_ROOT = `${VOLUME_ROOT}/${CONFLICTS_DIR}`;

export const help = `Usage: dsync status [options]

Show this project's container (id, state), the workspace path inside it, the
last sync, whether the container's files match the host (drift check), the
emulator's endpoint (or, for real AWS, the stack and who holds its lease),
the last changes of the current \`dsync up\` run with
their save-to-live p50/p95, and the open conflicts: copies of files changed
inside the container that dsync saved under /dsync/conflicts before syncing
the host's version over them.

Options:
  --clear-conflicts  remove the saved copies (after you looked at them)
${COMMON_HELP}
`;

export async function run(args: string[], io: OutputStreams): Promise<number> {
  const { values } = parse('status', args, { ...COMMON_OPTIONS, 'clear-conflicts': { type: 'boolean', default: false } });
  const config = await withLayout(loadCliConfig(values, io.env), { strict: false });
  const session = createCliSession(config, silentReporter, io.env);
  if (values['clear-conflicts']) {
    const cleared = await session.clearConflicts();
    if (values.json) io.stdout.write(`${JSON.stringify({ type: 'conflicts-cleared', cleared })}\n`);
    else io.stdout.write(`removed ${cleared} saved cop${cleared === 1 ? 'y' : 'ies'} from ${CONFLICTS_ROOT}\n`);
    return EXIT.ok;
  }
  const base = await session.status();
  // Real AWS and --endpoint-url: who holds the stack's lease, read with this machine's credentials.
  const readLease: LeaseReader = async (target) => {
    const credentials = credentialsFor(target.mode, io.env, await profileFor(config, undefined, target.configEnv));
    const account = (await import('../aws-sdk.js')).awsAccount(credentials, target.region, target.mode === 'endpoint' ? target.endpointUrl : undefined);
    try {
      return await account.leaseStore(target.stackName).read();
    } finally {
      account.close();
    }
  };
  const report: StatusReport & SamStatus = base.container?.state === 'running' ? { ...base, ...(await samStatus(connectEngine(io.env), base.container.id, readLease)) } : base;
  if (values.json) {
    io.stdout.write(`${JSON.stringify(report)}\n`);
    return EXIT.ok;
  }
  const out: string[] = [`project    ${report.project}`];
  if (report.syncRoot) out.push(`root       ${report.syncRoot.path} (syncing ${report.syncRoot.synced.join(', ')})`);
  out.push(`engine     ${report.engine}`);
  if (!report.container) {
    out.push('container  none (run `dsync up` to create it)');
  } else {
    out.push(`container  ${report.container.name} ${report.container.id.slice(0, 12)} (${report.container.state}, image ${report.container.image})`);
    out.push(`workspace  ${report.workspace}`);
    const last = report.lastSync;
    out.push(`last sync  ${last ? `#${String(last.seq)} at ${String(last.at)} (${String(last.sent)} sent, ${String(last.removed)} removed)` : 'never'}`);
    if (report.inSync === null) out.push('in sync    unknown (container not running)');
    else if (report.inSync) out.push('in sync    yes');
    else {
      const d = report.drift!;
      out.push(`in sync    no: ${d.toSend.length} to send, ${d.toRemove.length} to remove (run \`dsync up\`)`);
      for (const p of d.toSend.slice(0, 10)) out.push(`  + ${p}`);
      for (const p of d.toRemove.slice(0, 10)) out.push(`  - ${p}`);
    }
    out.push(...describeConflicts(report.conflicts ?? []));
    if (report.endpoint) out.push(`emulator   ${report.endpoint}`);
    for (const line of describeApis(report.apis ?? [])) out.push(`api        ${line}`);
    for (const line of describeTriggers(report.triggers ?? [])) out.push(`trigger    ${line}`);
    for (const d of report.debug ?? []) out.push(`debug      ${d.function} (${d.runtime}): ${d.protocol === 'debugpy' ? 'debugpy' : 'Node.js inspector'} on 127.0.0.1:${d.port}`);
    if (report.stack) out.push(`stack      ${report.stack.name} in ${report.stack.region}: lease ${report.stack.leaseText}`);
    const c = report.changes;
    if (c) {
      const secs = (ms: number | null) => (ms === null ? '-' : `${(ms / 1000).toFixed(2)} s`);
      out.push(`changes    ${c.count} live since ${c.runStartedAt}: p50 ${secs(c.p50Ms)}, p95 ${secs(c.p95Ms)}`);
      for (const ch of c.last.slice(-10)) {
        const what = ch.kind === 'infra' ? 'stack' : ch.resources.join(', ') || 'files';
        out.push(`  #${ch.seq} ${ch.ok ? '✔' : '✖'} ${what} ${ch.ok ? `in ${secs(ch.latencyMs)}` : `: ${ch.cause ?? 'failed'}`}`);
      }
    }
  }
  io.stdout.write(`${out.join('\n')}\n`);
  return EXIT.ok;
}

function describeConflicts(open: OpenConflict[]): string[] {
  if (open.length === 0) return ['conflicts  none'];
  const out = [`conflicts  ${open.length} file(s) changed inside the container were replaced by the host's version; the container's copies are kept:`];
  for (const c of open.slice(0, 20)) out.push(`  ${c.path} -> ${c.copy}`);
  if (open.length > 20) out.push(`  ... and ${open.length - 20} more under ${CONFLICTS_ROOT}`);
  out.push(`  (look with \`dsync exec -- cat <copy>\`; clear with \`dsync status --clear-conflicts\` or \`dsync exec -- rm -rf ${CONFLICTS_ROOT}\`)`);
  return out;
}
