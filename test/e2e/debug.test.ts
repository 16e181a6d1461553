// Issue 25 end to end: `dsync up --emulator --debug` on the sam-init-shaped
// hello-world-rest app, and a real debugger client (the Chrome DevTools
// Protocol over a WebSocket, as VS Code speaks it; no editor): attach on the
// port `dsync status` lists, set a breakpoint by the file's path, send the
// API request, see it pause with the expected value, resume and get the
// answer; then save an edit, reattach on the same port (VS Code's restart)
// and pause in the new code.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cdp, cdpTargets, type CdpTarget } from '../helpers/cdp.js';
import { cliRun, EmulatorRun } from '../helpers/emulator-run.js';
import { until } from '../helpers/until.js';
import { generatedFor, inlineMap } from '../helpers/source-map.js';
import { Dap } from '../helpers/dap.js';

const apps = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/apps');
const fixture = path.join(apps, 'hello-world-rest');
const RETURN_LINE = 16; // 0-based: `return response;` in hello-world/app.mjs

describe('hello-world-rest under the debugger: breakpoints by file path, across a save', () => {
  const root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-debug-')), 'hello-world-rest');
  fs.cpSync(fixture, root, { recursive: true });
  const run = new EmulatorRun(root, 'hello-world-rest');
  let port = 0;
  let url = '';
  let remoteRoot = '';

  beforeAll(async () => {
    await run.start(['--debug']);
    const status = JSON.parse(cliRun(['status', '--json', '--cwd', root]).stdout) as {
      debug?: Array<{ function: string; port: number; protocol: string }>;
      apis?: Array<{ id: string; url: string }>;
    };
    const entry = status.debug?.find((d) => d.function === 'HelloWorldFunction');
    expect(entry).toMatchObject({ protocol: 'inspector' });
    port = entry!.port;
    url = `${status.apis!.find((a) => a.id === 'ServerlessRestApi')!.url}/hello`;
    const vscode = cliRun(['debug', '--vscode', '--cwd', root]);
    expect(vscode.code, vscode.stderr).toBe(0);
    const launch = JSON.parse(fs.readFileSync(path.join(root, '.vscode/launch.json'), 'utf8')) as { configurations: Array<Record<string, unknown>> };
    const config = launch.configurations.find((c) => c.name === 'dsync: HelloWorldFunction')!;
    expect(config).toMatchObject({ port, localRoot: '${workspaceFolder}/hello-world', restart: true });
    remoteRoot = String(config.remoteRoot);
  }, 1_500_000);
  afterAll(() => run.cleanUp());

  /** Attach as VS Code does, break on `return response;` by the file's path, send the request, read the message there. */
  async function pauseOnce(previous?: string): Promise<{ seen: unknown; answer: unknown; target: CdpTarget }> {
    const [target] = await until(
      'the debugger target',
      async () => {
        const found = await cdpTargets(port);
        return found?.length && found[0]!.id !== previous ? found : undefined;
      },
      60_000,
    );
    expect(target!.webSocketDebuggerUrl).toContain(`127.0.0.1:${port}/`);
    const cdp = await Cdp.connect(target!.webSocketDebuggerUrl);
    await cdp.call('Debugger.enable');
    await cdp.call('Debugger.setBreakpointByUrl', { url: `file://${remoteRoot}/app.mjs`, lineNumber: RETURN_LINE });
    const request = fetch(url).then(async (r) => ({ status: r.status, body: (await r.json()) as unknown }));
    const paused = (await cdp.waitFor('Debugger.paused')) as { callFrames: Array<{ callFrameId: string; location: { scriptId: string } }> };
    expect(cdp.scriptUrl(paused.callFrames[0]!.location.scriptId)).toBe(`file://${remoteRoot}/app.mjs`);
    const value = await cdp.call('Debugger.evaluateOnCallFrame', { callFrameId: paused.callFrames[0]!.callFrameId, expression: 'JSON.parse(response.body).message' });
    await new Promise((r) => setTimeout(r, 4_000)); // longer than the function's Timeout (3 s): a paused function is not killed
    await cdp.call('Debugger.resume');
    const answer = await request;
    cdp.close();
    return { seen: (value.result as { value: unknown }).value, answer, target: target! };
  }

  it('pauses the API request at a breakpoint set by file path, past the Timeout, and answers when resumed', async () => {
    const first = await pauseOnce();
    expect(first.seen).toBe('hello world');
    expect(first.answer).toMatchObject({ status: 200, body: { message: 'hello world' } });

    const from = run.events.length;
    const file = path.join(root, 'hello-world/app.mjs');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace("message: 'hello world'", "message: 'hello debugger'"));
    await run.until('the edit live', () => run.events.slice(from).find((e) => e.type === 'live'), 180_000);
    const second = await pauseOnce(first.target.id);
    expect(second.seen).toBe('hello debugger');
    expect(second.answer).toMatchObject({ status: 200, body: { message: 'hello debugger' } });
  }, 400_000);

  it('status lists the port; --debug without --emulator is a clear error', () => {
    const status = cliRun(['status', '--cwd', root]);
    expect(status.stdout).toMatch(new RegExp(`debug +HelloWorldFunction \\(nodejs\\d+\\.x\\): Node.js inspector on 127.0.0.1:${port}`));
    const refused = cliRun(['up', '--debug', '--cwd', root]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--debug needs --emulator/);
  });
});

