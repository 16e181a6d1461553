import { describe, expect, it } from 'vitest';
import { assignPorts, DEBUG_PORT_BASE, DEBUG_PORT_SPAN, launchConfigurations, mergeLaunchJson, planDebug, type DebugTarget } from '../../../src/emulator/debug.js';
import { loadTemplateModel } from '../../../src/sam/template.js';
import { readSettingsFile } from '../../../src/config/config.js';
import { parseJsoncFile } from '../../../src/config/jsonc.js';

const TEMPLATE = `
Transform: AWS::Serverless-2016-10-31
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: hello-world/, Handler: app.handler, Runtime: nodejs22.x }
  Orders:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: src\\\\orders, Handler: app.handler, Runtime: nodejs20.x }
  Report:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: report/, Handler: app.handler, Runtime: python3.12 }
  Billing:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: billing/, Handler: app::handle, Runtime: java21 }
`;

describe('debug ports', () => {
  it('a port depends on the name only, inside the range, and clashes move on in name order', () => {
    const alone = assignPorts(['Hello']);
    const withOthers = assignPorts(['Zeta', 'Hello', 'Alpha']);
    expect(withOthers.Hello).toBe(alone.Hello);
    for (const port of Object.values(withOthers)) {
      expect(port).toBeGreaterThanOrEqual(DEBUG_PORT_BASE);
      expect(port).toBeLessThan(DEBUG_PORT_BASE + DEBUG_PORT_SPAN);
    }
    expect(new Set(Object.values(assignPorts(Array.from({ length: 50 }, (_, i) => `Fn${i}`)))).size).toBe(50);
    expect(assignPorts(['Hello'], { Hello: 9300 }).Hello).toBe(9300);
    // Two projects debugging a function of the same name (sam init's HelloWorldFunction) get different ports.
    expect(assignPorts(['HelloWorldFunction'], {}, 'shop').HelloWorldFunction).not.toBe(assignPorts(['HelloWorldFunction'], {}, 'blog').HelloWorldFunction);
  });

  it('plans the named functions, says which cannot be debugged, and refuses an unknown name listing the functions', () => {
    const model = loadTemplateModel(TEMPLATE, 'template.yaml');
    const all = planDebug(model, true);
    expect(all.targets.map((t) => [t.function, t.runtime, t.protocol])).toEqual([
      ['Hello', 'nodejs22.x', 'inspector'],
      ['Orders', 'nodejs20.x', 'inspector'],
      ['Report', 'python3.12', 'debugpy'],
    ]);
    expect(all.unsupported).toEqual([{ function: 'Billing', runtime: 'java21' }]);
    expect(planDebug(model, ['Orders']).targets.map((t) => t.function)).toEqual(['Orders']);
    expect(planDebug(model, ['Orders']).targets[0]!.port).toBe(all.targets[1]!.port); // the same port whatever else is debugged
    expect(planDebug(model, ['Hello'], { Hello: 9400, Gone: 9401 }).targets[0]!.port).toBe(9400); // dsync.json's port holds with named functions
    expect(() => planDebug(model, ['Nope'])).toThrow(/Nope is not a function of template.yaml/);
  });
});

describe('VS Code launch.json', () => {
  const target = (codePath: string): DebugTarget => ({ function: 'Orders', runtime: 'nodejs22.x', port: 9301, protocol: 'inspector', codePath });

  it('maps the code folder to where the emulator runs it, for a POSIX and a Windows project path', () => {
    const [posix] = launchConfigurations([target('src/orders')]);
    expect(posix).toEqual({
      name: 'dsync: Orders',
      type: 'node',
      request: 'attach',
      address: '127.0.0.1',
      port: 9301,
      localRoot: '${workspaceFolder}/src/orders',
      remoteRoot: '/tmp/dsync-lambda/debug/Orders/task',
      restart: true,
      skipFiles: ['<node_internals>/**'],
    });
    const [windows] = launchConfigurations([target('src\\orders\\')]);
    expect(windows!.localRoot).toBe('${workspaceFolder}/src/orders');
    expect(launchConfigurations([target('')])[0]!.localRoot).toBe('${workspaceFolder}');
  });

  it('a Python function gets a debugpy attach with its path mapping', () => {
    const [python] = launchConfigurations([{ ...target('report\\'), function: 'Report', runtime: 'python3.12', protocol: 'debugpy' }]);
    expect(python).toEqual({
      name: 'dsync: Report',
      type: 'debugpy',
      request: 'attach',
      connect: { host: '127.0.0.1', port: 9301 },
      pathMappings: [{ localRoot: '${workspaceFolder}/report', remoteRoot: '/tmp/dsync-lambda/debug/Report/task' }],
      justMyCode: true,
    });
  });

  it("keeps the developer's own configurations (comments and trailing commas allowed) and replaces dsync's", () => {
    const existing = `{
  // mine
  "version": "0.2.0",
  "configurations": [
    { "name": "my tests", "type": "node", "request": "launch", "program": "\${workspaceFolder}/test.js", },
    { "name": "dsync: Old", "type": "node", "request": "attach", "port": 9999 },
  ],
}`;
    const text = mergeLaunchJson(existing, [target('src/orders')]);
    const merged = parseJsoncFile('launch.json', text).value as { configurations: Array<{ name: string; port?: number }> };
    expect(merged.configurations.map((c) => c.name)).toEqual(['my tests', 'dsync: Orders']);
    expect(merged.configurations[1]!.port).toBe(9301);
    expect(text).toContain('// mine');
    expect(() => mergeLaunchJson('{ nope', [])).toThrow(/launch.json/);
    expect(parseJsoncFile('launch.json', mergeLaunchJson(undefined, [target('')])).value).toMatchObject({ version: '0.2.0', configurations: [{ name: 'dsync: Orders' }] });
  });
});

describe('dsync.json "debug"', () => {
  it('takes true, a list of functions or ports by function, and says all three when given something else', () => {
    expect(readSettingsFile('/p/dsync.json', '{ "debug": { "Orders": 9301 } }').debug).toEqual({ Orders: 9301 });
    expect(() => readSettingsFile('/p/dsync.json', '{ "debug": "yes" }')).toThrow(
      '/p/dsync.json:1:12: "debug" must be true or false, or a list of strings, or an object mapping keys to integers, found "yes"',
    );
  });
});
