// Issue 12 end to end: the emulator runs the code. `dsync up --emulator` on
// test/fixtures/functions-app (and two apps of the corpus); every check calls
// the API URLs `dsync status --json` lists, as a person would with curl, or
// runs `dsync invoke` / `dsync logs`, and looks at what really came back.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorApi } from '../helpers/emulator-api.js';
import { cliRun, EmulatorRun, engineHasImage } from '../helpers/emulator-run.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');
const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

interface Api {
  id: string;
  type: 'REST' | 'HTTP' | 'URL';
  url?: string;
}

function copyApp(fixture: string, name: string): string {
  const root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-fn-')), name);
  fs.cpSync(fixture, root, { recursive: true });
  return root;
}

function apisOf(root: string): Api[] {
  const status = JSON.parse(cliRun(['status', '--json', '--cwd', root]).stdout) as { apis?: Api[] };
  return status.apis ?? [];
}

function edit(root: string, rel: string, from: string, to: string): void {
  const file = path.join(root, rel);
  const text = fs.readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`${rel} does not contain ${from}`);
  fs.writeFileSync(file, text.replace(from, to));
}

/** Poll a URL until its body satisfies `ok` (the edit went live); returns that body. */
async function pollUntil(url: string, ok: (body: string) => boolean, what: string, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    last = await fetch(url).then(
      (r) => r.text(),
      (e: unknown) => String(e),
    );
    if (ok(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last answer: ${last.slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

function logsOf(root: string, fn: string): string {
  const r = cliRun(['logs', '--no-tail', fn, '--cwd', root]);
  return r.stdout;
}

describe('functions-app: the emulator runs the deployed code behind its APIs', () => {
  const root = copyApp(path.join(fixtures, 'functions-app'), 'functions-app');
  const run = new EmulatorRun(root, 'functions-app');
  let rest = '';
  let http = '';

  beforeAll(async () => {
    await run.start();
    const apis = apisOf(root);
    rest = apis.find((a) => a.id === 'ServerlessRestApi')?.url ?? '';
    http = apis.find((a) => a.id === 'ServerlessHttpApi')?.url ?? '';
  }, 1_500_000);

  afterAll(async () => {
    await run.cleanUp();
  }, 120_000);

  it('lists both APIs in status and prints them after the first deploy', async () => {
    expect(rest).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/Prod$/);
    expect(http).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await run.until('the apis event', () => run.events.find((e) => e.type === 'apis'));
    const said = run.events.find((e) => e.type === 'apis')!;
    // With the emulator's own endpoint, for the AWS CLI and SDKs.
    expect(said.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(String(said.message)).toContain(`emulator: ${String(said.endpoint)} (--endpoint-url for the AWS CLI and SDKs)`);
    expect((said.apis as Api[]).map((a) => [a.id, a.type, a.url])).toEqual([
      ['ServerlessRestApi', 'REST', rest],
      ['ServerlessHttpApi', 'HTTP', http],
    ]);
  });

  it('routes a path parameter to a CommonJS handler that uses the layer and its dependency (payload 1.0)', async () => {
    const res = await fetch(`${rest}/hello/ana`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ message: 'Hello, ana!', version: 'v1', timeout: '5s', stage: 'Prod', path: '/hello/ana' });
    expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);
    // No route, and an unknown stage, answer as API Gateway does.
    expect((await fetch(`${rest}/nope`)).status).toBe(403);
    expect((await fetch(rest.replace(/\/Prod$/, '/Dev/hello/ana'))).status).toBe(403);
  });

  it('passes a POST JSON body and query string to a nested ES module handler; multi-value headers come back', async () => {
    const res = await fetch(`${rest}/echo?q=2&q=3`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ x: 1, name: 'ñ' }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-echo')).toBe('one, two');
    expect(await res.json()).toEqual({ received: { x: 1, name: 'ñ' }, method: 'POST', query: { q: '3' } });
  });

  it('answers with a binary body from a callback-style handler', async () => {
    const res = await fetch(`${rest}/pixel.png`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer()).equals(PIXEL)).toBe(true);
  });

  it('gives 502 for a thrown error, with the stack in dsync logs', async () => {
    const res = await fetch(`${rest}/boom`);
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ message: 'Internal server error' });
    const logs = await run.until('the error in the logs', () => {
      const text = logsOf(root, 'BoomFunction');
      return text.includes('boom from the handler') ? text : undefined;
    });
    expect(logs).toContain('about to fail');
    expect(logs).toMatch(/Invoke Error.*"errorMessage":"boom from the handler".*at .*app\.js/);
    expect(logs).toMatch(/REPORT RequestId: [0-9a-f-]{36}\tDuration: /);
    // All the functions' logs at once: each line says which function wrote it.
    const all = cliRun(['logs', '--no-tail', '--cwd', root]).stdout;
    expect(all).toMatch(/^BoomFunction │ \S+ \S+ .*boom from the handler/m);
    expect(all).toMatch(/^HelloFunction │ \S+ \S+ START RequestId: /m);
  });

  it('stops a function at its Timeout: 502, and the timeout in its logs', async () => {
    const started = Date.now();
    const res = await fetch(`${rest}/slow`);
    const ms = Date.now() - started;
    expect(res.status).toBe(502);
    expect(ms).toBeLessThan(2900); // the function sleeps 3 s; its Timeout is 1 s
    await run.until('the timeout in the logs', () => logsOf(root, 'SlowFunction').includes('Task timed out after 1.00 seconds'));
  });

  it('lets a handler write to its table through the SDK and read it back (HTTP API, payload 2.0)', async () => {
    const put = await fetch(`${http}/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'n1', text: 'remember the milk' }),
    });
    expect(put.status).toBe(201);
    const saved = (await put.json()) as { saved: string; table: string };
    // The table name came from !Ref NotesTable, resolved to the emulator's table.
    expect(saved.table).toMatch(/^functions-app-NotesTable-/);
    const got = await fetch(`${http}/notes/n1`);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('application/json');
    expect(await got.json()).toEqual({ id: 'n1', text: 'remember the milk' });
    expect((await fetch(`${http}/notes/zz`)).status).toBe(404);
    expect((await fetch(`${http}/nothing-here`)).status).toBe(404);
  });

  it('runs the new code on the first request after an edit, and a new environment after a template edit', async () => {
    edit(root, 'src/hello/app.js', "version: 'v1'", "version: 'v2'");
    await pollUntil(`${rest}/hello/bo`, (b) => b.includes('"version":"v2"'), 'the edited handler');
    edit(root, 'template.yaml', 'GREETING: Hello', 'GREETING: Howdy');
    const body = await pollUntil(`${rest}/hello/bo`, (b) => b.includes('Howdy, bo!'), 'the new environment');
    expect(body).toContain('"version":"v2"');
  });

  it('dsync invoke prints the answer (and logs); a failing function exits 5', () => {
    const event = path.join(root, 'event.json');
    fs.writeFileSync(event, JSON.stringify({ pathParameters: { name: 'cli' }, requestContext: { stage: 'test' }, path: '/x' }));
    const ok = cliRun(['invoke', 'HelloFunction', '--event', event, '--logs', '--cwd', root]);
    expect(ok.code, ok.stderr).toBe(0);
    const answer = JSON.parse(ok.stdout) as { statusCode: number; body: string };
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ message: 'Howdy, cli!' });
    expect(ok.stderr).toMatch(/^START RequestId: /m);
    const failed = cliRun(['invoke', 'BoomFunction', '--cwd', root]);
    expect(failed.code).toBe(5);
    expect(JSON.parse(failed.stdout)).toMatchObject({ errorType: 'Error', errorMessage: 'boom from the handler' });
    expect(failed.stderr).toContain('dsync: BoomFunction failed: Error: boom from the handler');
    const unknown = cliRun(['invoke', 'NoSuchFunction', '--cwd', root]);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain('NoSuchFunction is not a function of stack functions-app');
  });
});

describe('corpus apps answer on their listed URLs, and an edit changes the answer', () => {
  /** `up --emulator` on a copy of a corpus app; `check` gets its root and the URL `status` lists for `apiId`. */
  const onCorpusApp = (app: string, apiId: string, check: (root: string, url: string, run: EmulatorRun) => Promise<void>) => async () => {
    const root = copyApp(path.join(fixtures, 'apps', app), app);
    const run = new EmulatorRun(root, app);
    try {
      await run.start();
      await check(root, apisOf(root).find((a) => a.id === apiId)?.url ?? `(no ${apiId} in status)`, run);
    } finally {
      await run.cleanUp();
    }
  };

  it(
    'hello-world-rest (implicit REST API, an .mjs handler)',
    onCorpusApp('hello-world-rest', 'ServerlessRestApi', async (root, url) => {
      expect(url).toMatch(/\/Prod$/);
      expect(await (await fetch(`${url}/hello`)).json()).toMatchObject({ message: 'hello world' });
      edit(root, 'hello-world/app.mjs', "'hello world'", "'hello from an edit'");
      await pollUntil(`${url}/hello`, (b) => b.includes('hello from an edit'), 'the edit');
    }),
    1_500_000,
  );

  it(
    'inventory-http-api (explicit HTTP API with a stage, the SDK from the runtime, a table)',
    onCorpusApp('inventory-http-api', 'InventoryApi', async (root, url) => {
      expect(url).toMatch(/\/api$/);
      const put = await fetch(`${url}/items/sku-1`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ quantity: 7 }) });
      expect(put.status).toBe(200);
      expect(await (await fetch(`${url}/items/sku-1`)).json()).toEqual({ sku: 'sku-1', quantity: 7, lowStock: false });
      edit(root, 'src/items.js', 'const LOW_STOCK_THRESHOLD = 5;', 'const LOW_STOCK_THRESHOLD = 10;');
      await pollUntil(`${url}/items/sku-1`, (b) => b.includes('"lowStock":true'), 'the edit');
      expect(await (await fetch(`${url}/items`)).json()).toEqual({ items: [{ sku: 'sku-1', quantity: 7, lowStock: true }] });
    }),
    1_500_000,
  );

  it.skipIf(!engineHasImage('public.ecr.aws/lambda/python:3.12'))(
    "python312-hello (Python 3.12 from AWS's image for the runtime: here a local stand-in tagged public.ecr.aws/lambda/python:3.12)",
    onCorpusApp('python312-hello', 'ServerlessRestApi', async (root, url) => {
      expect(await (await fetch(`${url}/hello`)).json()).toMatchObject({ message: 'hello world', python: '3.12' });
      edit(root, 'hello_world/app.py', '"hello world"', '"hello from an edit"');
      await pollUntil(`${url}/hello`, (b) => b.includes('hello from an edit'), 'the edit');
    }),
    1_500_000,
  );

  it(
    "python39-greeter (Python 3.9 built from bullseye's source, a handler inside a package)",
    onCorpusApp('python39-greeter', 'ServerlessHttpApi', async (root, url) => {
      expect(await (await fetch(`${url}/greet/ana`)).json()).toEqual({ greeting: 'Hello, Ana!', python: '3.9' });
      edit(root, 'src/greeter/words.py', '"{}, {}!"', '"{}, dear {}!"');
      await pollUntil(`${url}/greet/ana`, (b) => b.includes('Hello, dear Ana!'), 'the edit');
    }),
    1_500_000,
  );

  it(
    "python313-orders (Python 3.13 built from trixie's source, a PyPI dependency)",
    onCorpusApp('python313-orders', 'ServerlessHttpApi', async (root, url) => {
      const first = (await (await fetch(`${url}/orders`)).json()) as { api: string };
      expect(first.api).toBe('orders-v1');
      edit(root, 'orders/handler.py', '"api": "orders-v1"', '"api": "orders-v2"');
      await pollUntil(`${url}/orders`, (b) => b.includes('orders-v2'), 'the edit');
    }),
    1_500_000,
  );

  it(
    'python-layer-totals (a Python layer built by SAM, imported by the handler; the edit is in the layer)',
    onCorpusApp('python-layer-totals', 'ServerlessHttpApi', async (root, url) => {
      const order = {
        method: 'POST',
        body: JSON.stringify({
          items: [
            { price: 10, quantity: 2 },
            { price: 5, quantity: 1 },
          ],
        }),
      };
      expect(await (await fetch(`${url}/total`, order)).json()).toEqual({ net: 25, total: 30 });
      edit(root, 'layers/pricing/pricing.py', 'VAT_RATE = 0.2', 'VAT_RATE = 0.1');
      const deadline = Date.now() + 120_000;
      let last: unknown;
      while (Date.now() < deadline) {
        last = await (await fetch(`${url}/total`, order)).json();
        if ((last as { total: number }).total === 27.5) break;
        await new Promise((r) => setTimeout(r, 300));
      }
      expect(last).toEqual({ net: 25, total: 27.5 });
    }),
    1_500_000,
  );

  it(
    "python-ddb-items (boto3 from the runtime writes to the stack's table and reads it back)",
    onCorpusApp('python-ddb-items', 'ServerlessHttpApi', async (root, url) => {
      const put = await fetch(`${url}/items/pen`, { method: 'PUT', body: JSON.stringify({ colour: 'blue', count: 3 }) });
      expect(put.status).toBe(201);
      expect(await (await fetch(`${url}/items/pen`)).json()).toEqual({ item: { id: 'pen', colour: 'blue', count: '3' }, source: 'dynamodb' });
      expect((await fetch(`${url}/items/none`)).status).toBe(404);
      edit(root, 'items/app.py', '"source": "dynamodb"', '"source": "dynamodb, edited"');
      await pollUntil(`${url}/items/pen`, (b) => b.includes('dynamodb, edited'), 'the edit');
    }),
    1_500_000,
  );

  it(
    'function-urls (a Python webhook URL with CORS, a Node.js URL that streams its answer)',
    onCorpusApp('function-urls', 'WebhookFunctionUrl', async (root, url) => {
      const apis = apisOf(root);
      expect(apis.map((a) => [a.id, a.type])).toEqual([
        ['WebhookFunctionUrl', 'URL'],
        ['StreamFunctionUrl', 'URL'],
      ]);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const delivered = await fetch(`${url}/hooks/github`, { method: 'POST', body: 'payload' });
      expect(delivered.status).toBe(202);
      expect(await delivered.json()).toEqual({ received: true, sha256: '239f59ed55e737c77147cf55ad0c1b030b6d7ee748a7426952f9b852d5a935e5', path: '/hooks/github' });
      const preflight = await fetch(`${url}/hooks/github`, {
        method: 'OPTIONS',
        headers: { origin: 'https://dashboard.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://dashboard.example.com');
      // The streamed answer arrives in parts, each as the handler writes it.
      const stream = apis.find((a) => a.id === 'StreamFunctionUrl')!.url!;
      const response = await fetch(stream);
      const reader = response.body!.getReader();
      const parts: string[] = [];
      for (let read = await reader.read(); !read.done; read = await reader.read()) parts.push(Buffer.from(read.value).toString());
      expect(parts.join('')).toBe('report: start\nrows: 3\nreport: done\n');
      expect(parts.length).toBeGreaterThan(1);
      edit(root, 'webhook/app.py', '"received": True', '"received": "yes"');
      await pollUntil(`${url}/x`, (b) => b.includes('"received": "yes"'), 'the edit');
    }),
    1_500_000,
  );

  it(
    'rest-token-authorizer (a Lambda TOKEN authorizer: allowed, denied, no token; its context reaches the handler)',
    onCorpusApp('rest-token-authorizer', 'OrdersApi', async (root, url) => {
      expect(url).toMatch(/\/dev$/);
      const allowed = await fetch(`${url}/orders`, { headers: { authorization: 'team:blue' } });
      expect(await allowed.json()).toEqual({ team: 'blue', orders: ['o-1', 'o-2'], note: 'orders for your team' });
      const denied = await fetch(`${url}/orders`, { headers: { authorization: 'team:blocked' } });
      expect(denied.status).toBe(403);
      expect((await fetch(`${url}/orders`)).status).toBe(401);
      expect((await fetch(`${url}/orders`, { headers: { authorization: 'nonsense' } })).status).toBe(401);
      edit(root, 'src/orders.js', "'orders for your team'", "'orders for your team, edited'");
      const deadline = Date.now() + 60_000;
      let body = '';
      while (Date.now() < deadline && !body.includes('edited')) {
        body = await (await fetch(`${url}/orders`, { headers: { authorization: 'team:blue' } })).text();
        await new Promise((r) => setTimeout(r, 150));
      }
      expect(body).toContain('orders for your team, edited');
    }),
    1_500_000,
  );

  it(
    "http-jwt-cors (a JWT authorizer on the stack's own Cognito user pool, and CORS)",
    onCorpusApp('http-jwt-cors', 'ProfileApi', async (root, url, run) => {
      const api = new EmulatorApi(run.endpoint);
      const resources = await api.stackResources('http-jwt-cors');
      const token = await api.cognitoIdToken(resources.get('UserPool')!.physicalId, resources.get('UserPoolClient')!.physicalId, 'ana', 'Passw0rd!x');
      const withToken = { headers: { authorization: `Bearer ${token}`, origin: 'http://localhost:5173' } };
      const answer = await fetch(`${url}/profile`, withToken);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      expect(await answer.json()).toEqual({ user: 'ana', greeting: 'welcome back' });
      expect((await fetch(`${url}/profile`)).status).toBe(401);
      const preflight = await fetch(`${url}/profile`, {
        method: 'OPTIONS',
        headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-methods')).toBe('GET');
      edit(root, 'profile/app.py', '"welcome back"', '"welcome back, edited"');
      const deadline = Date.now() + 60_000;
      let body = '';
      while (Date.now() < deadline && !body.includes('edited')) {
        body = await (await fetch(`${url}/profile`, withToken)).text();
        await new Promise((r) => setTimeout(r, 150));
      }
      expect(body).toContain('welcome back, edited');
    }),
    1_500_000,
  );
});
