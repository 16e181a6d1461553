// The real-AWS path end to end: `dsync up --endpoint-url http://localhost:PORT`
// with credentials from the environment runs SAM's unmodified flow (sam sync
// with its confirmation prompt, SAM's managed artifact stack through
// CloudFormation change sets, the SAM transform done by the endpoint as
// CloudFormation does it, then `sam sync --code`). The endpoint is dsync's
// emulator listening on this machine's loopback (published on 127.0.0.1
// only), so the container reaches it through dsync's reverse tunnel.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startUp, type UpProcess } from '../helpers/cli.js';
import { EmulatorApi } from '../helpers/emulator-api.js';
import { startEndpointEmulator, type EndpointEmulator } from '../helpers/emulator-endpoint.js';
import { cliRun, SAM_BASE } from '../helpers/emulator-run.js';
import { engineClient } from '../helpers/real-docker.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const app = path.resolve(here, '../fixtures/apps/hello-world-rest');

describe('the real-AWS path against an endpoint on this machine', () => {
  const client = engineClient();
  let port = 0;
  let up: UpProcess | undefined;
  const root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-real-path-')), 'hello-world-rest');
  fs.cpSync(app, root, { recursive: true });
  // A team's samconfig with a stack name and no bucket: SAM resolves its managed artifact stack.
  fs.writeFileSync(path.join(root, 'samconfig.toml'), 'version = 0.1\n[default.global.parameters]\nstack_name = "hello-real"\nregion = "us-east-1"\n');
  const env = {
    AWS_ACCESS_KEY_ID: 'AKIAREALPATH',
    AWS_SECRET_ACCESS_KEY: 'real-path-secret',
    AWS_SESSION_TOKEN: '',
    AWS_PROFILE: '',
    AWS_REGION: 'us-east-1',
    DSYNC_SAM_BASE_IMAGE: SAM_BASE,
  };

  let emulator: EndpointEmulator | undefined;
  beforeAll(async () => {
    emulator = await startEndpointEmulator(client, 'dsync-endpoint');
    port = emulator.port;
  }, 300_000);
  afterAll(async () => {
    await up?.stop();
    runCli(['down', '--purge', '--cwd', root]);
    await emulator?.stop();
  });

  it('deploys through sam sync, answering its confirmation prompt, and a code edit goes live', async () => {
    up = startUp(['--endpoint-url', `http://localhost:${port}`, '--cwd', root, '--image', cliRun(['image', '--base', SAM_BASE]).stdout.trim()], env);
    const first = await up.waitFor('live', 600_000);
    expect(first, String(first.cause)).toMatchObject({ ok: true, kind: 'infra' });
    const lines = up.events.filter((e) => e.type === 'sam-output').map((e) => String(e.line));
    expect(lines.some((l) => l.includes('Confirm that you are synchronizing a development stack'))).toBe(true);
    expect(lines.some((l) => /managed.*stack|aws-sam-cli-managed-default/i.test(l))).toBe(true);

    const api = new EmulatorApi(`http://127.0.0.1:${port}`);
    // A stack per developer: samconfig's name plus who the credentials are (moto's STS calls an unknown key "moto").
    const stack = String(up.events.find((e) => e.type === 'stack-choice')?.stackName);
    expect(stack).toBe('hello-real-moto');
    expect(await api.stackStatus(stack)).toMatch(/_COMPLETE$/);
    expect(await api.stackStatus('aws-sam-cli-managed-default')).toMatch(/_COMPLETE$/);
    const resources = await api.stackResources(stack);
    const rest = await api.restApi(resources.get('ServerlessRestApi')!.physicalId);
    expect(rest.routes).toContain('GET /hello');
    expect(rest.stages).toContain('Prod');

    const handler = path.join(root, 'hello-world/app.mjs');
    const from = up.events.length;
    fs.writeFileSync(handler, fs.readFileSync(handler, 'utf8').replace("message: 'hello world'", "message: 'hello over the tunnel'"));
    const deadline = Date.now() + 120_000;
    let live: Record<string, unknown> | undefined;
    while (!live && Date.now() < deadline) {
      live = up.events.slice(from).find((e) => e.type === 'live' && e.kind === 'code');
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(live, up.stderr).toMatchObject({ ok: true });
    const zip = await api.functionZip(resources.get('HelloWorldFunction')!.physicalId);
    expect(zip.get('app.mjs')?.toString('utf8')).toContain('hello over the tunnel');
    expect(await up.stop()).toBe(0);
  }, 900_000);

  it('says so in one line when nothing answers at the loopback endpoint', () => {
    const r = runCli(['up', '--endpoint-url', 'http://localhost:1', '--cwd', root], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Nothing answers at localhost:1 on this machine');
    expect(r.stderr).toContain('hint:');
  });
});
