// A stack per developer, the production guard and the stack lease, with a
// fake lease store and a fake wall clock.
import { describe, expect, it } from 'vitest';
import { isDsyncError } from '../../../src/base/errors.js';
import { validateSettings } from '../../../src/config/config.js';
import { chooseStack, claimStack, type StackAccount } from '../../../src/stack/claim.js';
import { silentReporter } from '../../../src/base/reporter.js';
import type { SamTarget } from '../../../src/sam/commands.js';
import { StackLease, type LeaseRecord, type LeaseStore, type StackOrigin } from '../../../src/stack/lease.js';
import { parseLease } from '../../../src/cli/aws-sdk.js';
import { cloudFormationName, developerName, normaliseWho, perDeveloperStackName, protectedReason } from '../../../src/stack/name.js';

describe('the developer and the stack name', () => {
  it("takes the name from IAM users, federated users and SSO sessions; tools' session names fall back to the OS user", () => {
    expect(developerName('arn:aws:iam::123456789012:user/ana', 'root')).toBe('ana');
    expect(developerName('arn:aws:iam::123456789012:user/division/team/Bo.Li', 'root')).toBe('bo-li');
    expect(developerName('arn:aws:sts::123456789012:federated-user/carla', 'root')).toBe('carla');
    expect(developerName('arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Developer_0a1b2c3d/dana.ortiz@example.com', 'root')).toBe('dana-ortiz');
    expect(developerName('arn:aws:sts::123456789012:assumed-role/deploy/botocore-session-1716800000', 'erik')).toBe('erik');
    expect(developerName('arn:aws:sts::123456789012:assumed-role/ci/i-0abc123def', 'runner')).toBe('runner');
    expect(developerName('arn:aws:iam::123456789012:root', 'Frank')).toBe('frank');
    expect(developerName(undefined, 'ÅSA Öberg')).toBe('asa-oberg');
    // Windows accounts: a domain account as USERDOMAIN\\USERNAME, a Microsoft account's e-mail, a name with a space.
    expect(developerName(undefined, 'CORP\\Jane.Doe')).toBe('jane-doe');
    expect(developerName(undefined, 'jane.doe@outlook.com')).toBe('jane-doe');
    expect(developerName(undefined, 'Jöns Åkesson')).toBe('jons-akesson');
    expect(developerName('arn:aws:iam::123456789012:root', '!!!')).toBe('dev');
  });

  it('normalises to letters, digits and single dashes, at most 32 characters', () => {
    expect(normaliseWho('  Über__Dev--01 ')).toBe('uber-dev-01');
    expect(normaliseWho('a'.repeat(40))).toHaveLength(32);
    expect(normaliseWho(`${'b'.repeat(31)}-tail`)).toBe('b'.repeat(31));
  });

  it('makes names CloudFormation accepts: a letter first, no other characters, at most 128 with a hash of the whole', () => {
    expect(perDeveloperStackName('shop-api', 'ana')).toBe('shop-api-ana');
    expect(perDeveloperStackName('shop_api.v2', 'ana', 'dev-{who}-{stack}')).toBe('dev-ana-shop-api-v2');
    expect(cloudFormationName('1st-stack')).toBe('s-1st-stack');
    const long = perDeveloperStackName('x'.repeat(150), 'ana');
    expect(long).toHaveLength(128);
    expect(long).toMatch(/^x+-[0-9a-f]{8}$/);
    expect(perDeveloperStackName('y'.repeat(150), 'bob')).not.toBe(perDeveloperStackName('y'.repeat(150), 'bo'));
    for (const name of [long, cloudFormationName('--a b--'), cloudFormationName('ü')]) expect(name).toMatch(/^[A-Za-z][A-Za-z0-9-]{0,127}$/);
  });

  it('uses --stack-name exactly, and the base when dsync.json turns per-developer stacks off', () => {
    const arn = 'arn:aws:iam::1:user/ana';
    expect(chooseStack('shop', false, undefined, arn, 'root').stackName).toBe('shop-ana');
    expect(chooseStack('shop', true, undefined, arn, 'root')).toMatchObject({ stackName: 'shop', why: '--stack-name' });
    expect(chooseStack('shop', false, { perDeveloper: false }, arn, 'root').stackName).toBe('shop');
    expect(chooseStack('shop', false, { pattern: '{who}-{stack}' }, arn, 'root').stackName).toBe('ana-shop');
  });

  it('checks dsync.json\'s "stack" settings', () => {
    expect(validateSettings({ stack: { perDeveloper: false, protectedNames: ['^live-'], protectedTags: { env: 'prod' } } }, 'dsync.json').stack).toEqual({
      perDeveloper: false,
      protectedNames: ['^live-'],
      protectedTags: { env: 'prod' },
    });
    expect(() => validateSettings({ stack: { pattern: '{stack}-dev' } }, 'dsync.json')).toThrow(/"stack.pattern" must be a string holding \{who\}/);
    expect(() => validateSettings({ stack: { protectedNames: ['('] } }, 'dsync.json')).toThrow(/"stack.protectedNames\[0\]" must be a valid regular expression/);
    expect(() => validateSettings({ stack: { owner: 'x' } }, 'dsync.json')).toThrow(/unknown setting "stack.owner"/);
  });
});

