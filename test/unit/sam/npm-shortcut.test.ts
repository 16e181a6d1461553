// Which code changes may skip SAM's npm builder (issue 13's shortcut): only
// source files of npm-built functions, never what changes how npm packs or
// installs, never without SAM's say when the dependency layer is on.
import { describe, expect, it } from 'vitest';
import { npmShortcut } from '../../../src/sam/npm-shortcut.js';
import { loadTemplateModel } from '../../../src/sam/template.js';

const model = loadTemplateModel(
  `Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs22.x
Resources:
  List:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: src/list/, Handler: app.handler }
  Shared:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: ../../shared/orders/, Handler: index.handler }
  Bundled:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: src/bundled/, Handler: app.handler }
    Metadata: { BuildMethod: esbuild, BuildProperties: { EntryPoints: [app.ts] } }
  Py:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: src/py/, Handler: app.handler, Runtime: python3.12 }
  Aliased:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: src/aliased/, Handler: app.handler, AutoPublishAlias: live }
  Common:
    Type: AWS::Serverless::LayerVersion
    Properties: { ContentUri: layers/common/ }
    Metadata: { BuildMethod: nodejs22.x }
`,
  'template.yaml',
);

describe('the npm shortcut', () => {
  it('takes source edits of npm-built functions, paths relative to their code folder', () => {
    expect(npmShortcut(model, ['List'], ['src/list/app.js', 'src/list/lib/db.js', 'src/other.txt'], false)).toEqual([
      { resource: 'List', codeDir: 'src/list', changed: ['app.js', 'lib/db.js'] },
    ]);
    expect(npmShortcut(model, ['Shared'], ['../../shared/orders/index.js'], false)).toEqual([{ resource: 'Shared', codeDir: '../../shared/orders', changed: ['index.js'] }]);
  });

  it('leaves to SAM what changes how npm packs or installs', () => {
    for (const p of ['src/list/package.json', 'src/list/package-lock.json', 'src/list/.npmignore', 'src/list/sub/.gitignore', 'src/list/.npmrc', 'src/list/yarn.lock']) {
      expect(npmShortcut(model, ['List'], ['src/list/app.js', p], false), p).toEqual({ why: `${p} changes how npm packs or installs List` });
    }
    expect(npmShortcut(model, ['List'], ['src/list'], false)).toEqual({ why: 'src/list itself changed' });
  });

  it('leaves to SAM esbuild, other runtimes, layers, and everything under the dependency layer', () => {
    expect(npmShortcut(model, ['Bundled'], ['src/bundled/app.ts'], false)).toEqual({ why: "Bundled is not built by SAM's npm builder" });
    expect(npmShortcut(model, ['Py'], ['src/py/app.py'], false)).toEqual({ why: "Py is not built by SAM's npm builder" });
    expect(npmShortcut(model, ['Common'], ['layers/common/x.js'], false)).toEqual({ why: "Common is not built by SAM's npm builder" });
    expect(npmShortcut(model, ['List'], ['src/list/app.js'], true)).toEqual({ why: "SAM's dependency layer is on" });
    // SAM publishes a version and moves the alias with the code: left to SAM.
    expect(npmShortcut(model, ['Aliased'], ['src/aliased/app.js'], false)).toEqual({
      why: 'Aliased publishes a version and moves its alias (AutoPublishAlias)',
    });
    // One resource that does not qualify sends the whole change through SAM.
    expect(npmShortcut(model, ['List', 'Bundled'], ['src/list/app.js', 'src/bundled/app.ts'], false)).toEqual({
      why: "Bundled is not built by SAM's npm builder",
    });
  });
});
