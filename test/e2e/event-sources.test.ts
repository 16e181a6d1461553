// Issue 24 end to end, Lambda's semantics for the sources that poll:
// `dsync up --emulator --logs` on test/fixtures/apps/jobs-and-changes. Jobs
// are sent to the queue and orders written to the table through the
// emulator's own AWS APIs, as an app's script would; each run is asserted on
// what the functions wrote to the results table, on what reached the
// dead-letter queue and on the trigger lines `--logs` printed. Then the
// worker is edited and the next job runs the new code.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorApi } from '../helpers/emulator-api.js';
import { cliRun, EmulatorRun } from '../helpers/emulator-run.js';
import { until } from '../helpers/until.js';

const fixture = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/apps/jobs-and-changes');

describe('jobs-and-changes: a queue with partial failures and a DLQ, a filtered table stream', () => {
  const root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-sources-')), 'jobs-and-changes');
  fs.cpSync(fixture, root, { recursive: true });
  const run = new EmulatorRun(root, 'jobs-and-changes');
  let api: EmulatorApi;
  const ids: Record<string, string> = {};
  const result = (id: string) => until(`result ${id}`, () => api.getItem(ids.Results!, id));
  const triggerLines = () => run.events.filter((e) => e.type === 'function-log' && String(e.message).includes('trigger │')).map((e) => String(e.line));

  beforeAll(async () => {
    await run.start(['--logs']);
    api = new EmulatorApi(run.endpoint);
    for (const [logical, { physicalId }] of await api.stackResources('jobs-and-changes')) ids[logical] = physicalId;
  }, 1_500_000);
  afterAll(() => run.cleanUp());

  it('jobs sent together run as one batch; the one reported failed comes back, then goes to the DLQ', async () => {
    for (const job of [{ id: 'j-1' }, { id: 'j-2' }, { id: 'j-bad', impossible: true }]) await api.sendMessage(ids.Jobs!, JSON.stringify(job));
    const [one, two] = [await result('j-1'), await result('j-2')];
    expect(one.by?.S).toBe('worker-v1');
    expect(one.batch?.N).toBe(two.batch?.N); // one invocation (BatchSize 5, a 1 s window)
    const dead = await until('the impossible job in the DLQ', async () => {
      const bodies = await api.receiveBodies(ids.JobsDeadLetters!);
      return bodies.length ? bodies : undefined;
    });
    expect(dead.map((b) => JSON.parse(b) as { id: string })).toEqual([{ id: 'j-bad', impossible: true }]);
    expect(await api.getItem(ids.Results!, 'j-bad')).toBeUndefined();
    await until('the trigger lines', async () => (triggerLines().filter((l) => l.startsWith('✖ Jobs → JobWorker')).length >= 2 ? true : undefined));
    expect(triggerLines().find((l) => l.startsWith('✖ Jobs → JobWorker'))).toMatch(/reported failed/);
  });

  it('the table stream runs the notifier only for the change its filter asks for', async () => {
    await api.putItem(ids.Orders!, { id: { S: 'o-1' }, status: { S: 'new' } });
    await api.putItem(ids.Orders!, { id: { S: 'o-2' }, status: { S: 'shipped' } }); // an INSERT: filtered out
    await api.putItem(ids.Orders!, { id: { S: 'o-1' }, status: { S: 'shipped' } }); // a MODIFY to shipped: delivered
    expect((await result('shipped-o-1')).event?.S).toBe('MODIFY');
    await until('the notifier run line', async () => (triggerLines().some((l) => l.startsWith('✔') && l.includes('ShippingNotifier')) ? true : undefined));
    expect(await api.getItem(ids.Results!, 'shipped-o-2')).toBeUndefined();
  });

  it('status lists both mappings with their last run', () => {
    const status = JSON.parse(cliRun(['status', '--json', '--cwd', root]).stdout) as { triggers?: Array<{ id: string; kind: string; lastRunAt: string | null }> };
    const byId = new Map((status.triggers ?? []).map((t) => [t.id, t]));
    expect(byId.get('JobWorkerWork')).toMatchObject({ kind: 'mapping' });
    expect(byId.get('JobWorkerWork')?.lastRunAt).toMatch(/^\d{4}-/);
    expect(byId.get('ShippingNotifierShipped')?.lastRunAt).toMatch(/^\d{4}-/);
  });

  it('an edit of the worker runs on the next job', async () => {
    const file = path.join(root, 'src/jobs.js');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace("by: 'worker-v1'", "by: 'worker-v2'"));
    let n = 0;
    await until(
      'the new code',
      async () => {
        const id = `j-next-${n++}`;
        await api.sendMessage(ids.Jobs!, JSON.stringify({ id }));
        const got = await until(`result ${id}`, () => api.getItem(ids.Results!, id), 10_000);
        return got.by?.S === 'worker-v2' ? true : undefined;
      },
      180_000,
    );
  });
});
