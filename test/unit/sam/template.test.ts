import { describe, expect, it } from 'vitest';
import { loadTemplateModel } from '../../../src/sam/template.js';
import { routeChanges } from '../../../src/sam/routing.js';
import { isDsyncError } from '../../../src/base/errors.js';
import { parseTemplateText } from '../../../src/sam/template-text.js';

const TEMPLATE = `
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: { Type: String, Default: dev }
Globals:
  Function:
    Runtime: nodejs22.x
    CodeUri: shared/
    Environment:
      Variables:
        TABLE: !Ref Table
        URL: !Sub 'https://\${Api}.execute-api.\${AWS::Region}.amazonaws.com/\${Stage}'
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Join ['-', [!Ref Stage, items]]
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionUri: api/openapi.yaml
  Layer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layers/common
  UsesGlobal:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Layers: [!Ref Layer]
  Nested:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ./services/orders/handlers/
      Handler: index.handler
      Role: !GetAtt Role.Arn
  Bundled:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: services/orders
      Handler: app.handler
    Metadata:
      BuildMethod: esbuild
  FromS3:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://bucket/key.zip
      Handler: app.handler
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: !If [IsProd, {}, !GetAtt Table.Arn]
`;

describe('SAM template model', () => {
  const model = loadTemplateModel(TEMPLATE, 'template.yaml');

  it('parses short-form intrinsics into their long form', () => {
    const t = parseTemplateText(TEMPLATE, 'template.yaml') as { Resources: Record<string, { Properties: Record<string, unknown> }> };
    expect(t.Resources.Table!.Properties.TableName).toEqual({ 'Fn::Join': ['-', [{ Ref: 'Stage' }, 'items']] });
    expect(t.Resources.Nested!.Properties.Role).toEqual({ 'Fn::GetAtt': ['Role', 'Arn'] });
    expect(t.Resources.Role!.Properties.AssumeRolePolicyDocument).toEqual({ 'Fn::If': ['IsProd', {}, { 'Fn::GetAtt': ['Table', 'Arn'] }] });
  });

  it('takes CodeUri from Globals, normalises folders, and skips S3 code', () => {
    expect(model.resources.get('UsesGlobal')).toMatchObject({ kind: 'function', codePaths: ['shared'], runtime: 'nodejs22.x', layerRefs: ['Layer'] });
    expect(model.resources.get('Nested')!.codePaths).toEqual(['services/orders/handlers']);
    expect(model.resources.get('Bundled')).toMatchObject({ buildMethod: 'esbuild', codePaths: ['services/orders'] });
    expect(model.resources.get('FromS3')!.codePaths).toEqual([]);
    expect(model.resources.get('Layer')).toMatchObject({ kind: 'layer', codePaths: ['layers/common'] });
    expect(model.infraFiles).toEqual(['api/openapi.yaml']);
  });

  it('resolves paths relative to a template in a subfolder', () => {
    const m = loadTemplateModel('Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: ../src/f\n', 'infra/template.yaml');
    expect(m.resources.get('F')!.codePaths).toEqual(['src/f']);
    // Outside the project folder (a monorepo's shared code): a path that climbs out, and a reference saying so.
    const outside = loadTemplateModel('Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: ../../elsewhere\n', 'infra/template.yaml');
    expect(outside.resources.get('F')!.codePaths).toEqual(['../elsewhere']);
    expect(outside.references).toEqual([{ resource: 'F', property: 'CodeUri', written: '../../elsewhere', path: '../elsewhere' }]);
  });

  it('defaults a function without CodeUri to the template folder', () => {
    const m = loadTemplateModel('Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: a.b\n', 'template.yaml');
    expect(m.resources.get('F')!.codePaths).toEqual(['']);
  });

  it('reports YAML errors with their line and a hint, as a DsyncError', () => {
    try {
      loadTemplateModel('Resources:\n  A: [unclosed\n', 'template.yaml');
      expect.unreachable();
    } catch (error) {
      expect(isDsyncError(error, 'TEMPLATE')).toBe(true);
      expect((error as Error).message).toMatch(/^template\.yaml is not valid YAML \(line \d+, column \d+\)/);
    }
    expect(() => loadTemplateModel('Description: no resources\n', 'template.yaml')).toThrow('has no Resources section');
    expect(() => loadTemplateModel('Resources:\n  F:\n    Type: AWS::Serverless::Functoin\n', 'template.yaml')).toThrow(
      'template.yaml: resource F has an unknown type AWS::Serverless::Functoin',
    );
    expect(() => loadTemplateModel('Resources:\n  F:\n    Properties: {}\n', 'template.yaml')).toThrow('resource F has no Type');
  });
});

describe('change routing', () => {
  const model = loadTemplateModel(TEMPLATE, 'template.yaml');

  it('sends the template and included files to an infrastructure sync', () => {
    expect(routeChanges(['template.yaml'], model)).toMatchObject({ infra: true, resources: [] });
    expect(routeChanges(['api/openapi.yaml'], model).infra).toBe(true);
    expect(routeChanges(['samconfig.toml'], model, ['samconfig.toml']).infra).toBe(true);
  });

  it('maps code to every resource whose folder holds it (nested and shared folders)', () => {
    expect(routeChanges(['services/orders/handlers/index.js'], model).resources).toEqual(['Nested', 'Bundled']);
    expect(routeChanges(['services/orders/lib/db.ts'], model).resources).toEqual(['Bundled']);
    expect(routeChanges(['shared/app.js', 'layers/common/nodejs/x.js'], model).resources).toEqual(['Layer', 'UsesGlobal']);
  });

  it('flags dependency manifests and ignores files that belong to nothing', () => {
    const r = routeChanges(['shared/package-lock.json', 'README.md', 'sharedish/x.js'], model);
    expect(r).toMatchObject({ infra: false, resources: ['UsesGlobal'], dependencyChanges: ['UsesGlobal'], unowned: ['README.md', 'sharedish/x.js'] });
  });
});

describe('applications (AWS::Serverless::Application)', () => {
  it('a local nested template is part of the stack; one from the repository is marked', async () => {
    const { loadTemplateModel } = await import('../../../src/sam/template.js');
    const model = loadTemplateModel(
      [
        'Transform: AWS::Serverless-2016-10-31',
        'Resources:',
        '  Audit:',
        '    Type: AWS::Serverless::Application',
        '    Properties: { Location: ./nested/template.yaml }',
        '  Notifier:',
        '    Type: AWS::Serverless::Application',
        '    Properties:',
        '      Location: { ApplicationId: "arn:aws:serverlessrepo:us-east-1:1:applications/n", SemanticVersion: 1.0.0 }',
      ].join('\n'),
      'template.yaml',
    );
    expect(model.infraFiles).toEqual(['nested/template.yaml']);
    expect(model.resources.get('Audit')?.repositoryApplication).toBeUndefined();
    expect(model.resources.get('Notifier')?.repositoryApplication).toBe('arn:aws:serverlessrepo:us-east-1:1:applications/n');
  });
});
