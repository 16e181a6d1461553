// Before SAM touches a real account (AWS, or an endpoint given with
// --endpoint-url): which stack, whether dsync may sync into it, and that no
// one else's `dsync up` is on it.
// 1. who: the caller's identity from STS;
// 2. the stack: `<stack_name>-<who>` unless --stack-name names it exactly or
//    dsync.json turns it off ("stack": {"perDeveloper": false});
// 3. the production guard: a stack that exists, that dsync did not create,
//    and that is protected (a tag, or a name like "prod") is refused unless
//    --allow-protected;
// 4. the lease (stack-lease.ts), renewed until dsync stops.
import { randomUUID } from 'node:crypto';
import { DsyncError } from '../base/errors.js';
import { interrupted, interruptible } from '../base/interrupt.js';
import type { Reporter } from '../base/reporter.js';
import type { DsyncConfig } from '../config/config.js';
import type { LeaseTiming } from './lease.js';
import type { SamTarget } from '../sam/commands.js';
import { developerName, perDeveloperStackName, protectedReason } from './name.js';
import type { CredentialResolver } from '../sam/credentials.js';
import { describeHolder, StackLease, type LeaseStore } from './lease.js';

/** The account as the host sees it (implemented with the AWS SDK in cli/aws-sdk.ts). */
export interface StackAccount {
  identity(): Promise<{ account: string; arn: string }>;
  /** undefined when the stack does not exist. */
  stackTags(stackName: string): Promise<Record<string, string> | undefined>;
  leaseStore(stackName: string): LeaseStore;
  close(): void;
}

export interface StackChoice {
  stackName: string;
  /** For the start line: why this name. */
  why: string;
}

/** The stack for this run: exact with --stack-name or when per-developer stacks are off, else the base name and the developer's. */
export function chooseStack(base: string, exact: boolean, settings: DsyncConfig['stack'], arn: string, osUser: string): StackChoice {
  if (exact) return { stackName: base, why: '--stack-name' };
  if (settings?.perDeveloper === false) return { stackName: base, why: 'per-developer stacks are off in dsync.json' };
  const who = developerName(arn, osUser);
  return {
    stackName: perDeveloperStackName(base, who, settings?.pattern),
    why: `a stack per developer: ${base} + ${who}; --stack-name ${base} to use the shared one`,
  };
}

/** What `dsync up` asked for, as far as the stack is concerned. */
export interface StackRequest {
  credentials: CredentialResolver;
  account(credentials: CredentialResolver, region: string): StackAccount | Promise<StackAccount>;
  /** --stack-name was given: use it exactly. */
  exact: boolean;
  machine?: { osUser: string; hostname: string; pid: number };
  takeOver?: boolean;
  allowProtected?: boolean;
  leaseTiming?: LeaseTiming;
  fatal?(error: DsyncError): void;
}

export interface ClaimInput {
  config: DsyncConfig;
  request: StackRequest;
  target: SamTarget;
  reporter: Reporter;
  signal?: AbortSignal;
}

