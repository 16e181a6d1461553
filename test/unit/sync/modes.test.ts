import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decideMode, parseGitLsFiles, shebangHasCrlf } from '../../../src/sync/modes.js';
import { loadConfig, validateSettings, DEFAULTS } from '../../../src/config/config.js';
import { projectId } from '../../../src/docker/labels.js';
import { hostPlatform } from '../../../src/base/platform.js';
import { chunkPaths } from '../../../src/sync/transfer.js';
import { readGitIndex } from '../../../src/sync/git-modes.js';
import { onWindowsPath } from '../../../src/base/host-process.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('file modes', () => {
  const index = parseGitLsFiles(['100755 abc 0\tscripts/deploy.sh', '100644 def 0\tsrc/a.js', '120000 fff 0\tlink', ''].join('\u0000'));
  const git = index.modes;
  it('parses the git index: modes, and symlinks (mode 120000)', () => {
    expect([...git]).toEqual([
      ['scripts/deploy.sh', 0o755],
      ['src/a.js', 0o644],
    ]);
    expect([...index.symlinks]).toEqual(['link']);
  });
  it('takes the host bits where they exist', () => {
    expect(decideMode({ path: 'x', type: 'file', statMode: 0o100750 }, true, undefined)).toBe(0o750);
  });
  it('on Windows uses the git index, then a shebang rule, never 0755 for everything', () => {
    expect(decideMode({ path: 'scripts/deploy.sh', type: 'file', statMode: 0o100666 }, false, git)).toBe(0o755);
    expect(decideMode({ path: 'src/a.js', type: 'file', statMode: 0o100666, head: bytes('#!') }, false, git)).toBe(0o644);
    expect(decideMode({ path: 'tools/run', type: 'file', statMode: 0o100666, head: bytes('#!/bin/sh\n') }, false, undefined)).toBe(0o755);
    expect(decideMode({ path: 'src/b.js', type: 'file', statMode: 0o100666, head: bytes('cons') }, false, undefined)).toBe(0o644);
    expect(decideMode({ path: 'src', type: 'dir', statMode: 0o40777 }, false, undefined)).toBe(0o755);
  });
  it('spots CRLF shebang lines', () => {
    expect(shebangHasCrlf(bytes('#!/bin/sh\r\necho'))).toBe(true);
    expect(shebangHasCrlf(bytes('#!/bin/sh\necho\r\n'))).toBe(false);
    expect(shebangHasCrlf(bytes('echo\r\n'))).toBe(false);
  });
});

describe('readGitIndex', () => {
  const noGit = async () => {
    throw Object.assign(new Error('spawn git ENOENT'), { code: 'ENOENT' });
  };
  const lsFiles = async (_file: string, args: string[]) =>
    args[0] === 'ls-files' ? { exitCode: 0, stdout: '100755 aa 0\tbin/run\u0000120000 bb 0\tlink\u0000', stderr: '' } : { exitCode: 0, stdout: 'false\n', stderr: '' };

  it('reads modes and symlinks from the index', async () => {
    const read = await readGitIndex('/p', hostPlatform('win32'), lsFiles);
    expect(read.index?.modes.get('bin/run')).toBe(0o755);
    expect([...(read.index?.symlinks ?? [])]).toEqual(['link']);
  });
  it('says git is missing where the index matters (Windows), and only there', async () => {
    expect(await readGitIndex('C:\\p', hostPlatform('win32'), noGit)).toEqual({ gitMissing: true });
    expect(await readGitIndex('/p', hostPlatform('linux'), noGit)).toEqual({});
  });
  it('looks a command up on a Windows PATH with PATHEXT, whatever the language of cmd.exe', () => {
    // Windows file names are case-insensitive (PATHEXT says .EXE, the file is git.exe).
    const files = new Set(['c:\\program files\\git\\cmd\\git.exe', 'c:\\tools\\sam.cmd']);
    const env = { Path: 'C:\\windows\\system32;"C:\\Program Files\\Git\\cmd";C:\\tools', PATHEXT: '.COM;.EXE;.BAT;.CMD' };
    expect(onWindowsPath('git', env, (p) => files.has(p.toLowerCase()))).toBe(true);
    expect(onWindowsPath('sam', env, (p) => files.has(p.toLowerCase()))).toBe(true);
    expect(onWindowsPath('docker', env, (p) => files.has(p.toLowerCase()))).toBe(false);
    expect(onWindowsPath('C:\\tools\\sam.cmd', env, (p) => files.has(p.toLowerCase()))).toBe(true);
  });
});

describe('config', () => {
  const base = { flags: {}, isDirectory: (p: string) => p === path.resolve('/proj'), readFile: () => undefined };
  it('uses defaults, then dsync.json, then flags', () => {
    expect(loadConfig({ ...base, cwd: '/proj' })).toEqual({ ...DEFAULTS, root: path.resolve('/proj'), imageChosen: false, origins: {} });
    const withFile = loadConfig({
      ...base,
      cwd: '/proj',
      readFile: () => '{"image":"team/img:1","quietMs":5,"stackName":"team"}',
      flags: { image: 'cli/img' },
    });
    expect(withFile).toMatchObject({ image: 'cli/img', quietMs: 5, stackName: 'team', imageChosen: true });
    expect(() => validateSettings({ region: '' }, 'dsync.json')).toThrow('dsync.json: "region" must be a non-empty string, found ""');
  });
  it('names the bad setting, what was expected and what was found', () => {
    expect(() => validateSettings({ quietMs: -1 }, 'dsync.json')).toThrow('dsync.json: "quietMs" must be an integer >= 0, found -1');
    expect(() => validateSettings({ imagee: 'x' }, 'dsync.json')).toThrow('unknown setting "imagee"');
    expect(() => validateSettings([], 'dsync.json')).toThrow('must be a JSON object, found an array');
    expect(() => loadConfig({ ...base, cwd: '/proj', readFile: () => '{oops' })).toThrow(/not valid JSON/);
  });
  it('explains a missing project folder', () => {
    expect(() => loadConfig({ ...base, cwd: '/nope' })).toThrow(/does not exist/);
  });
});

describe('project id', () => {
  const me = { hostname: 'laptop-7', user: 'ana' };
  it('is stable and, on Windows, ignores case and slash direction', () => {
    const win = hostPlatform('win32');
    expect(projectId('C:\\Work\\App', win, me)).toBe(projectId('c:/work/app/', win, me));
    const linux = hostPlatform('linux');
    expect(projectId('/work/App', linux, me)).not.toBe(projectId('/work/app', linux, me));
    expect(projectId('/work/app', linux, me)).toMatch(/^[0-9a-f]{12}$/);
  });
  it('differs for the same path on another machine or for another user (shared and remote engines)', () => {
    const linux = hostPlatform('linux');
    const ids = new Set([
      projectId('/builds/app', linux, me),
      projectId('/builds/app', linux, { hostname: 'ci-runner-2', user: 'ana' }),
      projectId('/builds/app', linux, { hostname: 'laptop-7', user: 'bo' }),
    ]);
    expect(ids.size).toBe(3);
    expect(projectId('/builds/app', linux, { hostname: 'LAPTOP-7', user: 'ana' })).toBe(projectId('/builds/app', linux, me));
  });
});

describe('chunkPaths', () => {
  it('splits long removal lists without losing or reordering paths', () => {
    const paths = Array.from({ length: 1000 }, (_, i) => `dir/file-${i}.js`);
    const chunks = chunkPaths(paths, 1024);
    expect(chunks.length).toBeGreaterThan(10);
    expect(chunks.flat()).toEqual(paths);
  });
});