describe('ts-esbuild-stats under the debugger: a breakpoint in the .ts file binds through the source map', () => {
  const root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-debug-ts-')), 'ts-esbuild-stats');
  fs.cpSync(path.join(apps, 'ts-esbuild-stats'), root, { recursive: true });
  const run = new EmulatorRun(root, 'ts-esbuild-stats');
  beforeAll(() => run.start(['--debug']), 1_500_000);
  afterAll(() => run.cleanUp());

  it('maps src/stats/app.ts through localRoot/remoteRoot and the inline map, pauses there, reads a local', async () => {
    const status = JSON.parse(cliRun(['status', '--json', '--cwd', root]).stdout) as { debug: Array<{ port: number }>; apis: Array<{ id: string; url: string }> };
    const port = status.debug[0]!.port;
    expect(cliRun(['debug', '--vscode', '--cwd', root]).code).toBe(0);
    const config = (JSON.parse(fs.readFileSync(path.join(root, '.vscode/launch.json'), 'utf8')) as { configurations: Array<Record<string, string>> }).configurations[0]!;
    // The host file, as an editor holds it, to the path the function runs it from: localRoot -> remoteRoot.
    const hostFile = path.join(root, 'src/stats/app.ts');
    const localRoot = config.localRoot!.replace('${workspaceFolder}', root);
    const remoteSource = `${config.remoteRoot}/${path.relative(localRoot, hostFile).split(path.sep).join('/')}`;
    const [target] = await until('the debugger target', async () => ((await cdpTargets(port))?.length ? await cdpTargets(port) : undefined));
    const cdp = await Cdp.connect(target!.webSocketDebuggerUrl);
    await cdp.call('Debugger.enable');
    const script = await until('app.js parsed', async () => {
      const parsed = cdp.parsedScripts().find((p) => p.url === `file://${config.remoteRoot}/app.js`);
      return parsed;
    });
    const at = generatedFor(inlineMap(script.sourceMapURL), remoteSource, 33); // 0-based: `return {` after the summary
    expect(at).toBeDefined();
    await cdp.call('Debugger.setBreakpointByUrl', { url: script.url, lineNumber: at!.line, columnNumber: at!.column });
    const request = fetch(`${status.apis.find((a) => a.id === 'ServerlessHttpApi')!.url}/stats?samples=4,8,15`).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as unknown,
    }));
    const paused = (await cdp.waitFor('Debugger.paused')) as { callFrames: Array<{ callFrameId: string }> };
    const value = await cdp.call('Debugger.evaluateOnCallFrame', { callFrameId: paused.callFrames[0]!.callFrameId, expression: 'samples.length' });
    expect((value.result as { value: unknown }).value).toBe(3);
    await cdp.call('Debugger.resume');
    expect(await request).toMatchObject({ status: 200, body: { service: 'stats-v1' } });
    cdp.close();
  });
});

describe('python-hello under debugpy: a breakpoint by file path stops the API request', () => {
  const root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-debug-py-')), 'python-hello');
  fs.cpSync(path.join(apps, 'python-hello'), root, { recursive: true });
  const run = new EmulatorRun(root, 'python-hello');
  beforeAll(() => run.start(['--debug']), 1_500_000);
  afterAll(() => run.cleanUp());

  it('attaches over DAP, stops at hello_world/app.py mapped through pathMappings, reads a local, continues', async () => {
    const status = JSON.parse(cliRun(['status', '--json', '--cwd', root]).stdout) as { debug: Array<{ port: number; protocol: string }>; apis: Array<{ id: string; url: string }> };
    expect(status.debug[0]).toMatchObject({ protocol: 'debugpy' });
    expect(cliRun(['debug', '--vscode', '--cwd', root]).code).toBe(0);
    const config = (JSON.parse(fs.readFileSync(path.join(root, '.vscode/launch.json'), 'utf8')) as { configurations: Array<Record<string, unknown>> }).configurations[0]!;
    const [mapping] = config.pathMappings as Array<{ localRoot: string; remoteRoot: string }>;
    const hostFile = path.join(root, 'hello_world/app.py');
    const remoteFile = `${mapping!.remoteRoot}/${path.relative(mapping!.localRoot.replace('${workspaceFolder}', root), hostFile).split(path.sep).join('/')}`;

    const dap = await until('debugpy on the port', () => Dap.connect((config.connect as { port: number }).port), 60_000);
    await dap.call('initialize', { adapterID: 'debugpy', clientID: 'dsync-e2e', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
    const attach = dap.send('attach', { justMyCode: true });
    await dap.event('initialized');
    const set = await dap.call('setBreakpoints', { source: { path: remoteFile }, breakpoints: [{ line: 9 }] }); // `return {`
    expect((set.breakpoints as Array<{ verified: boolean }>)[0]!.verified).toBe(true);
    await dap.call('configurationDone');
    await dap.response(attach);

    const request = fetch(`${status.apis.find((a) => a.id === 'ServerlessRestApi')!.url}/hello`).then(async (r) => ({ status: r.status, body: (await r.json()) as unknown }));
    const stopped = await dap.event('stopped');
    const [frame] = (await dap.call('stackTrace', { threadId: stopped.threadId })).stackFrames as Array<{ id: number; line: number; source: { path: string } }>;
    expect(frame).toMatchObject({ line: 9, source: { path: remoteFile } });
    const [locals] = (await dap.call('scopes', { frameId: frame!.id })).scopes as Array<{ variablesReference: number }>;
    const variables = (await dap.call('variables', { variablesReference: locals!.variablesReference })).variables as Array<{ name: string; value: string }>;
    expect(variables.find((v) => v.name === 'greeting')?.value).toBe("'hello world'");
    await dap.call('continue', { threadId: stopped.threadId });
    expect(await request).toMatchObject({ status: 200, body: { message: 'hello world' } });
    dap.close();
  });
});
