// Issue 24 end to end, for an Express machine: `dsync up --emulator` on
// test/fixtures/apps/express-checkout. An order goes through the app's HTTP
// API, whose handler runs the machine with StartSyncExecution through the SDK
// the Lambda runtime carries, unchanged (the container resolves the SDK's
// "sync-" host); a script on this machine calls StartSyncExecution on the
// emulator's published API. Each run is asserted on the machine's output
// (a Map of Lambda tasks, a Retry, a Catch into a Fail state, a Choice). Then
// the definition file (the Choice's threshold) and a handler are edited, and
// the next execution runs the new definition and the new code.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorApi } from '../helpers/emulator-api.js';
import { cliRun, EmulatorRun, type Event } from '../helpers/emulator-run.js';

const fixture = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/apps/express-checkout');

type Line = { sku: string; qty: number };
type Receipt = { orderId: string; reservation: string; total: number; tries: number; shipping: string; lines: Array<Line & { priceVersion: string }> };

describe('express-checkout: an Express machine runs synchronously, with the definition and code just saved', () => {
  const root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-sfn-')), 'express-checkout');
  fs.cpSync(fixture, root, { recursive: true });
  const run = new EmulatorRun(root, 'express-checkout');
  let api: EmulatorApi;
  let http = '';
  let machine = '';
  let orders = 0;
  // Every order gets an id of its own: the reserve function's first try of each id is busy.
  const order = (lines: Line[]) => ({ orderId: `o-${++orders}`, lines });
  const checkout = async (body: object) => {
    const res = await fetch(`${http}/checkout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const editFile = (file: string, find: string, replace: string) => {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    if (!text.includes(find)) throw new Error(`${file} does not contain ${find}`);
    fs.writeFileSync(path.join(root, file), text.replace(find, replace));
  };
  const settled = (from: number, what: string): Promise<Event> =>
    run.until(what, () => run.events.slice(from).find((e) => e.type === 'live' || (e.type === 'deploy-result' && e.ok === false)), 180_000);

  beforeAll(async () => {
    await run.start();
    api = new EmulatorApi(run.endpoint);
    const status = JSON.parse(cliRun(['status', '--json', '--cwd', root]).stdout) as { apis?: Array<{ id: string; url?: string }> };
    http = status.apis?.find((a) => a.id === 'ServerlessHttpApi')?.url ?? '';
    machine = (await api.stackResources('express-checkout')).get('Checkout')!.physicalId;
  }, 1_500_000);
  afterAll(() => run.cleanUp());

  it("the API's handler runs the machine with the SDK's StartSyncExecution and answers its output", async () => {
    const placed = order([
      { sku: 'kettle', qty: 2 },
      { sku: 'tea', qty: 3 },
    ]);
    const answer = await checkout(placed);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toEqual({
      orderId: placed.orderId,
      reservation: `r-${placed.orderId}`,
      total: 102,
      tries: 2, // the busy first try was retried
      shipping: 'free', // the Choice: 102 >= 100
      lines: [
        { sku: 'kettle', qty: 2, unitPrice: 45, lineTotal: 90, priceVersion: 'price-v1' },
        { sku: 'tea', qty: 3, unitPrice: 4, lineTotal: 12, priceVersion: 'price-v1' },
      ],
    });
  });

  it("a script's StartSyncExecution on the emulator's API gets AWS's answer", async () => {
    const placed = order([{ sku: 'mug', qty: 5 }]);
    const done = await api.startSyncExecution(machine, placed, `script-${placed.orderId}`);
    expect(done).toMatchObject({ status: 'SUCCEEDED', name: `script-${placed.orderId}`, stateMachineArn: machine, input: JSON.stringify(placed) });
    expect(String(done.executionArn)).toMatch(new RegExp(`:express:${machine.split(':').pop()}:script-${placed.orderId}:[0-9a-f-]{36}$`));
    expect(Number(done.stopDate)).toBeGreaterThanOrEqual(Number(done.startDate));
    expect(done.billingDetails).toMatchObject({ billedMemoryUsedInMB: 64 });
    expect(JSON.parse(String(done.output))).toMatchObject({ total: 60, shipping: 'standard', tries: 2 });
  });

  it('a caught error ends in the Fail state: FAILED with its error and cause, for the API and the script alike', async () => {
    const refused = await checkout(order([{ sku: 'mug', qty: 9 }]));
    expect(refused).toEqual({ status: 422, body: { status: 'FAILED', error: 'OrderDeclined', cause: 'a line asks for more than the stock allows' } });
    const done = await api.startSyncExecution(machine, order([{ sku: 'tea', qty: 6 }]));
    expect(done).toMatchObject({ status: 'FAILED', error: 'OrderDeclined' });
    expect(done.output).toBeUndefined();
  });

  it("an edit of the definition file's Choice goes live: the next execution runs it", async () => {
    const from = run.events.length;
    editFile('statemachine/checkout.asl.json', '"NumericGreaterThanEquals": 100', '"NumericGreaterThanEquals": 50');
    const live = await settled(from, 'the definition live');
    expect(live, JSON.stringify(live)).toMatchObject({ type: 'live', ok: true });
    const done = await api.startSyncExecution(machine, order([{ sku: 'mug', qty: 5 }]));
    expect(JSON.parse(String(done.output))).toMatchObject({ total: 60, shipping: 'free' });
  }, 240_000);

  it('an edit of the price handler runs on the next execution', async () => {
    const from = run.events.length;
    editFile('src/price.js', "priceVersion: 'price-v1'", "priceVersion: 'price-v2'");
    const live = await settled(from, 'the handler edit live');
    expect(live, JSON.stringify(live)).toMatchObject({ type: 'live', ok: true });
    const answer = await checkout(order([{ sku: 'tea', qty: 1 }]));
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect((answer.body as Receipt).lines).toEqual([{ sku: 'tea', qty: 1, unitPrice: 4, lineTotal: 4, priceVersion: 'price-v2' }]);
  }, 240_000);
});
