// The deployer with a fake SAM runner: what runs for which change, folding
// of batches that arrive during a run, and recovery after failures.
import { describe, expect, it } from 'vitest';
import { Deployer } from '../../../src/samloop/deployer.js';
import type { DsyncEvent } from '../../../src/base/reporter.js';
import { resolveTarget } from '../../../src/sam/target.js';
import type { SamRunner, StepResult } from '../../../src/sam/runner.js';

const TEMPLATE = `Resources:
  A: { Type: AWS::Serverless::Function, Properties: { CodeUri: a/, Handler: x.h, Runtime: nodejs22.x } }
  B: { Type: AWS::Serverless::Function, Properties: { CodeUri: b/, Handler: x.h, Runtime: nodejs22.x } }
`;

function harness(mode: 'aws' | 'emulator' = 'aws') {
  const calls: string[][] = [];
  const verifies: string[][] = [];
  const verdicts: Array<{ ok: boolean; checked: unknown[]; mismatches: Array<{ resource: string; what: string }> }> = [];
  const gates: Array<() => void> = [];
  const results: boolean[] = [];
  let template: string | undefined = TEMPLATE;
  const events: DsyncEvent[] = [];
  const target = resolveTarget({
    mode,
    projectName: 'p',
    templateFile: 'template.yaml',
    flags: { stackName: 's', region: 'us-east-1' },
    settings: {},
    samconfig: {},
    env: {},
  });
  const runner = {
    target,
    step: async (step: string, argv: string[]): Promise<StepResult> => {
      if (argv.some((a) => a.endsWith('/verify.py'))) {
        verifies.push(argv);
        const line = `DSYNC_VERIFY ${JSON.stringify(verdicts.shift() ?? { ok: true, checked: [], mismatches: [] })}`;
        return { ok: true, exitCode: 0, lines: [line], ms: 1, marks: { startedAt: t, endedAt: t + 1 } };
      }
      calls.push(argv);
      await new Promise<void>((r) => gates.push(r));
      const ok = results.shift() ?? true;
      return {
        ok,
        exitCode: ok ? 0 : 1,
        lines: ok ? ['DSYNC_RESULT {"ok": true}'] : ['Error: boom'],
        ms: 1,
        cause: ok ? undefined : 'boom',
        marks: { startedAt: t, endedAt: t + 1 },
      };
    },
  } as unknown as SamRunner;
  let t = 0;
  const deployer = new Deployer({
    runner,
    reporter: { event: (e) => events.push(e), progress() {}, done() {}, close() {} },
    clock: { now: () => ++t, setTimeout: () => ({ cancel() {} }), sleep: async () => {} } as never,
    readTemplate: async () => template,
    templatePath: 'template.yaml',
    infraFiles: [],
    exists: async () => true,
  });
  const release = async () => {
    while (gates.length === 0) await new Promise((r) => setTimeout(r, 1));
    gates.shift()!();
    await new Promise((r) => setTimeout(r, 1));
  };
  return { deployer, calls, verifies, verdicts, events, results, release, setTemplate: (s: string | undefined) => (template = s) };
}

const ids = (argv: string[]) => argv.flatMap((a, i) => (argv[i - 1] === '--resource-id' ? [a] : []));

