// Which code changes may skip SAM's npm or pip builder (issue 13's shortcut,
// extended to Python): only source files of npm- or pip-built functions,
// never what changes how npm packs or what either installs, never without
// SAM's say when the dependency layer is on.
import { describe, expect, it } from 'vitest';
import { codeShortcut } from '../../../src/sam/code-shortcut.js';
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
  PyMake:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: src/pymake/, Handler: app.handler, Runtime: python3.12 }
    Metadata: { BuildMethod: makefile }
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

describe('the code shortcut', () => {
  it('takes source edits of npm-built functions, paths relative to their code folder', () => {
    expect(codeShortcut(model, ['List'], ['src/list/app.js', 'src/list/lib/db.js', 'src/other.txt'], false)).toEqual([
      { resource: 'List', codeDir: 'src/list', changed: ['app.js', 'lib/db.js'] },
    ]);
    expect(codeShortcut(model, ['Shared'], ['../../shared/orders/index.js'], false)).toEqual([{ resource: 'Shared', codeDir: '../../shared/orders', changed: ['index.js'] }]);
  });

  it('leaves to SAM what changes how npm packs or installs', () => {
    for (const p of ['src/list/package.json', 'src/list/package-lock.json', 'src/list/.npmignore', 'src/list/sub/.gitignore', 'src/list/.npmrc', 'src/list/yarn.lock']) {
      expect(codeShortcut(model, ['List'], ['src/list/app.js', p], false), p).toEqual({ why: `${p} changes how npm packs or installs List` });
    }
    expect(codeShortcut(model, ['List'], ['src/list'], false)).toEqual({ why: 'src/list itself changed' });
  });

  it('takes source edits of pip-built functions, leaves requirements.txt to SAM and skips what pip leaves out', () => {
    expect(codeShortcut(model, ['Py'], ['src/py/app.py', 'src/py/lib/db.py', 'src/py/__pycache__/app.cpython-312.pyc', 'src/py/x.pyc'], false)).toEqual([
      { resource: 'Py', codeDir: 'src/py', changed: ['app.py', 'lib/db.py'] },
    ]);
    expect(codeShortcut(model, ['Py'], ['src/py/app.py', 'src/py/requirements.txt'], false)).toEqual({ why: 'src/py/requirements.txt changes what pip installs for Py' });
    expect(codeShortcut(model, ['Py'], ['src/py/__pycache__/app.cpython-312.pyc'], false)).toEqual({ why: 'no file of Py changed' });
  });

  it('leaves to SAM esbuild, Makefiles, layers, and everything under the dependency layer', () => {
    expect(codeShortcut(model, ['Bundled'], ['src/bundled/app.ts'], false)).toEqual({ why: "Bundled is not built by SAM's npm or pip builder" });
    expect(codeShortcut(model, ['PyMake'], ['src/pymake/app.py'], false)).toEqual({ why: "PyMake is not built by SAM's npm or pip builder" });
    expect(codeShortcut(model, ['Common'], ['layers/common/x.js'], false)).toEqual({ why: "Common is not built by SAM's npm or pip builder" });
    expect(codeShortcut(model, ['List'], ['src/list/app.js'], true)).toEqual({ why: "SAM's dependency layer is on" });
    // SAM publishes a version and moves the alias with the code: left to SAM.
    expect(codeShortcut(model, ['Aliased'], ['src/aliased/app.js'], false)).toEqual({
      why: 'Aliased publishes a version and moves its alias (AutoPublishAlias)',
    });
    // One resource that does not qualify sends the whole change through SAM.
    expect(codeShortcut(model, ['List', 'Bundled'], ['src/list/app.js', 'src/bundled/app.ts'], false)).toEqual({
      why: "Bundled is not built by SAM's npm or pip builder",
    });
  });
});
