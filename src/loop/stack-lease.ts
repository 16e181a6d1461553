// One running `dsync up` per stack: a lease kept in the account next to the
// stack (an SSM parameter, see cli/aws-sdk.ts), renewed on a heartbeat.
// - acquire: create the record when there is none (an atomic create); take a
//   released or stale lease; refuse a live one held by someone else unless
//   told to take it over;
// - heartbeat: renew; when the record names someone else, the lease was
//   taken over: say so and stop;
// - release: on the way out, when it is still ours.
// The record outlives the lease: it also remembers whether dsync created the
// stack, which the production guard needs.
import { DsyncError } from '../base/errors.js';

export interface LeaseHolder {
  /** This process's lease (random): two runs of one developer are two holders. */
  id: string;
  who: string;
  arn: string;
  host: string;
  pid: number;
  /** Wall-clock milliseconds. */
  since: number;
  renewedAt: number;
}

export interface LeaseRecord {
  v: 1;
  holder?: LeaseHolder;
  /** The stack did not exist when dsync first took a lease on it. */
  createdByDsync: boolean;
}

/** Where the record lives. */
export interface LeaseStore {
  /** A name for messages, e.g. "SSM parameter /dsync/stack-lease/NAME". */
  readonly where: string;
  read(): Promise<LeaseRecord | undefined>;
  /** Create only when there is none; false when one exists. */
  create(record: LeaseRecord): Promise<boolean>;
  write(record: LeaseRecord): Promise<void>;
}

export interface LeaseTiming {
  heartbeatMs: number;
  /** A lease not renewed for this long is stale and can be taken. */
  staleMs: number;
}

export const DEFAULT_LEASE_TIMING: LeaseTiming = { heartbeatMs: 30_000, staleMs: 180_000 };

export interface Acquired {
  record: LeaseRecord;
  /** Whose lease this one replaced, and why. */
  tookOver?: { from: LeaseHolder; reason: 'stale' | 'forced' };
}

export function describeHolder(h: LeaseHolder, now: number): string {
  return `${h.who} (${h.arn}) on ${h.host}, pid ${h.pid}, since ${new Date(h.since).toISOString().replace(/\.\d+Z$/, 'Z')}, renewed ${ago(now - h.renewedAt)} ago`;
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120 ? `${s} s` : `${Math.round(s / 60)} min`;
}

export class StackLease {
  private record: LeaseRecord | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private lost = false;

  constructor(
    private readonly store: LeaseStore,
    private readonly stackName: string,
    private readonly me: Omit<LeaseHolder, 'since' | 'renewedAt'>,
    private readonly timing: LeaseTiming = DEFAULT_LEASE_TIMING,
    private readonly now: () => number = Date.now,
  ) {}

  /** What the record says before dsync touches it (for the production guard). */
  peek(): Promise<LeaseRecord | undefined> {
    return this.store.read();
  }

  async acquire(options: { takeOver: boolean; stackExists: boolean }): Promise<Acquired> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = this.now();
      const mine: LeaseHolder = { ...this.me, since: now, renewedAt: now };
      const existing = await this.store.read();
      if (!existing) {
        const record: LeaseRecord = { v: 1, holder: mine, createdByDsync: !options.stackExists };
        if (await this.store.create(record)) return this.confirm(record);
        continue; // someone created it in between: look again
      }
      const other = existing.holder;
      let tookOver: Acquired['tookOver'];
      if (other && other.id !== this.me.id) {
        const stale = now - other.renewedAt > this.timing.staleMs;
        if (!stale && !options.takeOver) {
          throw new DsyncError('STACK_IN_USE', `stack ${this.stackName} is in use by ${describeHolder(other, now)}`, {
            hint: `wait until they stop (Ctrl-C releases it), use your own stack (--stack-name), or take it over with --take-over; the lease is the ${this.store.where}`,
          });
        }
        tookOver = { from: other, reason: stale ? 'stale' : 'forced' };
      }
      const record: LeaseRecord = { ...existing, v: 1, holder: mine };
      await this.store.write(record);
      return { ...(await this.confirm(record)), tookOver };
    }
    throw new DsyncError('STACK_IN_USE', `stack ${this.stackName}: could not take its lease (others kept changing the ${this.store.where})`, { hint: 'try again' });
  }

  /** Read back what was written: when two take a free lease at once, the last write wins and the other is refused. */
  private async confirm(record: LeaseRecord): Promise<Acquired> {
    const back = await this.store.read();
    if (back?.holder?.id !== this.me.id) {
      const now = this.now();
      throw new DsyncError('STACK_IN_USE', `stack ${this.stackName} was just taken by ${back?.holder ? describeHolder(back.holder, now) : 'someone else'}`, {
        hint: 'use your own stack (--stack-name), or take it over with --take-over',
      });
    }
    this.record = record;
    return { record };
  }

  /** Renew on a heartbeat; `onLost` is called once if someone else took the lease. */
  startHeartbeat(onLost: (by: LeaseHolder | undefined) => void, onError: (error: unknown) => void): void {
    this.timer = setInterval(() => {
      this.renew().then((by) => {
        if (by === null || this.lost) return;
        this.lost = true;
        this.stopHeartbeat();
        onLost(by);
      }, onError);
    }, this.timing.heartbeatMs);
    this.timer.unref?.();
  }

  /** null while the lease is ours (renewed); else who holds it now (undefined: nobody). */
  private async renew(): Promise<LeaseHolder | undefined | null> {
    const current = await this.store.read();
    if (current?.holder?.id !== this.me.id) return current?.holder;
    const record: LeaseRecord = { ...current, holder: { ...current.holder, renewedAt: this.now() } };
    await this.store.write(record);
    this.record = record;
    return null;
  }

  stopHeartbeat(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Give the lease back, when it is still ours; the record (and what it remembers) stays. */
  async release(): Promise<boolean> {
    this.stopHeartbeat();
    if (!this.record || this.lost) return false;
    const current = await this.store.read();
    if (current?.holder?.id !== this.me.id) return false;
    await this.store.write({ v: 1, createdByDsync: current.createdByDsync });
    this.record = undefined;
    return true;
  }
}
