import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  outermost,
  symlinkTargetInside,
  toContainerPath,
  toHostPath,
  toProjectPath,
  isProjectPath,
  linkTargetStaysInside,
  userPathToProjectPath,
} from '../../../src/base/paths.js';

describe('toProjectPath with path.win32', () => {
  const w = path.win32;
  it('maps drive-letter paths with backslashes to POSIX project paths', () => {
    expect(toProjectPath('C:\\work\\app', 'C:\\work\\app\\src\\handlers\\hello.js', w)).toBe('src/handlers/hello.js');
  });
  it('ignores the case of the drive letter and of the folders above the project', () => {
    expect(toProjectPath('C:\\Work\\App', 'c:\\work\\app\\src\\Index.ts', w)).toBe('src/Index.ts');
  });
  it('accepts forward slashes from tools that use them on Windows', () => {
    expect(toProjectPath('C:\\work\\app', 'C:/work/app/src/a b/ü.js', w)).toBe('src/a b/ü.js');
  });
  it('handles UNC shares', () => {
    expect(toProjectPath('\\\\server\\share\\proj', '\\\\server\\share\\proj\\lib\\x.js', w)).toBe('lib/x.js');
    expect(toProjectPath('\\\\server\\share\\proj', '\\\\server\\other\\proj\\x.js', w)).toBeUndefined();
  });
  it('rejects paths outside the project, on another drive, and the root itself', () => {
    expect(toProjectPath('C:\\work\\app', 'C:\\work\\apple\\x.js', w)).toBeUndefined();
    expect(toProjectPath('C:\\work\\app', 'D:\\work\\app\\x.js', w)).toBeUndefined();
    expect(toProjectPath('C:\\work\\app', 'C:\\work\\app', w)).toBeUndefined();
  });
  it('keeps a case-only rename distinct: the new spelling is what is sent', () => {
    expect(toProjectPath('C:\\app', 'C:\\app\\src\\Foo.js', w)).toBe('src/Foo.js');
    expect(toProjectPath('C:\\app', 'C:\\app\\src\\foo.js', w)).toBe('src/foo.js');
  });
  it('maps back to host paths', () => {
    expect(toHostPath('C:\\app', 'src/a/b.js', w)).toBe('C:\\app\\src\\a\\b.js');
  });
});

describe('toProjectPath with path.posix', () => {
  it('maps and rejects like win32', () => {
    expect(toProjectPath('/home/me/app', '/home/me/app/src/x.js', path.posix)).toBe('src/x.js');
    expect(toProjectPath('/home/me/app', '/home/me/app2/x.js', path.posix)).toBeUndefined();
    expect(toProjectPath('/home/me/app', '/etc/passwd', path.posix)).toBeUndefined();
  });
  it('keeps backslashes, which are legal in Linux file names', () => {
    expect(toProjectPath('/app', '/app/a\\b.txt', path.posix)).toBe('a\\b.txt');
  });
});

describe('project path safety', () => {
  it('refuses anything that could climb out of the workspace', () => {
    for (const bad of ['', '/etc/passwd', '../x', 'a/../../x', 'a//b', './a', 'a/./b', 'a\0b']) {
      expect(isProjectPath(bad), bad).toBe(false);
      expect(() => toContainerPath('/dsync/workspace', bad)).toThrow();
    }
    expect(toContainerPath('/dsync/workspace', 'src/x.js')).toBe('/dsync/workspace/src/x.js');
  });
  it('keeps only outermost paths for removal', () => {
    expect(outermost(['a/b/c', 'a', 'ab', 'a/b', 'x/y', 'x/y'])).toEqual(['a', 'ab', 'x/y']);
  });
});

