// One running `dsync up` per stack: a lease kept in the account next to the
// stack (an SSM parameter, see cli/aws-sdk.ts), renewed on a heartbeat.
// - acquire: a free lease is taken with an atomic create; a stale one (or a
//   live one with --take-over, or a record dsync cannot read) is deleted and
//   then created; a live one held by someone else is refused;
// - heartbeat: renew; when the record names someone else, or it could not be
//   renewed for the stale time, the lease is lost: say so and stop;
// - release: on the way out, when it is still ours, delete it.
// Beside it, created once, the stack's origin: whether dsync created the
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
  holder: LeaseHolder;
}

/** What reading the lease found: nothing (free), a record, or something dsync cannot read (replaced on acquire). */
export interface LeaseRead {
  record?: LeaseRecord;
  corrupt?: string;
}

/** Remembered once per stack, when dsync first takes a lease on it: the production guard needs it. */
export interface StackOrigin {
  createdByDsync: boolean;
}

/** Where the lease lives (an SSM parameter; a map in tests). */
export interface LeaseStore {
  /** A name for messages, e.g. "SSM parameter /dsync/stack-lease/NAME". */
  readonly where: string;
  read(): Promise<LeaseRead>;
  /** Create only when there is none (atomic); false when one exists. */
  create(record: LeaseRecord): Promise<boolean>;
  write(record: LeaseRecord): Promise<void>;
  /** Delete it (no error when it is gone). */
  remove(): Promise<void>;
  readOrigin(): Promise<StackOrigin | undefined>;
  /** Create the origin record unless there is one. */
  createOrigin(origin: StackOrigin): Promise<void>;
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
  tookOver?: { from?: LeaseHolder; reason: 'stale' | 'forced' | 'unreadable'; detail?: string };
}

export function describeHolder(h: LeaseHolder, now: number): string {
  return `${h.who} (${h.arn}) on ${h.host}, pid ${h.pid}, since ${new Date(h.since).toISOString().replace(/\.\d+Z$/, 'Z')}, renewed ${ago(now - h.renewedAt)} ago`;
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120 ? `${s} s` : `${Math.round(s / 60)} min`;
}

/** Why the lease ended while dsync ran: someone took it (or deleted it), or it could not be renewed for longer than the stale time. */
export type LeaseLoss = { by: LeaseHolder } | { deleted: true } | { expired: unknown };

export class StackLease {
  private held = false;
  private released = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private renewing: Promise<void> = Promise.resolve();
  private lastRenewed = 0;

  constructor(
    private readonly store: LeaseStore,
    private readonly stackName: string,
    private readonly me: Omit<LeaseHolder, 'since' | 'renewedAt'>,
    private readonly timing: LeaseTiming = DEFAULT_LEASE_TIMING,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether dsync created the stack (undefined: dsync never held a lease on it). */
  origin(): Promise<StackOrigin | undefined> {
    return this.store.readOrigin();
  }

  /**
   * A free lease is taken with the store's atomic create. A stale one (or,
   * with --take-over, a live one, or an unreadable record) is deleted first
   * and then created, so two takers cannot both win: the second create fails
   * and that run looks again (and is refused by the fresh lease).
   */
  async acquire(options: { takeOver: boolean; stackExists: boolean }): Promise<Acquired> {
    let tookOver: Acquired['tookOver'];
    for (let attempt = 0; attempt < 4; attempt++) {
      const now = this.now();
      const found = await this.store.read();
      if (found.corrupt !== undefined) {
        tookOver = { reason: 'unreadable', detail: found.corrupt };
        await this.store.remove();
        continue;
      }
      const other = found.record?.holder;
      if (other && other.id !== this.me.id) {
        const stale = now - other.renewedAt > this.timing.staleMs;
        if (!stale && !options.takeOver) {
          throw new DsyncError('STACK_IN_USE', `stack ${this.stackName} is in use by ${describeHolder(other, now)}`, {
            hint: `wait until they stop (Ctrl-C releases it), use your own stack (leave out --stack-name), or take it over with --take-over; the lease is the ${this.store.where}`,
          });
        }
        tookOver = { from: other, reason: stale ? 'stale' : 'forced' };
        await this.store.remove();
      }
      const record: LeaseRecord = { v: 1, holder: { ...this.me, since: now, renewedAt: now } };
      if (!(await this.store.create(record))) continue; // someone else was quicker: look again
      await this.store.createOrigin({ createdByDsync: !options.stackExists });
      const back = await this.store.read();
      if (back.record?.holder.id !== this.me.id) continue;
      this.held = true;
      this.lastRenewed = this.now();
      return { record, tookOver };
    }
    throw new DsyncError('STACK_IN_USE', `stack ${this.stackName}: could not take its lease (others kept changing the ${this.store.where})`, {
      hint: 'try again in a moment',
    });
  }

  /** Renew on a heartbeat; `onLost` is called once when the lease is someone else's now, or could not be renewed for the stale time. */
  startHeartbeat(onLost: (loss: LeaseLoss) => void, onError: (error: unknown) => void): void {
    const beat = () => {
      if (this.released) return;
      this.timer = setTimeout(() => {
        this.renewing = this.renew().then(
          (loss) => {
            if (loss) return this.lose(onLost, loss);
            beat();
          },
          (error: unknown) => {
            if (this.released) return;
            if (this.now() - this.lastRenewed > this.timing.staleMs) return this.lose(onLost, { expired: error });
            onError(error);
            beat();
          },
        );
      }, this.timing.heartbeatMs);
      this.timer.unref?.();
    };
    beat();
  }

  private lose(onLost: (loss: LeaseLoss) => void, loss: LeaseLoss): void {
    if (this.released || !this.held) return;
    this.held = false;
    onLost(loss);
  }

  /** undefined while the lease is ours (renewed); else how it was lost. */
  private async renew(): Promise<LeaseLoss | undefined> {
    if (this.released) return undefined;
    const current = await this.store.read();
    const holder = current.record?.holder;
    if (holder?.id !== this.me.id) return holder ? { by: holder } : { deleted: true };
    if (this.released) return undefined;
    await this.store.write({ v: 1, holder: { ...holder, renewedAt: this.now() } });
    this.lastRenewed = this.now();
    return undefined;
  }

  /** Give the lease back, when it is still ours. A renewal in flight finishes first, so it cannot write after the release. */
  async release(): Promise<boolean> {
    this.released = true;
    if (this.timer) clearTimeout(this.timer);
    await this.renewing.catch(() => undefined);
    if (!this.held) return false;
    this.held = false;
    const current = await this.store.read();
    if (current.record?.holder.id !== this.me.id) return false;
    await this.store.remove();
    return true;
  }
}
