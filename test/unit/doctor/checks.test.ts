// Each of `dsync doctor`'s checks: its pass, and its warning or failure with
// the fix, over fake probes (no engine, no AWS, no real files).
import { describe, expect, it } from 'vitest';
import { DsyncError } from '../../../src/base/errors.js';
import { hostPlatform } from '../../../src/base/platform.js';
import { runDoctor, type CheckResult, type DoctorInput } from '../../../src/doctor/run.js';
import { judgeImage, repositoryOf } from '../../../src/doctor/checks/image-check.js';
import { judgeSamVersion } from '../../../src/doctor/checks/sam-version-check.js';
import { judgeSkew, parseEpochSeconds } from '../../../src/doctor/checks/clock-check.js';
import { judgeProxy, parseEnvOutput } from '../../../src/doctor/checks/proxy-check.js';
import { judgeCredentials } from '../../../src/doctor/checks/credentials-check.js';
import { judgeDisk, parseDfAvailable } from '../../../src/doctor/checks/disk-check.js';
import { judgeWatches } from '../../../src/doctor/checks/watch-limit-check.js';
import { parseSamVersion, meetsPin } from '../../../src/sam/sam-version.js';
import { parseGitLsFiles } from '../../../src/sync/modes.js';
import { fakeEngine, fakeInput, fakeProbes, IMAGE_ID, NOW, REPO_DIGEST, TEMPLATE, type FakeSetup } from '../../helpers/doctor-fakes.js';

async function check(id: string, setup: FakeSetup = {}, input: Partial<DoctorInput> = {}, config: Partial<DoctorInput['config']> = {}): Promise<CheckResult> {
  const results = await runDoctor(fakeInput(input, config), fakeProbes(setup));
  return results.find((r) => r.id === id)!;
}

describe('image', () => {
  const details = { id: IMAGE_ID, repoDigests: [`public.ecr.aws/sam/build-nodejs22.x@${REPO_DIGEST}`] };
  it('passes when the pin is the image id or one of its repo digests', () => {
    expect(judgeImage('img', details, IMAGE_ID, false).status).toBe('pass');
    expect(judgeImage('img', details, REPO_DIGEST, false).status).toBe('pass');
    expect(judgeImage('img', details, REPO_DIGEST.slice('sha256:'.length), false).status).toBe('pass');
  });
  it('warns when not pinned, suggesting the repo digest to pin', () => {
    expect(judgeImage('img', details, undefined, false)).toEqual({
      id: 'image',
      status: 'warn',
      message: 'img (id aaaaaaaaaaaa) is on the engine but not pinned by digest',
      fix: `add "imageDigest": "${REPO_DIGEST}" to dsync.json so the team runs the same image`,
    });
  });
  it('fails on a mismatch, with a pull by digest as the fix', () => {
    const pin = `sha256:${'c'.repeat(64)}`;
    const r = judgeImage('registry:5000/team/sam:1', details, pin, false);
    expect(r).toMatchObject({ status: 'fail', message: expect.stringContaining(`not the pinned ${pin}`) });
    expect(r.fix).toBe(`docker pull registry:5000/team/sam@${pin} and use that, or update "imageDigest" in dsync.json if this image is intended`);
    expect(repositoryOf('public.ecr.aws/sam/build-nodejs22.x@sha256:1')).toBe('public.ecr.aws/sam/build-nodejs22.x');
  });
  it('warns when the image is not on the engine, saying how up gets it', async () => {
    const engine = fakeEngine({}, { inspectImage: async () => undefined });
    expect(await check('image', { engine }, {}, { imageDigest: REPO_DIGEST })).toEqual({
      id: 'image',
      status: 'warn',
      message: 'public.ecr.aws/sam/build-nodejs22.x is not on the engine yet; its pinned digest is checked once it is there',
      fix: 'docker pull public.ecr.aws/sam/build-nodejs22.x (dsync up pulls it too)',
    });
  });
  it('checks the configured image when one is chosen', async () => {
    const asked: string[] = [];
    const engine = fakeEngine({}, { inspectImage: async (image) => (asked.push(image), { id: IMAGE_ID, repoDigests: [], labels: {} }) });
    expect(await check('image', { engine }, {}, { image: 'team/sam:7', imageChosen: true, imageDigest: IMAGE_ID })).toMatchObject({ status: 'pass' });
    expect(asked).toEqual(['team/sam:7']);
  });
});