describe('Deployer', () => {
  it('deploys the stack first, then syncs only the functions a change touches', async () => {
    const h = harness();
    h.deployer.requestInfra(0);
    await h.release();
    expect(h.calls[0]!.slice(0, 3)).toEqual(['sam', 'sync', '--template-file']);
    h.deployer.notify(['a/app.js'], 1);
    await h.release();
    await h.deployer.idle();
    expect(ids(h.calls[1]!)).toEqual(['A']);
    h.deployer.notify(['README.md'], 2);
    await h.deployer.idle();
    expect(h.calls).toHaveLength(2);
  });

  it('folds batches that arrive during a run into one next run', async () => {
    const h = harness();
    h.deployer.notify(['a/1.js'], 1);
    while (h.calls.length === 0) await new Promise((r) => setTimeout(r, 1));
    h.deployer.notify(['b/1.js'], 2);
    h.deployer.notify(['a/2.js'], 3);
    h.deployer.notify(['b/2.js'], 4);
    await h.release();
    await h.release();
    await h.deployer.idle();
    expect(h.calls.map(ids)).toEqual([['A'], ['A', 'B']]);
    expect(h.events.filter((e) => e.type === 'deploy-result').map((e) => e.seq)).toEqual([1, 4]);
  });

  it('redeploys the stack on the next change after a failed stack deploy', async () => {
    const h = harness();
    h.results.push(false);
    h.deployer.requestInfra(0);
    await h.release();
    await h.deployer.idle();
    expect(h.events.find((e) => e.type === 'deploy-result')).toMatchObject({ ok: false, cause: 'boom' });
    h.deployer.notify(['a/app.js'], 1);
    await h.release();
    await h.deployer.idle();
    expect(h.calls[1]).not.toContain('--code');
  });

  it('keeps routing code with the last good template while the template is broken', async () => {
    const h = harness();
    h.deployer.requestInfra(0);
    await h.release();
    await h.deployer.idle();
    h.setTemplate('Resources:\n  A: [broken');
    h.deployer.notify(['template.yaml'], 1);
    await h.deployer.idle();
    expect(h.events.find((e) => e.type === 'error')?.message).toMatch(/not valid YAML/);
    // The broken save itself is not live: ✖ with the template's error, not "✔ no resource affected".
    expect(h.events.find((e) => e.type === 'live' && e.seq === 1)).toMatchObject({ ok: false, kind: 'infra', cause: expect.stringMatching(/not valid YAML/) });
    h.deployer.notify(['b/x.js'], 2);
    await h.release();
    await h.deployer.idle();
    expect(ids(h.calls[1]!)).toEqual(['B']);
    h.setTemplate(TEMPLATE);
    h.deployer.notify(['template.yaml'], 3);
    await h.release();
    await h.deployer.idle();
    expect(h.calls[2]).not.toContain('--code');
  });

  it('in emulator mode deploys through the same `sam sync` as real AWS, at the emulator', async () => {
    const h = harness('emulator');
    h.deployer.requestInfra(0);
    await h.release();
    await h.deployer.idle();
    expect(h.calls).toHaveLength(1);
    expect(h.calls[0]!.slice(0, 2)).toEqual(['sam', 'sync']);
    expect(h.calls[0]).not.toContain('--code');
    expect(h.calls[0]).toEqual(expect.arrayContaining(['--s3-bucket', 'dsync-artifacts', '--no-dependency-layer']));
    expect(h.events.find((e) => e.type === 'deploy-result')).toMatchObject({ ok: true, kind: 'infra' });
    // and checks what the emulator holds before it says live
    expect(h.verifies).toHaveLength(1);
    expect(h.verifies[0]!.slice(1, 6)).toEqual(['/dsync/tools/sam-tools/verify.py', '--stack', 's', '--template', 'template.yaml']);
  });

  it('in emulator mode says ✖ with what differs when the emulator does not hold what was built', async () => {
    const h = harness('emulator');
    h.verdicts.push({ ok: false, checked: [], mismatches: [{ resource: 'A', what: 'deployed code differs: app.js' }] });
    h.deployer.notify(['a/app.js'], 1);
    await h.release();
    await h.deployer.idle();
    const live = h.events.find((e) => e.type === 'live');
    expect(live).toMatchObject({ ok: false, cause: 'A: deployed code differs: app.js' });
    expect(String(live?.message)).toMatch(/^✖ #1 A not live: A: deployed code differs: app.js/);
  });

  it('reports every batch live exactly once, in order, with its stages', async () => {
    const h = harness();
    h.deployer.requestInfra(0);
    await h.release();
    await h.deployer.idle();
    h.deployer.notify(['a/1.js'], 1, { firstEventAt: 100, transferStartedAt: 110, syncedAt: 130 });
    while (h.calls.length < 2) await new Promise((r) => setTimeout(r, 1));
    // While A builds: an unowned file, a change to B, an empty batch.
    h.deployer.notify(['README.md'], 2);
    h.deployer.notify(['b/1.js'], 3);
    h.deployer.notify([], 4);
    await h.release();
    await h.release();
    await h.deployer.idle();
    h.deployer.notify(['notes.txt'], 5);
    await h.deployer.idle();
    const live = h.events.filter((e) => e.type === 'live');
    expect(live.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(live.map((e) => e.kind)).toEqual(['infra', 'code', 'code', 'code', 'code', 'none']);
    expect(live[1]).toMatchObject({ resources: ['A'], ok: true, stages: { detectMs: 10, syncMs: 20 } });
    // The edit made during A's build was deployed by the next run, which covered batches 2-4.
    expect(live[3]).toMatchObject({ resources: ['B'] });
    expect(h.calls.map(ids)).toEqual([[], ['A'], ['B']]);
    expect(String(live[1]!.message)).toMatch(/^✔ #1 A live in .* \(sync 20 ms · build .* · update .*\)$/);
    expect(live[5]!.message).toBe('✔ #5 synced in 0 ms (no resource affected)');
    expect(live[4]!.message).toBeDefined();
  });
});