describe('protected stacks', () => {
  it('by tag, or by a name with prod, production or live as a word', () => {
    expect(protectedReason('shop', { 'dsync:protected': 'true' })).toContain('tag dsync:protected=true');
    expect(protectedReason('shop-prod', {})).toContain('protected pattern');
    expect(protectedReason('production-eu', {})).toBeDefined();
    expect(protectedReason('shop-live', {})).toBeDefined();
    expect(protectedReason('product-catalog', {})).toBeUndefined();
    expect(protectedReason('shop-ana', { env: 'dev' })).toBeUndefined();
    expect(protectedReason('shop-ana', { env: 'PROD' }, { protectedTags: { env: 'prod' } })).toContain('env=PROD');
    expect(protectedReason('shop-prod', {}, { protectedNames: [] })).toBeUndefined();
  });
});

/** SSM parameters in memory: create fails when the lease exists, like PutParameter without Overwrite. */
function memoryStore(): LeaseStore & { value?: LeaseRecord | string; originValue?: StackOrigin } {
  const store: LeaseStore & { value?: LeaseRecord | string; originValue?: StackOrigin } = {
    where: 'memory',
    async read() {
      if (store.value === undefined) return {};
      return typeof store.value === 'string' ? parseLease(store.value) : { record: structuredClone(store.value) };
    },
    async create(record) {
      if (store.value !== undefined) return false;
      store.value = structuredClone(record);
      return true;
    },
    async write(record) {
      store.value = structuredClone(record);
    },
    async remove() {
      store.value = undefined;
    },
    async readOrigin() {
      return store.originValue;
    },
    async createOrigin(origin) {
      store.originValue ??= origin;
    },
  };
  return store;
}