describe('symlinkTargetInside', () => {
  it('keeps links inside the project as relative POSIX targets', () => {
    expect(symlinkTargetInside('/app', 'lib/current', '../src/v2', path.posix)).toBe('../src/v2');
    expect(symlinkTargetInside('/app', 'link', '/app/src/x.js', path.posix)).toBe('src/x.js');
    expect(symlinkTargetInside('/app', 'a/b/up', '..', path.posix)).toBe('..');
    expect(symlinkTargetInside('/app', 'self', '.', path.posix)).toBe('.');
  });
  it('rejects links that leave the project, however they are spelled', () => {
    expect(symlinkTargetInside('/app', 'x', '/etc/passwd', path.posix)).toBeUndefined();
    expect(symlinkTargetInside('/app', 'a/x', '../../outside', path.posix)).toBeUndefined();
    expect(symlinkTargetInside('/app', 'x', '../app2/file', path.posix)).toBeUndefined();
  });
  it('handles Windows link targets', () => {
    expect(symlinkTargetInside('C:\\app', 'lib/link', '..\\src\\x.js', path.win32)).toBe('../src/x.js');
    expect(symlinkTargetInside('C:\\app', 'link', 'C:\\App\\src', path.win32)).toBe('src');
    expect(symlinkTargetInside('C:\\app', 'link', 'C:\\Windows\\system32', path.win32)).toBeUndefined();
    expect(symlinkTargetInside('C:\\app', 'link', 'D:\\app\\x', path.win32)).toBeUndefined();
  });
});

describe('userPathToProjectPath: paths people type', () => {
  it('path.win32: dot-backslash, forward slashes, absolute, other case of the drive', async () => {
    const w = path.win32;
    expect(await userPathToProjectPath('C:\\app', '.\\template.yaml', w)).toBe('template.yaml');
    expect(await userPathToProjectPath('C:\\app', './infra/template.yaml', w)).toBe('infra/template.yaml');
    expect(await userPathToProjectPath('C:\\app', 'c:\\APP\\infra\\t.yaml', w)).toBe('infra/t.yaml');
    expect(await userPathToProjectPath('C:\\app', '  template.yaml  ', w)).toBe('template.yaml');
  });
  it('path.win32: outside, another drive, the project itself, empty', async () => {
    const w = path.win32;
    expect(await userPathToProjectPath('C:\\app', '..\\other\\t.yaml', w)).toBeUndefined();
    expect(await userPathToProjectPath('C:\\app', 'D:\\app\\t.yaml', w)).toBeUndefined();
    expect(await userPathToProjectPath('C:\\app', '.', w)).toBeUndefined();
    expect(await userPathToProjectPath('C:\\app', '', w)).toBeUndefined();
  });
  it('path.posix: ./, .\\ and sub\\ mean separators unless a file with that literal name exists', async () => {
    const p = path.posix;
    expect(await userPathToProjectPath('/app', './template.yaml', p)).toBe('template.yaml');
    expect(await userPathToProjectPath('/app', '.\\template.yaml', p)).toBe('template.yaml');
    expect(await userPathToProjectPath('/app', 'infra\\t.yaml', p)).toBe('infra/t.yaml');
    expect(await userPathToProjectPath('/app', 'odd\\name.yaml', p, async (q) => q === 'odd\\name.yaml')).toBe('odd\\name.yaml');
    expect(await userPathToProjectPath('/app', '/app/x/../t.yaml', p)).toBe('t.yaml');
    expect(await userPathToProjectPath('/app', '../t.yaml', p)).toBeUndefined();
    expect(await userPathToProjectPath('/app', '..\\t.yaml', p)).toBeUndefined();
    expect(await userPathToProjectPath('/app', '/etc/t.yaml', p)).toBeUndefined();
  });
});

describe('linkTargetStaysInside (the archive guard)', () => {
  it('accepts targets that resolve inside the workspace, the root included', () => {
    expect(linkTargetStaysInside('a/l', 'b')).toBe(true);
    expect(linkTargetStaysInside('a/l', '..')).toBe(true);
    expect(linkTargetStaysInside('a/b/l', '../../x/y')).toBe(true);
    expect(linkTargetStaysInside('l', '.\\..\\..\\x')).toBe(true); // one literal name in Linux
  });
  it('refuses absolute targets, climbing out, and climbing out then back in by name', () => {
    expect(linkTargetStaysInside('l', '/etc/passwd')).toBe(false);
    expect(linkTargetStaysInside('l', '..')).toBe(false);
    expect(linkTargetStaysInside('a/l', '../../x')).toBe(false);
    expect(linkTargetStaysInside('a/l', '../../workspace/a')).toBe(false);
    expect(linkTargetStaysInside('l', '')).toBe(false);
  });
});
