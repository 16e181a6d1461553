// The fast loop, end to end against real SAM and moto: the fast path (the
// long-lived SAM worker) deploys exactly what a plain `sam build` makes, a
// burst of 500 file events on 3 functions costs 3 builds, and every batch is
// reported live exactly once, in order.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliRun, EmulatorRun, freshBuildListing, REGION, zipListing } from '../helpers/emulator-run.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-loop-e2e-'));
const run = new EmulatorRun(root, 'shop-api');
const { events, until, quiet, deployedZip } = run;

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  fs.cpSync(path.resolve(here, '../../examples/shop-api'), root, { recursive: true, filter: (p) => !/node_modules|\.aws-sam/.test(p) });
  await run.start();
}, 900_000);

afterAll(async () => {
  await run.cleanUp();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('the fast loop', () => {
  it('deploys through the fast path exactly what a plain `sam build` makes, for each function kind', async () => {
    const edits: Array<[string, string, string]> = [
      ['ListProductsFunction', 'src/list-products/catalog.js', "'Trail shoes'"],
      ['OrderStatsFunction', 'src/order-stats/stats.ts', 'let items = 0;'],
      ['HealthFunction', 'src/health/app.js', 'ok: true'],
    ];
    for (const [id, file, anchor] of edits) {
      const marker = `fastpath-${id}`;
      const p = path.join(root, file);
      const text = fs.readFileSync(p, 'utf8');
      const replacement = anchor.startsWith("'") ? `'${marker}'` : anchor === 'ok: true' ? `ok: '${marker}'` : `let items = 0; const m = '${marker}'; void m;`;
      fs.writeFileSync(p, text.replace(anchor, replacement));
      await until(`${id} with the edit`, async () => [...(await deployedZip(id)).values()].some((b) => b.toString('utf8').includes(marker)));
    }
    await quiet();
    // The same template built by a fresh `sam build` process (no worker, no cache) in another folder.
    const plain = cliRun([
      'exec',
      '--cwd',
      root,
      '--',
      'sh',
      '-c',
      'rm -rf /tmp/plain && sam build --template-file template.yaml --build-dir /tmp/plain >/tmp/plain.log 2>&1 || { tail -20 /tmp/plain.log; exit 1; }',
    ]);
    expect(plain.code, plain.stdout + plain.stderr).toBe(0);
    for (const [id] of edits) {
      const listing = cliRun([
        'exec',
        '--cwd',
        root,
        '--',
        'sh',
        '-c',
        `cd /tmp/plain/${id} && find . -type f | sort | while read -r f; do echo "$(sha256sum "$f" | cut -d' ' -f1) \${f#./}"; done`,
      ]);
      expect(listing.code).toBe(0);
      const built = listing.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(' ').reverse().join(' '))
        .sort();
      const deployed = [...(await deployedZip(id)).entries()].map(([name, b]) => `${name} ${sha(b)}`).sort();
      expect(deployed, id).toEqual(built);
    }
  });

  it("takes dsync's npm shortcut for source edits, and still deploys exactly what `sam build` makes: a new file, an edit, a rename, a removal, a file npm pack excludes", async () => {
    const dir = path.join(root, 'src/list-products');
    /** Make a change, wait until everything it caused is live, and return the events it caused. */
    const change = async (what: string, act: () => void) => {
      await quiet();
      const from = events.length;
      act();
      await until(what, () => events.slice(from).some((e) => e.type === 'live' && (e.resources as string[] | undefined)?.includes('ListProductsFunction')));
      await quiet();
      const caused = events.slice(from);
      const failed = caused.find((e) => e.type === 'live' && e.ok !== true);
      expect(failed, `${what}: ${String(failed?.cause)}`).toBeUndefined();
      return {
        viaShortcut: caused.some((e) => e.type === 'build-finished' && e.shortcut === true),
        skipped: caused.filter((e) => e.type === 'shortcut-skipped').map((e) => String(e.why)),
      };
    };
    const added = await change('a new file', () => fs.writeFileSync(path.join(dir, 'extra.js'), "exports.extra = 'one';\n"));
    expect(added.viaShortcut).toBe(false);
    expect(added.skipped.join(' ')).toContain('extra.js is new');
    expect((await change('an edit of it', () => fs.writeFileSync(path.join(dir, 'extra.js'), "exports.extra = 'two';\n"))).viaShortcut).toBe(true);
    expect((await deployedZip('ListProductsFunction')).get('extra.js')?.toString('utf8')).toBe("exports.extra = 'two';\n");
    await change('a rename', () => fs.renameSync(path.join(dir, 'extra.js'), path.join(dir, 'extra-renamed.js')));
    const renamed = await deployedZip('ListProductsFunction');
    expect(renamed.has('extra.js')).toBe(false);
    expect(renamed.get('extra-renamed.js')?.toString('utf8')).toBe("exports.extra = 'two';\n");
    expect((await change('a removal', () => fs.rmSync(path.join(dir, 'extra-renamed.js')))).viaShortcut).toBe(true);
    expect((await deployedZip('ListProductsFunction')).has('extra-renamed.js')).toBe(false);
    // A removed folder arrives as its one path: all of it leaves the artifact.
    await change('a new folder', () => {
      fs.mkdirSync(path.join(dir, 'lib/deep'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'lib/deep/helper.js'), 'exports.h = 1;\n');
    });
    expect((await deployedZip('ListProductsFunction')).has('lib/deep/helper.js')).toBe(true);
    await change('the folder removed', () => fs.rmSync(path.join(dir, 'lib'), { recursive: true }));
    expect([...(await deployedZip('ListProductsFunction')).keys()].filter((k) => k.startsWith('lib/'))).toEqual([]);
    // npm pack leaves out what .npmignore names: the shortcut never guesses that, SAM decides.
    await change('an .npmignore', () => fs.writeFileSync(path.join(dir, '.npmignore'), 'notes.md\n'));
    await change('a file it excludes', () => fs.writeFileSync(path.join(dir, 'notes.md'), '# not packed\n'));
    expect((await deployedZip('ListProductsFunction')).has('notes.md')).toBe(false);
    const excludedEdit = await change('an edit of the excluded file', () => fs.writeFileSync(path.join(dir, 'notes.md'), '# still not packed\n'));
    expect(excludedEdit.viaShortcut).toBe(false);
    expect(excludedEdit.skipped).not.toEqual([]);
    expect((await deployedZip('ListProductsFunction')).has('notes.md')).toBe(false);
    const catalog = path.join(dir, 'catalog.js');
    const original = fs.readFileSync(catalog, 'utf8');
    expect((await change('an edit of a packed file', () => fs.appendFileSync(catalog, '// shortcut edit\n'))).viaShortcut).toBe(true);
    // Undone together with a template change: the stack deploy's package equals the one the stack saw before
    // the shortcut's update, and the function must still end up with the undone file.
    await change('the edit undone with a template edit', () => {
      fs.writeFileSync(catalog, original);
      const template = path.join(root, 'template.yaml');
      fs.writeFileSync(template, fs.readFileSync(template, 'utf8').replace('Timeout: 10', 'Timeout: 11'));
    });
    expect((await deployedZip('ListProductsFunction')).get('catalog.js')?.toString('utf8')).toBe(original);
    expect((await change('an edit of a packed file again', () => fs.appendFileSync(catalog, '// shortcut edit\n'))).viaShortcut).toBe(true);
    const zip = await deployedZip('ListProductsFunction');
    expect(zip.has('notes.md')).toBe(false);
    expect(zip.has('extra.js') || zip.has('extra-renamed.js')).toBe(false);
    expect(zipListing(zip)).toEqual(freshBuildListing(root, 'template.yaml', 'ListProductsFunction'));
  });

  it('turns a burst of 500 file events on 3 functions into exactly 3 function builds', async () => {
    await quiet();
    const from = events.length;
    const dirs = ['src/list-products/data', 'src/get-product/data', 'src/create-order/data'];
    for (const d of dirs) fs.mkdirSync(path.join(root, d), { recursive: true });
    for (let i = 0; i < 500; i++) fs.writeFileSync(path.join(root, dirs[i % 3]!, `item-${i}.json`), JSON.stringify({ i }));
    await until('the burst to be live', async () => {
      const zip = await deployedZip('CreateOrderFunction');
      return (
        zip.has('data/item-497.json') &&
        (await deployedZip('ListProductsFunction')).has('data/item-498.json') &&
        (await deployedZip('GetProductFunction')).has('data/item-499.json')
      );
    });
    await quiet();
    const builds = events.slice(from).filter((e) => e.type === 'sam-output' && /^Building codeuri: /.test(String(e.line)));
    const built = builds.map((e) => /functions: (\w+)/.exec(String(e.line))?.[1]).sort();
    expect(built).toEqual(['CreateOrderFunction', 'GetProductFunction', 'ListProductsFunction']);
  });

  it('reported every batch of the run live exactly once, in order', () => {
    const seqs = events.filter((e) => e.type === 'live').map((e) => e.seq as number);
    expect(seqs.length).toBeGreaterThan(3);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    const synced = events.filter((e) => e.type === 'sync').map((e) => e.seq as number);
    for (const s of synced) expect(seqs).toContain(s);
  });

  it("shows the run's changes and their p50/p95 in `dsync status`", () => {
    const status = JSON.parse(cliRun(['status', '--json', '--cwd', root]).stdout) as {
      changes: { count: number; p50Ms: number; last: Array<{ seq: number }> };
    };
    expect(status.changes.count).toBeGreaterThanOrEqual(4);
    expect(status.changes.p50Ms).toBeGreaterThan(0);
    const human = cliRun(['status', '--cwd', root]).stdout;
    expect(human).toMatch(/changes {4}\d+ live since .*: p50 \d+\.\d\d s, p95 \d+\.\d\d s/);
  });

  it("prints a function's runtime logs with `dsync logs`", () => {
    // Write a log line into the emulator the way Lambda would, then read it back through sam logs.
    const put = cliRun([
      'exec',
      '--cwd',
      root,
      '--',
      'sh',
      '-c',
      `AWS_ENDPOINT_URL=http://localhost:5000 AWS_ACCESS_KEY_ID=t AWS_SECRET_ACCESS_KEY=t AWS_DEFAULT_REGION=${REGION} /opt/sam/bin/python -c "
import boto3, time
fn = [f['FunctionName'] for f in boto3.client('lambda').list_functions()['Functions'] if 'GetProduct' in f['FunctionName']][0]
logs = boto3.client('logs'); g = '/aws/lambda/' + fn
logs.create_log_group(logGroupName=g); logs.create_log_stream(logGroupName=g, logStreamName='s1')
logs.put_log_events(logGroupName=g, logStreamName='s1', logEvents=[{'timestamp': int(time.time() * 1000), 'message': 'e2e-log-line-42'}])"`,
    ]);
    expect(put.code, put.stderr).toBe(0);
    const logs = cliRun(['logs', 'GetProductFunction', '--no-tail', '--cwd', root]);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toContain('e2e-log-line-42');
  });

  it('recreates a removed container, restarts the emulator, redeploys, and the next edit goes live', async () => {
    await quiet();
    const before = JSON.parse(cliRun(['status', '--json', '--cwd', root]).stdout) as { container: { id: string } };
    const removed = spawnSync('docker', ['rm', '-f', before.container.id], { encoding: 'utf8' });
    expect(removed.status, removed.stderr).toBe(0);
    const p = path.join(root, 'src/get-product/app.js');
    fs.writeFileSync(p, fs.readFileSync(p, 'utf8').replace(/'get-v1'|'get-after-recreate'/, "'get-after-recreate'"));
    await until('the container to be recreated', () => events.find((e) => e.type === 'container-recreated'));
    await until('a new container with its endpoint', () => {
      const s = run.refreshEndpoint();
      return s.container && s.container.id !== before.container.id && s.endpoint;
    });
    await until('the edit live in the new emulator', async () => (await deployedZip('GetProductFunction')).get('app.js')?.toString('utf8').includes('get-after-recreate'), 180_000);
  });
});