describe('the stack lease', () => {
  const me = (id: string, who: string) => ({ id, who, arn: `arn:aws:iam::1:user/${who}`, host: 'laptop', pid: 42 });
  const timing = { heartbeatMs: 1000, staleMs: 5000 };

  it('the first takes it; a second is refused with the holder; after release, or once stale, the next one takes it', async () => {
    const store = memoryStore();
    let now = 1_000_000;
    const a = new StackLease(store, 'shop-ana', me('a', 'ana'), timing, () => now);
    const b = new StackLease(store, 'shop-ana', me('b', 'ana'), timing, () => now);
    await a.acquire({ takeOver: false, stackExists: false });
    expect(store.originValue).toEqual({ createdByDsync: true });
    const refused = await b.acquire({ takeOver: false, stackExists: true }).catch((e: unknown) => e);
    expect(isDsyncError(refused, 'STACK_IN_USE')).toBe(true);
    expect((refused as Error).message).toMatch(/in use by ana \(arn:aws:iam::1:user\/ana\) on laptop, pid 42, since .*, renewed 0 s ago/);

    expect(await a.release()).toBe(true);
    expect(store.value).toBeUndefined();
    const taken = await b.acquire({ takeOver: false, stackExists: true });
    expect(taken.tookOver).toBeUndefined();
    expect(store.originValue).toEqual({ createdByDsync: true });

    // b dies without releasing: stale after 5 s.
    const c = new StackLease(store, 'shop-ana', me('c', 'ana'), timing, () => now);
    await expect(c.acquire({ takeOver: false, stackExists: true })).rejects.toThrow(/in use by ana/);
    now += 6000;
    expect((await c.acquire({ takeOver: false, stackExists: true })).tookOver).toMatchObject({ reason: 'stale', from: { id: 'b' } });
  });

  it('two taking a stale lease at once: one wins, the other is refused', async () => {
    const store = memoryStore();
    let now = 0;
    await new StackLease(store, 's', me('old', 'ana'), timing, () => now).acquire({ takeOver: false, stackExists: false });
    now = 10_000;
    // Both read the stale record before either writes.
    const slowRead = store.read.bind(store);
    let reads = 0;
    let open = () => {};
    const gate = { promise: new Promise<void>((r) => (open = r)), resolve: () => open() };
    store.read = async () => {
      const r = await slowRead();
      if (++reads <= 2) {
        if (reads === 2) gate.resolve();
        await gate.promise;
      }
      return r;
    };
    const results = await Promise.allSettled([
      new StackLease(store, 's', me('x', 'xi'), timing, () => now).acquire({ takeOver: false, stackExists: true }),
      new StackLease(store, 's', me('y', 'yo'), timing, () => now).acquire({ takeOver: false, stackExists: true }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([expect.stringMatching(/in use by (xi|yo)/)]);
  });

  it('--take-over takes a live lease; the old holder learns it on its next heartbeat and stops', async () => {
    const store = memoryStore();
    const a = new StackLease(store, 'shop', me('a', 'ana'), { heartbeatMs: 20, staleMs: 60_000 });
    await a.acquire({ takeOver: false, stackExists: false });
    const lost = new Promise((resolve) => a.startHeartbeat(resolve, () => undefined));
    const b = new StackLease(store, 'shop', me('b', 'bo'), { heartbeatMs: 20, staleMs: 60_000 });
    expect((await b.acquire({ takeOver: true, stackExists: true })).tookOver).toMatchObject({ reason: 'forced', from: { who: 'ana' } });
    expect(await lost).toMatchObject({ by: { id: 'b', who: 'bo' } });
    expect(await a.release()).toBe(false);
    expect((store.value as LeaseRecord).holder.id).toBe('b');
  });

  it('a lease deleted under a running holder is lost, and said so', async () => {
    const store = memoryStore();
    const a = new StackLease(store, 'shop', me('a', 'ana'), { heartbeatMs: 10, staleMs: 60_000 });
    await a.acquire({ takeOver: false, stackExists: false });
    const lost = new Promise((resolve) => a.startHeartbeat(resolve, () => undefined));
    await store.remove();
    expect(await lost).toEqual({ deleted: true });
    expect(await a.release()).toBe(false);
  });

  it('replaces a record it cannot read, and says so', async () => {
    const store = memoryStore();
    store.value = '{"v":1,"holder":{"who":"x"}}';
    const a = new StackLease(store, 's', me('a', 'ana'), timing);
    expect((await a.acquire({ takeOver: false, stackExists: true })).tookOver).toEqual({ reason: 'unreadable', detail: 'its holder is incomplete' });
    expect(parseLease('not json')).toEqual({ corrupt: 'it is not JSON' });
    expect(parseLease('{"v":2,"holder":{}}')).toEqual({ corrupt: 'it is not a dsync lease record (version 1)' });
    await a.release();
  });

  it('renews on the heartbeat; a release waits for a renewal in flight, which then cannot write', async () => {
    const store = memoryStore();
    let now = 0;
    const a = new StackLease(store, 'prod', me('a', 'ana'), { heartbeatMs: 10, staleMs: 50 }, () => now);
    await a.acquire({ takeOver: false, stackExists: true });
    expect(store.originValue).toEqual({ createdByDsync: false });
    now = 1000;
    a.startHeartbeat(
      () => undefined,
      () => undefined,
    );
    await new Promise((r) => setTimeout(r, 60));
    expect((store.value as LeaseRecord).holder.renewedAt).toBe(1000);
    // A slow store: the renewal is between its read and its write when Ctrl-C comes.
    const write = store.write.bind(store);
    store.write = async (record) => {
      await new Promise((r) => setTimeout(r, 30));
      await write(record);
    };
    await new Promise((r) => setTimeout(r, 15));
    expect(await a.release()).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(store.value).toBeUndefined();
  });

  it('stops when the lease cannot be renewed for longer than the stale time', async () => {
    const store = memoryStore();
    let now = 0;
    const a = new StackLease(store, 's', me('a', 'ana'), { heartbeatMs: 5, staleMs: 100 }, () => now);
    await a.acquire({ takeOver: false, stackExists: false });
    store.read = async () => Promise.reject(new Error('ExpiredTokenException: the security token included in the request is expired'));
    const errors: unknown[] = [];
    const lost = new Promise((resolve) => a.startHeartbeat(resolve, (e) => errors.push(e)));
    await new Promise((r) => setTimeout(r, 20));
    now = 500;
    expect(await lost).toMatchObject({ expired: expect.any(Error) });
    expect(errors.length).toBeGreaterThan(0);
  });
});

describe('claiming the stack', () => {
  const target = {
    mode: 'aws',
    stackName: 'shop',
    region: 'eu-west-1',
    templateFile: 'template.yaml',
    parameterOverrides: [],
    capabilities: [],
    tags: [],
    dependencyLayer: true,
    configEnv: 'default',
  } as SamTarget;
  const credentials = { get: async () => ({ accessKeyId: 'k', secretAccessKey: 's', source: 'env' }) };
  const account = (over: Partial<StackAccount>): StackAccount => ({
    identity: async () => ({ account: '1', arn: 'arn:aws:iam::1:user/ana' }),
    stackTags: async () => undefined,
    leaseStore: () => memoryStore(),
    close() {},
    ...over,
  });
  const claim = (acc: StackAccount) =>
    claimStack({ config: { root: '/p' } as never, request: { credentials, account: () => acc, exact: false }, target, reporter: silentReporter });

  it('turns an AWS refusal into one line saying which permissions dsync needs', async () => {
    const denied = Object.assign(new Error('User: arn:aws:iam::1:user/ana is not authorized to perform: ssm:GetParameter'), { name: 'AccessDeniedException' });
    const refusal = await claim(account({ leaseStore: () => ({ ...memoryStore(), readOrigin: async () => Promise.reject(denied) }) })).catch((e: unknown) => e);
    expect(isDsyncError(refusal, 'CREDENTIALS')).toBe(true);
    expect((refusal as Error).message).toBe("AWS refused dsync's check of stack shop-ana: User: arn:aws:iam::1:user/ana is not authorized to perform: ssm:GetParameter");
    expect((refusal as { hint: string }).hint).toContain('ssm:GetParameter / ssm:PutParameter');
  });

  it('refuses a protected stack dsync did not create, and takes an unprotected one', async () => {
    const prod = await claimStack({
      config: { root: '/p' } as never,
      request: { credentials, account: () => account({ stackTags: async () => ({}) }), exact: true },
      target: { ...target, stackName: 'shop-prod' },
      reporter: silentReporter,
    }).catch((e: unknown) => e);
    expect(isDsyncError(prod, 'STACK_PROTECTED')).toBe(true);
    const mine = await claim(account({}));
    expect(mine.stackName).toBe('shop-ana');
    await mine.lease.release();
  });
});