describe('sam', () => {
  const ok = (stdout: string) => ({ exitCode: 0, stdout, stderr: '' });
  it('reads the version and meets exact and range pins', () => {
    expect(parseSamVersion('SAM CLI, version 1.142.1\n')).toBe('1.142.1');
    expect(meetsPin('1.142.1', '1.142.1')).toEqual({ ok: true });
    expect(meetsPin('1.142.1', '>=1.130 <2')).toEqual({ ok: true });
    expect(judgeSamVersion(ok('SAM CLI, version 1.142.1'), '1.142.1')).toEqual({ id: 'sam', status: 'pass', message: 'SAM CLI 1.142.1 meets the pin 1.142.1' });
  });
  it('fails a version outside the pin, and a pin that is no range', () => {
    expect(judgeSamVersion(ok('SAM CLI, version 1.120.0'), '^1.140.0')).toMatchObject({
      status: 'fail',
      message: 'SAM CLI 1.120.0 in the container does not meet the pin ^1.140.0',
      fix: expect.stringContaining('update "samVersion" in dsync.json'),
    });
    expect(judgeSamVersion(ok('SAM CLI, version 1.120.0'), 'latest please')).toMatchObject({ status: 'fail', fix: 'write it like "1.142.1" or "^1.140.0"' });
  });
  it('warns without a pin, offering the version to pin', () => {
    expect(judgeSamVersion(ok('SAM CLI, version 1.142.1'), undefined)).toEqual({
      id: 'sam',
      status: 'warn',
      message: 'SAM CLI 1.142.1 (no version pinned)',
      fix: 'add "samVersion": "1.142.1" to dsync.json so the team builds with the same SAM',
    });
  });
  it('fails when the image has no sam', async () => {
    const engine = fakeEngine({ sam: { exitCode: 127, stdout: '', stderr: 'exec: "sam": executable file not found in $PATH' } });
    expect(await check('sam', { engine })).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('`sam --version` failed in the container (exit 127'),
      fix: expect.stringContaining('SAM CLI'),
    });
  });
});

describe('clock', () => {
  it('passes within 30 s, warns beyond, fails beyond 5 minutes (SigV4)', () => {
    expect(judgeSkew(0.2, 0.01)).toEqual({ id: 'clock', status: 'pass', message: "the container's clock is within 0.2 s of the host's" });
    expect(judgeSkew(-45, 0.01)).toMatchObject({
      status: 'warn',
      message: "the container's clock is 45 s behind the host (±0.0 s)",
      fix: expect.stringContaining('restart Docker Desktop'),
    });
    expect(judgeSkew(400, 0.01)).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('AWS rejects requests signed more than 5 minutes off'),
      fix: expect.stringContaining('wsl --shutdown'),
    });
  });
  it('reads `date +%s.%N`, and whole seconds from a date without %N', () => {
    expect(parseEpochSeconds('1800000000.250000000\n')).toEqual({ seconds: 1800000000.25, precisionS: 0 });
    expect(parseEpochSeconds('1800000000.%N\n')).toEqual({ seconds: 1800000000.5, precisionS: 0.5 });
    expect(parseEpochSeconds('date: invalid')).toBeUndefined();
  });
  it('compares the container with the host clock it is given', async () => {
    const engine = fakeEngine({ date: { stdout: `${NOW / 1000 + 600}.000000000\n` } });
    expect(await check('clock', { engine })).toMatchObject({ status: 'fail', message: expect.stringContaining('600 s ahead of the host') });
  });
});

