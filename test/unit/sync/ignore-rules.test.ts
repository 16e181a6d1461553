import { describe, expect, it } from 'vitest';
import { IgnoreRules, isIgnoreFile } from '../../../src/sync/ignore-rules.js';

describe('IgnoreRules', () => {
  it('ignores the built-in defaults at any depth', () => {
    const rules = new IgnoreRules();
    expect(rules.isIgnored('node_modules', true)).toBe(true);
    expect(rules.isIgnored('functions/a/node_modules/x/index.js', false)).toBe(true);
    expect(rules.isIgnored('.git/HEAD', false)).toBe(true);
    expect(rules.isIgnored('.aws-sam', true)).toBe(true);
    expect(rules.isIgnored('src/.handler.js.swp', false)).toBe(true);
    expect(rules.isIgnored('src/handler.js~', false)).toBe(true);
    expect(rules.isIgnored('src/handler.js___jb_tmp___', false)).toBe(true);
    expect(rules.isIgnored('src/handler.js', false)).toBe(false);
    expect(rules.isIgnored('.gitignore', false)).toBe(false);
  });

  it('applies a nested .gitignore only below its folder', () => {
    const rules = new IgnoreRules();
    rules.addFile('', '.gitignore', 'dist/\n*.log\n');
    rules.addFile('functions/a', 'functions/a/.gitignore', 'generated.js\n/local.json\n');
    expect(rules.isIgnored('functions/a/generated.js', false)).toBe(true);
    expect(rules.isIgnored('functions/a/deep/generated.js', false)).toBe(true);
    expect(rules.isIgnored('functions/b/generated.js', false)).toBe(false);
    expect(rules.isIgnored('functions/a/local.json', false)).toBe(true);
    expect(rules.isIgnored('functions/a/deep/local.json', false)).toBe(false);
    expect(rules.isIgnored('dist', true)).toBe(true);
    expect(rules.isIgnored('dist/x.js', false)).toBe(true);
    expect(rules.isIgnored('a/debug.log', false)).toBe(true);
  });

  it('distinguishes folder-only patterns from files', () => {
    const rules = new IgnoreRules();
    rules.addFile('', '.gitignore', 'build/\n');
    expect(rules.isIgnored('build', true)).toBe(true);
    expect(rules.isIgnored('build', false)).toBe(false);
  });

  it('lets .dsyncignore negate what .gitignore excludes, and deeper files override shallower ones', () => {
    const rules = new IgnoreRules();
    rules.addFile('', '.dsyncignore', '!.env\n');
    rules.addFile('', '.gitignore', '.env\n*.secret\n');
    expect(rules.isIgnored('.env', false)).toBe(false);
    rules.addFile('sub', 'sub/.gitignore', '!keep.secret\n');
    expect(rules.isIgnored('sub/keep.secret', false)).toBe(false);
    expect(rules.isIgnored('other.secret', false)).toBe(true);
  });

  it('cannot re-include a file inside an ignored folder (as git)', () => {
    const rules = new IgnoreRules();
    rules.addFile('', '.gitignore', 'out/\n!out/keep.txt\n');
    expect(rules.isIgnored('out/keep.txt', false)).toBe(true);
  });

  it("replaces a file's rules when it is reloaded", () => {
    const rules = new IgnoreRules();
    rules.addFile('', '.gitignore', 'a.txt\n');
    rules.addFile('', '.gitignore', 'b.txt\n');
    expect(rules.isIgnored('a.txt', false)).toBe(false);
    expect(rules.isIgnored('b.txt', false)).toBe(true);
  });

  it('recognises ignore files', () => {
    expect(isIgnoreFile('.gitignore')).toBe(true);
    expect(isIgnoreFile('a/b/.dsyncignore')).toBe(true);
    expect(isIgnoreFile('a/gitignore')).toBe(false);
  });
});