export async function claimStack(input: ClaimInput): Promise<{ stackName: string; identity: string; lease: StackLease }> {
  const { config, request, target, reporter, signal } = input;
  const credentials = await interruptible(request.credentials.get(), signal);
  // Its clients stay open while dsync runs: the lease's heartbeat uses them (with refreshed credentials).
  const account = await request.account(request.credentials, target.region);
  const who = await interruptible(account.identity(), signal).catch((error: unknown) => {
    if (error instanceof DsyncError) throw error;
    throw new DsyncError('CREDENTIALS', `AWS did not accept the credentials from ${credentials.source}: ${(error as Error).message.split('\n')[0]}`, {
      hint: 'refresh them (`aws sso login`, new keys) or check the profile with `aws sts get-caller-identity`',
      cause: error,
    });
  });
  reporter.event({ type: 'aws-identity', account: who.account, arn: who.arn, credentials: credentials.source });
  const machine = request.machine ?? { osUser: 'dev', hostname: 'localhost', pid: 0 };
  const choice = chooseStack(target.stackName, request.exact, config.stack, who.arn, machine.osUser);
  reporter.event({ type: 'stack-choice', stackName: choice.stackName, why: choice.why, message: `stack ${choice.stackName} (${choice.why})` });
  const failed = (error: unknown) => accountError(error, choice.stackName, target.region);

  const lease = new StackLease(
    account.leaseStore(choice.stackName),
    choice.stackName,
    { id: randomUUID(), who: developerName(who.arn, machine.osUser), arn: who.arn, host: machine.hostname, pid: machine.pid },
    request.leaseTiming,
  );
  const [tags, origin] = await interruptible(Promise.all([account.stackTags(choice.stackName), lease.origin()]), signal).catch((error: unknown) => {
    throw failed(error);
  });
  if (tags !== undefined && !origin?.createdByDsync) guardProtected(choice.stackName, tags, config, request.allowProtected === true, reporter);
  // Not raced against Ctrl-C: a lease being taken must be given back, so wait for it, then release.
  const acquiring = lease.acquire({ takeOver: request.takeOver === true, stackExists: tags !== undefined });
  const acquired = await acquiring.catch((error: unknown) => {
    throw failed(error);
  });
  if (signal?.aborted) {
    await lease.release().catch(() => undefined);
    throw interrupted();
  }
  const took = acquired.tookOver;
  if (took) {
    const from = took.from ? describeHolder(took.from, Date.now()) : `an unreadable record (${took.detail ?? '?'})`;
    const why = took.reason === 'stale' ? ' (its lease was stale)' : took.reason === 'forced' ? ' (--take-over)' : '';
    reporter.event({
      type: 'lease-taken-over',
      level: 'warn',
      from: took.from,
      reason: took.reason,
      message: `took over stack ${choice.stackName} from ${from}${why}`,
    });
  }
  reporter.event({ type: 'lease-acquired', stackName: choice.stackName });
  keepLease(lease, choice.stackName, request, reporter);
  return { stackName: choice.stackName, identity: ` as ${who.arn} (account ${who.account}, credentials from ${credentials.source})`, lease };
}

/** A protected stack dsync did not create is refused, unless --allow-protected says to sync into it anyway (said). */
function guardProtected(stackName: string, tags: Record<string, string>, config: DsyncConfig, allowProtected: boolean, reporter: Reporter): void {
  const why = protectedReason(stackName, tags, config.stack);
  if (!why) return;
  if (!allowProtected) {
    throw new DsyncError('STACK_PROTECTED', `stack ${stackName} is protected: ${why}, and dsync did not create it`, {
      hint: 'sync into your own stack (leave --stack-name out for one per developer); to sync into it anyway, deliberately, add --allow-protected',
    });
  }
  reporter.event({ type: 'warning', level: 'warn', message: `stack ${stackName} is protected (${why}); syncing into it because of --allow-protected` });
}

/** Renew the lease while dsync runs; losing it ends the run (request.fatal), a failed renewal is a warning. */
function keepLease(lease: StackLease, stackName: string, request: StackRequest, reporter: Reporter): void {
  lease.startHeartbeat(
    (loss) => {
      const what =
        'by' in loss
          ? `was taken over by ${describeHolder(loss.by, Date.now())}`
          : 'deleted' in loss
            ? 'lost its lease (someone deleted it)'
            : `could not be kept: its lease was not renewed for longer than the stale time (${(loss.expired as Error).message?.split('\n')[0] ?? loss.expired}), so another dsync up may take it`;
      request.fatal?.(
        new DsyncError('STACK_LOST', `stack ${stackName} ${what}; dsync stopped syncing to it`, {
          hint: 'run `dsync up` again to take it back when they are done (or --take-over), or use your own stack',
        }),
      );
    },
    (error) => reporter.event({ type: 'warning', level: 'warn', message: `could not renew the lease on stack ${stackName}: ${(error as Error).message.split('\n')[0]}` }),
  );
}

/** An AWS refusal while looking at the stack or its lease, as one line with what to do. */
function accountError(error: unknown, stackName: string, region: string): unknown {
  if (error instanceof DsyncError) return error;
  const name = (error as Error).name ?? '';
  const first = ((error as Error).message ?? String(error)).split('\n')[0] ?? '';
  if (/AccessDenied|UnauthorizedOperation|NotAuthorized/i.test(name) || /not authorized/i.test(first)) {
    return new DsyncError('CREDENTIALS', `AWS refused dsync's check of stack ${stackName}: ${first}`, {
      hint: `dsync needs cloudformation:DescribeStacks on the stack and ssm:GetParameter / ssm:PutParameter on parameter/dsync/stack-lease/* in ${region} (the stack's lease); ask for them, or use the emulator (--emulator)`,
      cause: error,
    });
  }
  return new DsyncError('SAM_FAILED', `could not check stack ${stackName} and its lease: ${name ? `${name}: ` : ''}${first}`, {
    hint: 'check the network and the region, then run `dsync up` again',
    cause: error,
  });
}