describe('proxy', () => {
  const facts = { host: {}, container: new Map<string, string>(), hostCaFiles: [], ownImage: false, missingCaFiles: [] };
  it('passes when no proxy is set anywhere', () => {
    expect(judgeProxy(facts)).toEqual({ id: 'proxy', status: 'pass', message: 'no proxy set on the host or in the container' });
  });
  it("passes when the container has the host's values, in both spellings as dsync gives them", () => {
    const env = { HTTPS_PROXY: 'http://proxy:3128', no_proxy: 'localhost' };
    const inside = { ...env, https_proxy: 'http://proxy:3128', NO_PROXY: 'localhost' };
    expect(judgeProxy({ ...facts, host: env, container: new Map(Object.entries(inside)) })).toMatchObject({
      status: 'pass',
      message: "HTTPS_PROXY, NO_PROXY, https_proxy, no_proxy match the host's",
    });
    expect(judgeProxy({ ...facts, host: env, container: new Map(Object.entries(env)) })).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('https_proxy is http://proxy:3128 for the host but unset in the container'),
    });
  });
  it('warns on a difference, hiding passwords, with the recreate fix', () => {
    const r = judgeProxy({
      ...facts,
      host: { HTTPS_PROXY: 'http://me:secret@proxy:3128' },
      container: parseEnvOutput('PATH=/bin\nHTTPS_PROXY=http://old:3128\nhttps_proxy=http://me:secret@proxy:3128\n'),
    });
    expect(r).toEqual({
      id: 'proxy',
      status: 'warn',
      message: 'HTTPS_PROXY is http://***@proxy:3128 for the host but http://old:3128 in the container',
      fix: 'run `dsync down && dsync up` to recreate the container with the current settings',
    });
  });
  it("wants AWS_CA_BUNDLE and NODE_EXTRA_CA_CERTS at existing files when the host adds CAs (not for dsync's own image)", () => {
    const withCa = { ...facts, hostCaFiles: ['/usr/local/share/ca-certificates/corp.crt'] };
    expect(judgeProxy(withCa)).toMatchObject({
      status: 'warn',
      message: 'the host adds 1 CA certificate file(s) but the container has no AWS_CA_BUNDLE or NODE_EXTRA_CA_CERTS',
    });
    expect(judgeProxy({ ...withCa, ownImage: true }).status).toBe('pass');
    const container = new Map([
      ['AWS_CA_BUNDLE', '/dsync/ca.pem'],
      ['NODE_EXTRA_CA_CERTS', '/dsync/ca.pem'],
    ]);
    expect(judgeProxy({ ...withCa, container })).toMatchObject({
      status: 'pass',
      message: expect.stringContaining('AWS_CA_BUNDLE and NODE_EXTRA_CA_CERTS point at'),
    });
    expect(judgeProxy({ ...withCa, container, missingCaFiles: ['/dsync/ca.pem'] })).toMatchObject({
      status: 'warn',
      message: "/dsync/ca.pem (named by the container's CA variables) does not exist in it",
    });
  });
  it("reads the container's environment and checks the CA files it names", async () => {
    const engine = fakeEngine({ env: { stdout: 'AWS_CA_BUNDLE=/dsync/ca.pem\nNODE_EXTRA_CA_CERTS=/dsync/ca.pem\n' }, sh: { stdout: '/dsync/ca.pem\n' } });
    expect(await check('proxy', { engine, caFiles: ['/x.crt'] })).toMatchObject({ status: 'warn', message: expect.stringContaining('does not exist') });
    expect(engine.execs.find((c) => c[0] === 'sh')!.slice(-2)).toEqual(['/dsync/ca.pem', '/dsync/ca.pem']);
  });
});

describe('credentials', () => {
  it('passes long-lived and fresh temporary credentials', () => {
    expect(judgeCredentials({ accessKeyId: 'a', secretAccessKey: 'b', source: 'environment variables' }, NOW).status).toBe('pass');
    expect(judgeCredentials({ accessKeyId: 'a', secretAccessKey: 'b', expiresAt: NOW + 3_600_000, source: 'profile "dev" (from samconfig.toml)' }, NOW)).toMatchObject({
      status: 'pass',
      message: 'AWS credentials from profile "dev" (from samconfig.toml) (temporary, expire in 60 min)',
    });
  });
  it('warns when they expire within 15 minutes', () => {
    expect(judgeCredentials({ accessKeyId: 'a', secretAccessKey: 'b', expiresAt: NOW + 10 * 60_000, source: 'profile "dev" (from --profile)' }, NOW)).toEqual({
      id: 'credentials',
      status: 'warn',
      message: 'the AWS credentials from profile "dev" (from --profile) expire in 10 min',
      fix: 'refresh them before a long session: `aws sso login --profile dev` (or your usual login)',
    });
  });
  it("fails with the resolver's own hint when there are none", async () => {
    const credentials = async () => {
      throw new DsyncError('CREDENTIALS', 'No AWS credentials for the default credential chain: none found', {
        hint: 'configure the profile (`aws configure`)',
      });
    };
    expect(await check('credentials', { credentials })).toEqual({
      id: 'credentials',
      status: 'fail',
      message: 'No AWS credentials for the default credential chain: none found',
      fix: 'configure the profile (`aws configure`)',
    });
  });
});

