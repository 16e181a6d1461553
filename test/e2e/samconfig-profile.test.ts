// A team's samconfig names a profile of their laptops (`profile = "dev"`).
// SAM in the container must not look for it (it does not exist there, and
// botocore would then ignore the credentials dsync passes): the stack
// deploys, and a code edit goes live.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { deployOk, EmulatorRun } from '../helpers/emulator-run.js';

const example = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples/shop-api');
const root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-profile-')), 'shop-api');
fs.cpSync(example, root, { recursive: true });
fs.writeFileSync(
  path.join(root, 'samconfig.toml'),
  fs.readFileSync(path.join(root, 'samconfig.toml'), 'utf8').replace('[default.global.parameters]\n', '[default.global.parameters]\nprofile = "dev"\n'),
);
const run = new EmulatorRun(root, 'shop-api');
afterAll(() => run.cleanUp());

describe('samconfig with a profile of the host', () => {
  it('deploys and syncs code without SAM looking for that profile in the container', async () => {
    await run.start();
    expect(run.events.find((e) => e.type === 'deploy-result')).toMatchObject({ ok: true });
    const from = run.events.length;
    const handler = path.join(root, 'src/list-products/app.js');
    fs.writeFileSync(handler, fs.readFileSync(handler, 'utf8').replace(/$/, '\n// profile-test-sentinel\n'));
    await run.nextEvent(from, deployOk, 'the code edit to go live');
    expect(await run.deployedFile('ListProductsFunction', 'app.js')).toContain('profile-test-sentinel');
    expect(run.events.some((e) => String(e.line ?? '').includes('could not be found'))).toBe(false);
  }, 600_000);
});
