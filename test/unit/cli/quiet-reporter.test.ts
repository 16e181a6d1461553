// Issue 13's quiet terminal: on a TTY, a successful edit prints its result
// line and nothing else (SAM's chatter goes into the spinner's text), and a
// failing build prints the ✖ line with the SAM lines that explain it.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { DsyncEvent, Reporter } from '../../../src/base/reporter.js';
import { createOraReporter } from '../../../src/cli/ora-reporter.js';
import { createQuietReporter } from '../../../src/cli/quiet-reporter.js';

const LIVE = '✔ #3 ListProductsFunction live in 0.9 s (sync 4 ms · build 0.7 s · update 120 ms)';
const FAILED = '✖ #4 ListProductsFunction not live: Build Failed';

function successfulEdit(r: Reporter): void {
  r.event({ type: 'sync', seq: 3, message: '#3 sent 1 (2.1 KiB) in 4 ms' });
  r.progress('#3 building and updating ListProductsFunction');
  r.event({ type: 'deploy-started', seq: 3, kind: 'code', resources: ['ListProductsFunction'] });
  r.event({ type: 'build-started', seq: 3, resources: ['ListProductsFunction'] });
  for (const line of [
    'Building codeuri: /home/ana/shop/src/list-products runtime: nodejs22.x',
    ' Running NodejsNpmBuilder:NpmPack',
    ' Running NodejsNpmBuilder:CopySource',
    'Uploading to 5d41402a  1290 / 1290  (100.00%)',
    'Finished syncing Lambda Function ListProductsFunction.',
  ]) {
    r.event({ type: 'sam-output', step: 'sync', line, message: `  sync │ ${line}` });
  }
  r.event({ type: 'build-finished', seq: 3, ok: true, ms: 700 });
  r.event({ type: 'verified', seq: 3, ok: true, mismatches: [] });
  r.event({ type: 'deploy-result', seq: 3, ok: true, kind: 'code', resources: ['ListProductsFunction'] });
  r.event({ type: 'live', seq: 3, ok: true, message: LIVE });
}

function failingBuild(r: Reporter): void {
  r.progress('#4 building and updating ListProductsFunction');
  r.event({ type: 'deploy-started', seq: 4, kind: 'code', resources: ['ListProductsFunction'] });
  const lines = [
    ' Running NodejsNpmBuilder:NpmPack',
    ' Running NodejsNpmBuilder:NpmInstall',
    'Build Failed',
    'Error: NodejsNpmBuilder:NpmInstall - NPM Failed: npm error code ETARGET',
    'npm error notarget No matching version found for left-pad@99.0.0.',
    ' Running cleanup',
    'Traceback (most recent call last):',
    '  File "/opt/sam/lib/python3.11/site-packages/samcli/lib/sync/sync_flow_executor.py", line 352, in _sync_flow_execute_wrapper',
    '    raise BuildError(wrapped_from=ex.__class__.__name__, msg=str(ex)) from ex',
    'An unexpected error was encountered while executing "sam sync".',
    'https://github.com/aws/aws-sam-cli/issues?q=is%3Aissue+is%3Aopen+Bug%3A%20sam%20sync%20-%20BuildError',
  ];
  for (const line of lines) r.event({ type: 'sam-output', step: 'sync', line, message: `  sync │ ${line}` });
  r.event({
    type: 'deploy-result',
    seq: 4,
    ok: false,
    level: 'error',
    message: '#4 ListProductsFunction failed after 2.0 s: Build Failed (fix it and save; dsync retries on the next change)',
  });
  r.event({ type: 'live', seq: 4, ok: false, level: 'error', message: FAILED });
}

/** What a person sees on a terminal: ANSI codes and spinner frames taken out, each line as it ends up. */
function screenLines(raw: string): string[] {
  const text = raw.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
  return text
    .split('\n')
    .map((l) => l.slice(l.lastIndexOf('\r') + 1))
    .filter((l) => l.trim() !== '' && !/^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/.test(l));
}

function fakeTty(): { stream: NodeJS.WriteStream; output: () => string } {
  let raw = '';
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      raw += String(chunk);
      callback();
    },
  }) as unknown as NodeJS.WriteStream;
  // A terminal's line editing, as ora drives it: going to column 0 or clearing the line starts the line afresh.
  const fresh = () => {
    raw += '\r';
    return true;
  };
  Object.assign(stream, { isTTY: true, columns: 100, rows: 30, cursorTo: fresh, moveCursor: () => true, clearLine: fresh });
  return { stream, output: () => raw };
}

describe('the quiet terminal', () => {
  it('shows a successful edit on a TTY as its result line only (and spinner frames)', () => {
    const tty = fakeTty();
    const reporter = createQuietReporter(createOraReporter(tty.stream, { isEnabled: true }), { spinner: true });
    successfulEdit(reporter);
    reporter.close();
    expect(screenLines(tty.output())).toEqual([LIVE]);
  });

  it("puts SAM's current step in the spinner's text", () => {
    const texts: string[] = [];
    const inner: Reporter = { event: () => undefined, progress: (t) => texts.push(t), done: () => undefined, close: () => undefined };
    successfulEdit(createQuietReporter(inner, { spinner: true }));
    expect(texts).toContain('#3 building and updating ListProductsFunction · Running NodejsNpmBuilder:CopySource');
    expect(texts).toContain('#3 building and updating ListProductsFunction · Uploading to 5d41402a 1290 / 1290 (100.00%)');
  });

  it('shows a failing build with the SAM lines that explain it, then the ✖ line', () => {
    const tty = fakeTty();
    const reporter = createQuietReporter(createOraReporter(tty.stream, { isEnabled: true }), { spinner: true });
    failingBuild(reporter);
    reporter.close();
    expect(screenLines(tty.output())).toEqual([
      '  sync │ Build Failed',
      '  sync │ Error: NodejsNpmBuilder:NpmInstall - NPM Failed: npm error code ETARGET',
      '  sync │ npm error notarget No matching version found for left-pad@99.0.0.',
      '  sync │  Running cleanup',
      `✖ ${FAILED.slice(2)}`.replace('✖ ✖', '✖'),
    ]);
  });

  it('passes everything through unfolded with --verbose (the reporter is not wrapped), and never folds other events', () => {
    const seen: DsyncEvent[] = [];
    const inner: Reporter = { event: (e) => seen.push(e), progress: () => undefined, done: () => undefined, close: () => undefined };
    const quiet = createQuietReporter(inner, { spinner: false });
    quiet.event({ type: 'warning', level: 'warn', message: 'git is not on PATH' });
    quiet.event({ type: 'apis', message: '  REST API ServerlessRestApi: http://127.0.0.1:1/Prod' });
    successfulEdit(quiet);
    expect(seen.filter((e) => e.message).map((e) => e.message)).toEqual(['git is not on PATH', '  REST API ServerlessRestApi: http://127.0.0.1:1/Prod', LIVE]);
  });
});