describe('template', () => {
  it('fails when there is none, naming the file', async () => {
    expect(await check('template', { files: {} })).toMatchObject({
      status: 'fail',
      message: 'no SAM template: template.yaml does not exist in /work/app',
      fix: expect.stringContaining('--template'),
    });
  });
  it('fails with the line of a parse error', async () => {
    expect(await check('template', { files: { 'template.yaml': 'Resources:\n  Fn:\n    Type: [unclosed\n' } })).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/^template\.yaml is not valid YAML \(line \d+, column \d+\)/),
    });
  });
  it('finds template.yml and the template samconfig names', async () => {
    expect(await check('template', { files: { 'template.yml': TEMPLATE } })).toMatchObject({
      status: 'pass',
      message: 'template.yml: 2 functions, 3 resources',
    });
    const files = { 'samconfig.toml': 'version = 0.1\n[default.global.parameters]\ntemplate_file = "infra/sam.yaml"\n', 'infra/sam.yaml': TEMPLATE };
    expect(await check('template', { files })).toMatchObject({ status: 'pass', message: 'infra/sam.yaml: 2 functions, 3 resources' });
  });
});

describe('crlf and exec-bits', () => {
  const files = {
    'template.yaml': TEMPLATE,
    'bin/cli.js': { text: '#!/usr/bin/env node\r\nconsole.log(1)\r\n', mode: 0o755 },
    'bin/ok.sh': { text: '#!/bin/sh\necho ok\n', mode: 0o755 },
    'bin/lost.sh': { text: '#!/bin/sh\necho lost\n', mode: 0o644 },
    'bin/tool': { text: 'ELF...', mode: 0o644 },
    'node_modules/x/run.js': { text: '#!/usr/bin/env node\r\n', mode: 0o644 },
    'notes.txt': 'windows text\r\n',
  };
  it('pass on a clean tree', async () => {
    expect(await check('crlf')).toMatchObject({ status: 'pass', message: 'no #! line ends in CRLF in 2 files' });
    expect(await check('exec-bits')).toMatchObject({ status: 'pass' });
  });
  it('warn about CRLF shebangs with dos2unix and .gitattributes (ignored folders are not looked at)', async () => {
    expect(await check('crlf', { files })).toEqual({
      id: 'crlf',
      status: 'warn',
      message: '1 script(s) have a #! line ending in CRLF, which Linux cannot run: bin/cli.js',
      fix: 'dos2unix bin/cli.js (and add `* text=auto eol=lf` to .gitattributes so git keeps LF)',
    });
  });
  it('warn about scripts that lost their exec bit, by #! line or by git mode', async () => {
    const probes = fakeProbes({ files });
    const sha = '0'.repeat(40);
    probes.gitIndex = async () => parseGitLsFiles([`100755 ${sha} 0\tbin/tool`, `100644 ${sha} 0\tbin/lost.sh`, ''].join('\u0000'));
    const r = (await runDoctor(fakeInput(), probes)).find((x) => x.id === 'exec-bits')!;
    expect(r).toEqual({
      id: 'exec-bits',
      status: 'warn',
      message: '2 file(s) have a #! line or are 100755 in git but are not executable, so they will not be executable in the container either: bin/lost.sh, bin/tool',
      fix: 'chmod +x bin/lost.sh bin/tool',
    });
  });
  it('on Windows, says to set the bit in git (dsync takes modes from the index there)', async () => {
    const { judgeExecBits } = await import('../../../src/doctor/checks/files-checks.js');
    const scan = { files: 3, dirs: 1, truncated: false, crlf: [], notExecutable: [{ path: 'bin/my tool.sh', why: 'shebang' as const }] };
    expect(judgeExecBits(scan, true).fix).toBe("git update-index --chmod=+x 'bin/my tool.sh' (Windows has no executable bit: dsync takes it from git)");
  });
  it('lists five paths at most, and stops a big scan early, saying so', async () => {
    const many = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`s${i}.sh`, { text: '#!/bin/sh\r\n', mode: 0o755 }]));
    const r = await check('crlf', { files: many });
    expect(r.message).toBe('8 script(s) have a #! line ending in CRLF, which Linux cannot run: s0.sh, s1.sh, s2.sh, s3.sh, s4.sh and 3 more');
    expect(r.fix).toBe('dos2unix s0.sh s1.sh s2.sh s3.sh s4.sh (and add `* text=auto eol=lf` to .gitattributes so git keeps LF)');
    const deep = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`d${i}/f.txt`, 'x']));
    const { scanProject } = await import('../../../src/doctor/project-scan.js');
    const scan = await scanProject({
      config: fakeInput().config,
      platform: hostPlatform('linux'),
      fs: fakeProbes({ files: deep }).fs,
      gitIndex: async () => undefined,
      maxEntries: 10,
    });
    expect(scan.truncated).toBe(true);
    expect(scan.files).toBeLessThan(50);
  });
});

