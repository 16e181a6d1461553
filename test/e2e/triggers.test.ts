// Issue 24 end to end: `dsync up --emulator` on test/fixtures/apps/event-driven-orders;
// events are sent through the emulator's own AWS APIs as an app's script sends
// them (PutEvents, StartExecution), `dsync trigger` fires the schedule, and
// each run is asserted on what the functions wrote to the table (read back
// through the app's HTTP API). Then the handler and the state machine's
// definition file are edited, and the next event runs the new code.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorApi } from '../helpers/emulator-api.js';
import { cliRun, EmulatorRun } from '../helpers/emulator-run.js';
import { until } from '../helpers/until.js';

const fixture = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/apps/event-driven-orders');

describe('event-driven-orders: buses, schedules and state machines run the code just saved', () => {
  const root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-triggers-')), 'event-driven-orders');
  fs.cpSync(fixture, root, { recursive: true });
  const run = new EmulatorRun(root, 'event-driven-orders');
  let api: EmulatorApi;
  let http = '';
  let machine = '';
  const record = (id: string) =>
    until(`record ${id}`, async () =>
      (await fetch(`${http}/records/${id}`)).status === 200 ? ((await (await fetch(`${http}/records/${id}`)).json()) as Record<string, unknown>) : undefined,
    );
  const put = (id: string, total: number) =>
    api.putEvents([{ Source: 'shop.orders', DetailType: 'OrderPlaced', Detail: JSON.stringify({ id, total }), EventBusName: 'orders-bus' }]);

  beforeAll(async () => {
    await run.start();
    api = new EmulatorApi(run.endpoint);
    const status = JSON.parse(cliRun(['status', '--json', '--cwd', root]).stdout) as { apis?: Array<{ id: string; url?: string }> };
    http = status.apis?.find((a) => a.id === 'ServerlessHttpApi')?.url ?? '';
    machine = (await api.stackResources('event-driven-orders')).get('CheckOrder')!.physicalId;
  }, 1_500_000);
  afterAll(() => run.cleanUp());

  it('an event on the custom bus reaches the function through the input transformer; a non-matching one does not', async () => {
    const answer = await put('o-1', 120);
    expect(answer.FailedEntryCount).toBe(0);
    await put('o-0', 0); // total not > 0: the pattern refuses it
    expect(await record('o-1')).toEqual({ id: 'o-1', total: 120, via: 'bus', version: 'record-v1' });
    expect((await fetch(`${http}/records/o-0`)).status).toBe(404);
  });

  it('dsync trigger fires the schedule now', async () => {
    const fired = cliRun(['trigger', 'TickFunction', '--cwd', root]);
    expect(fired.code, fired.stderr).toBe(0);
    expect(fired.stdout).toMatch(/^fired rule TickFunctionEveryMinute -> function:event-driven-orders-TickFunction/);
    expect(await record('ticks')).toMatchObject({ runs: 1, lastSource: 'aws.events' });
    const status = JSON.parse(cliRun(['status', '--json', '--cwd', root]).stdout) as { triggers?: Array<{ id: string; kind: string; source: string; lastRunAt: string | null }> };
    const tick = status.triggers?.find((t) => t.id === 'TickFunctionEveryMinute');
    expect(tick).toMatchObject({ kind: 'rule', source: 'rate(1 minute)' });
    expect(tick?.lastRunAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(status.triggers?.find((t) => t.id === 'RecordFunctionOrderPlaced')).toMatchObject({ kind: 'rule', source: 'events on orders-bus' });
    const unknown = cliRun(['trigger', 'Nope', '--cwd', root]);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain('TickFunctionEveryMinute');
  });

  it('a state machine execution runs its Lambda task and its Choice', async () => {
    const done = await api.runExecution(machine, { id: 'o-2', total: 250 });
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(String(done.output))).toEqual({ size: 'big' });
    expect(await record('o-2')).toMatchObject({ via: 'workflow', version: 'record-v1' });
  });

  it('an edit of the handler runs on the next event', async () => {
    const file = path.join(root, 'src/record.js');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace("version: 'record-v1'", "version: 'record-v2'"));
    await run.until('the edit live', () => run.events.some((e) => e.type === 'live' && JSON.stringify(e).includes('RecordFunction')), 120_000);
    await until('the new code', async () => {
      await put('o-3', 10);
      const got = await fetch(`${http}/records/o-3`);
      return got.status === 200 && ((await got.json()) as { version: string }).version === 'record-v2' ? true : undefined;
    });
  });

  it("an edit of the state machine's definition file goes live and runs", async () => {
    const from = run.events.length;
    const file = path.join(root, 'statemachine/check-order.asl.json');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('{ "size": "big" }', '{ "size": "large" }'));
    const live = await run.until('the definition live', () => run.events.slice(from).find((e) => e.type === 'live' || (e.type === 'deploy-result' && e.ok === false)), 180_000);
    expect(live.type, JSON.stringify(live)).toBe('live');
    const done = await api.runExecution(machine, { id: 'o-4', total: 500 });
    expect(JSON.parse(String(done.output))).toEqual({ size: 'large' });
  });

  it('the clock fires the rate(1 minute) schedule by itself', async () => {
    // The rule counts from when the emulator first saw it: about a minute after the first deploy.
    const ticks = await until(
      'a tick from the clock',
      async () => {
        const got = await fetch(`${http}/records/ticks`);
        const body = got.status === 200 ? ((await got.json()) as { runs: number; lastSource: string }) : undefined;
        return body && body.runs >= 2 ? body : undefined;
      },
      150_000,
    );
    expect(ticks).toMatchObject({ lastSource: 'aws.events' });
  }, 160_000);
});
