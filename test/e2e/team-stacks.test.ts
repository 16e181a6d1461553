// A team on one account: dsync's emulator used as a real-AWS endpoint (as in
// real-path.test.ts), two developers as two IAM users with their own keys,
// each on their own checkout (their own container). What is checked is what
// the endpoint holds: the stacks, and the lease parameters.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startUp, type UpProcess } from '../helpers/cli.js';
import { EmulatorApi } from '../helpers/emulator-api.js';
import { startEndpointEmulator, type EndpointEmulator } from '../helpers/emulator-endpoint.js';
import { SAM_BASE } from '../helpers/emulator-run.js';
import { engineClient } from '../helpers/real-docker.js';

const app = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/apps/hello-world-rest');
// A short heartbeat and stale time, so the test can wait a lease out.
const LEASE = { DSYNC_LEASE_HEARTBEAT_S: '1', DSYNC_LEASE_STALE_S: '15' };

describe('a stack per developer, one dsync up per stack, and the production guard', () => {
  const client = engineClient();
  let emulator: EndpointEmulator;
  let api: EmulatorApi;
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-team-'));
  const checkouts: string[] = [];
  const running: UpProcess[] = [];
  const keys: Record<string, Record<string, string>> = {};

  /** A teammate's checkout of the team's app, with the team's samconfig. */
  const checkout = (name: string) => {
    const root = path.join(parent, name, 'team-app');
    fs.cpSync(app, root, { recursive: true });
    fs.writeFileSync(path.join(root, 'samconfig.toml'), 'version = 0.1\n[default.global.parameters]\nstack_name = "team-app"\nregion = "us-east-1"\n');
    checkouts.push(root);
    return root;
  };
  const envFor = (user: string) => ({
    ...keys[user],
    AWS_SESSION_TOKEN: '',
    AWS_PROFILE: '',
    AWS_REGION: 'us-east-1',
    DSYNC_SAM_BASE_IMAGE: SAM_BASE,
    ...LEASE,
  });
  const up = (root: string, user: string, extra: string[] = []) => {
    const p = startUp(['--endpoint-url', `http://localhost:${emulator.port}`, '--cwd', root, '--image', emulator.image, ...extra], envFor(user));
    running.push(p);
    return p;
  };
  const lease = async (stack: string) => JSON.parse((await api.parameter(`/dsync/stack-lease/${stack}`)) ?? 'null') as { holder?: { who: string; arn: string } } | null;

  beforeAll(async () => {
    emulator = await startEndpointEmulator(client, 'dsync-team-endpoint');
    api = new EmulatorApi(emulator.url);
    keys.alice = await api.iamUserKeys('alice');
    keys.bob = await api.iamUserKeys('bob');
  }, 300_000);
  afterAll(async () => {
    for (const p of running) await p.stop('SIGKILL');
    for (const root of checkouts) runCli(['down', '--purge', '--cwd', root]);
    await emulator?.stop();
  });

  let alice: UpProcess;
  let bob: UpProcess;
  const aliceRoot = checkout('alice');
  const bobRoot = checkout('bob');
  const aliceLaptop2 = checkout('alice-laptop-2');

  it('gives two developers two stacks, each with its lease', async () => {
    alice = up(aliceRoot, 'alice');
    expect(await alice.waitFor('live', 600_000)).toMatchObject({ ok: true, kind: 'infra' });
    expect(alice.events.find((e) => e.type === 'stack-choice')).toMatchObject({ stackName: 'team-app-alice' });
    expect(alice.events.find((e) => e.type === 'sam-ready')?.message).toMatch(/stack team-app-alice .* as arn:aws:iam::\d+:user\/alice/);
    bob = up(bobRoot, 'bob');
    expect(await bob.waitFor('live', 600_000)).toMatchObject({ ok: true, kind: 'infra' });
    expect(await api.stackStatus('team-app-alice')).toMatch(/_COMPLETE$/);
    expect(await api.stackStatus('team-app-bob')).toMatch(/_COMPLETE$/);
    expect(await api.stackStatus('team-app')).toBeUndefined();
    expect((await lease('team-app-alice'))?.holder).toMatchObject({ who: 'alice', arn: expect.stringMatching(/user\/alice$/) });
    expect((await lease('team-app-bob'))?.holder).toMatchObject({ who: 'bob' });
    // dsync status says who holds the stack, in JSON and in words.
    const status = runCli(['status', '--json', '--cwd', aliceRoot], envFor('alice'));
    expect(JSON.parse(status.stdout).stack).toMatchObject({ name: 'team-app-alice', region: 'us-east-1', lease: { who: 'alice' } });
    expect(runCli(['status', '--cwd', bobRoot], envFor('bob')).stdout).toMatch(/^stack {6}team-app-bob in us-east-1: lease held by bob \(arn:aws:iam::\d+:user\/bob\) on /m);
  }, 900_000);

  it('refuses a second dsync up on the same stack, naming the holder', async () => {
    const second = up(aliceLaptop2, 'alice');
    expect(await second.exited).toBe(6);
    expect(second.stderr).toMatch(/dsync: stack team-app-alice is in use by alice \(arn:aws:iam::\d+:user\/alice\) on .*, pid \d+, since .*, renewed \d+ s ago/);
    expect(second.stderr).toContain('--take-over');
    expect((await lease('team-app-alice'))?.holder?.who).toBe('alice');
  }, 300_000);

  it('Ctrl-C releases the lease at once', async () => {
    expect(await bob.stop('SIGINT')).toBe(0);
    expect(bob.events.some((e) => e.type === 'lease-released')).toBe(true);
    expect((await lease('team-app-bob'))?.holder).toBeUndefined();
  }, 120_000);

  it('a dsync up killed with SIGKILL leaves a lease that goes stale, and is then taken over with a warning', async () => {
    expect(await alice.stop('SIGKILL')).toBe(null);
    const tooSoon = up(aliceLaptop2, 'alice');
    expect(await tooSoon.exited).toBe(6);
    await new Promise((r) => setTimeout(r, 16_000));
    const later = up(aliceLaptop2, 'alice');
    const taken = await later.waitFor('lease-taken-over', 300_000);
    expect(taken).toMatchObject({ reason: 'stale', message: expect.stringContaining('took over stack team-app-alice from alice') });
    expect(await later.waitFor('live', 600_000)).toMatchObject({ ok: true });
    // --take-over from bob on alice's stack: alice's run learns it on its next heartbeat and stops with one line.
    const forced = up(bobRoot, 'bob', ['--stack-name', 'team-app-alice', '--take-over']);
    await forced.waitFor('lease-taken-over', 300_000);
    expect(await later.exited).toBe(6);
    expect(later.stderr).toMatch(/dsync: stack team-app-alice was taken over by bob/);
    expect((await lease('team-app-alice'))?.holder?.who).toBe('bob');
    expect(await forced.waitFor('live', 600_000)).toMatchObject({ ok: true });
    // A closed terminal window (SIGHUP) stops the run like Ctrl-C, and gives the lease back.
    expect(await forced.stop('SIGHUP')).toBe(0);
    expect(forced.events.some((e) => e.type === 'lease-released')).toBe(true);
    expect((await lease('team-app-alice'))?.holder).toBeUndefined();
  }, 900_000);

  it('refuses a protected stack dsync did not create, and says how to override it', async () => {
    await api.createStack('team-app-shared', JSON.stringify({ Resources: { Topic: { Type: 'AWS::SNS::Topic' } } }), { 'dsync:protected': 'true' });
    expect(await api.stackStatus('team-app-shared')).toMatch(/_COMPLETE$/);
    const refused = up(bobRoot, 'bob', ['--stack-name', 'team-app-shared']);
    expect(await refused.exited).toBe(6);
    expect(refused.stderr).toContain('dsync: stack team-app-shared is protected: it carries the tag dsync:protected=true, and dsync did not create it');
    expect(refused.stderr).toContain('--allow-protected');
    expect(await lease('team-app-shared')).toBeNull();
  }, 300_000);
});