describe('watchers', () => {
  it('warns when dsync would take more than half the inotify watches, with the sysctl fix', () => {
    expect(judgeWatches(600, 1000, 'folders', false)).toMatchObject({
      status: 'warn',
      fix: expect.stringContaining('sudo sysctl fs.inotify.max_user_watches=524288'),
    });
    expect(judgeWatches(10, 1000, 'folders', false)).toEqual({
      id: 'watchers',
      status: 'pass',
      message: '10 folders to watch, within fs.inotify.max_user_watches (1000)',
    });
  });
  it('counts the folders the Linux watcher watches (the root and each synced folder)', async () => {
    const files = { 'template.yaml': TEMPLATE, 'src/a/x.js': '', 'src/b/y.js': '', 'node_modules/m/i.js': '' };
    expect(await check('watchers', { files, maxUserWatches: '6\n' })).toMatchObject({
      status: 'warn',
      message: 'dsync would watch 4 folders, and fs.inotify.max_user_watches is 6 (shared with editors and other tools)',
    });
    expect(await check('watchers', { files }, { env: { DSYNC_WATCHER: 'chokidar' } })).toMatchObject({
      message: '7 files and folders (DSYNC_WATCHER=chokidar) to watch, within fs.inotify.max_user_watches (524288)',
    });
  });
  it('is skipped off Linux', async () => {
    expect(await check('watchers', {}, { platform: hostPlatform('darwin') })).toMatchObject({
      status: 'skip',
      message: "inotify limits are Linux's (this is darwin)",
    });
  });
});

describe('disk', () => {
  it('reads df -P and warns below 1 GiB, fails below 100 MiB', () => {
    expect(parseDfAvailable('Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/x 100 50 2048 50% /dsync\n')).toBe(2048 * 1024);
    expect(judgeDisk(5 * 1024 ** 3)).toEqual({ id: 'disk', status: 'pass', message: '5.0 GiB free on the workspace volume (/dsync)' });
    expect(judgeDisk(500 * 1024 ** 2)).toMatchObject({
      status: 'warn',
      message: 'only 500 MiB free on the workspace volume (/dsync)',
      fix: expect.stringContaining('docker system df'),
    });
    expect(judgeDisk(50 * 1024 ** 2)).toMatchObject({ status: 'fail', message: expect.stringContaining('builds and syncs will fail') });
  });
  it('fails on output it cannot read', async () => {
    const engine = fakeEngine({ df: { exitCode: 1, stdout: '', stderr: 'df: /dsync: No such file or directory' } });
    expect(await check('disk', { engine })).toMatchObject({ status: 'fail', message: expect.stringContaining('No such file or directory') });
  });
});
