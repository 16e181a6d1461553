import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { debianImageExtras, familyOf, realAwsImage, runtimesOf } from '../../../src/sam/runtimes.js';
import { loadTemplateModel } from '../../../src/sam/template.js';

const template = (functions: Record<string, string>, globals?: string, layerBuild?: string) =>
  loadTemplateModel(
    [
      'Transform: AWS::Serverless-2016-10-31',
      ...(globals ? ['Globals:', '  Function:', `    Runtime: ${globals}`] : []),
      'Resources:',
      ...Object.entries(functions).flatMap(([id, runtime]) => [
        `  ${id}:`,
        '    Type: AWS::Serverless::Function',
        `    Properties: { CodeUri: ${id}/, Handler: app.handler${runtime ? `, Runtime: ${runtime}` : ''} }`,
      ]),
      ...(layerBuild ? ['  Deps:', '    Type: AWS::Serverless::LayerVersion', '    Properties: { ContentUri: deps/ }', '    Metadata:', `      BuildMethod: ${layerBuild}`] : []),
    ].join('\n'),
    'template.yaml',
  );

describe('runtimes of a template', () => {
  it("reads each function's runtime, with Globals, and a layer's BuildMethod when it is a runtime", () => {
    const rts = runtimesOf(template({ A: 'python3.13', B: '', C: 'nodejs20.x' }, 'python3.11', 'python3.13'));
    expect(Object.fromEntries(rts)).toEqual({ 'python3.13': ['A', 'Deps'], 'python3.11': ['B'], 'nodejs20.x': ['C'] });
    expect(runtimesOf(template({ A: 'nodejs22.x' }, undefined, 'makefile')).size).toBe(1);
  });
  it('knows the families', () => {
    expect(['nodejs24.x', 'python3.9', 'java21', 'dotnet8', 'ruby3.3', 'provided.al2023', 'go1.x', 'foo'].map(familyOf)).toEqual([
      'nodejs',
      'python',
      'java',
      'dotnet',
      'ruby',
      'provided',
      'go',
      'other',
    ]);
  });
});

describe('real-AWS mode: the default image follows the template', () => {
  it("is SAM's build image for the runtime, the newest of one family, nodejs22.x for none", () => {
    expect(realAwsImage(runtimesOf(template({ A: 'python3.12' })))).toEqual({ image: 'public.ecr.aws/sam/build-python3.12', runtime: 'python3.12' });
    expect(realAwsImage(runtimesOf(template({ A: 'nodejs20.x', B: 'nodejs24.x', C: 'nodejs22.x' }))).image).toBe('public.ecr.aws/sam/build-nodejs24.x');
    expect(realAwsImage(runtimesOf(template({ A: 'python3.9', B: 'python3.13' }))).image).toBe('public.ecr.aws/sam/build-python3.13');
    expect(realAwsImage(new Map()).image).toBe('public.ecr.aws/sam/build-nodejs22.x');
    expect(realAwsImage(runtimesOf(template({ A: 'java21' }))).image).toBe('public.ecr.aws/sam/build-java21');
  });
  it('refuses to guess for mixed families, naming them and the way out', () => {
    expect(() => realAwsImage(runtimesOf(template({ Api: 'nodejs22.x', Worker: 'python3.12' })))).toThrow(
      'The template mixes runtime families, and no SAM build image has them all: nodejs22.x (Api), python3.12 (Worker)',
    );
  });
});

describe("dsync's Debian image: what it adds for a template", () => {
  it('adds the Node.js majors and Python versions named, besides its own 22 and 3.11', () => {
    expect(debianImageExtras(runtimesOf(template({ A: 'nodejs20.x', B: 'nodejs24.x', C: 'nodejs22.x', D: 'python3.13', E: 'python3.11' })))).toEqual({
      nodeMajors: [20, 24],
      pythons: ['3.13'],
    });
    expect(debianImageExtras(runtimesOf(template({ A: 'nodejs22.x' })))).toEqual({ nodeMajors: [], pythons: [] });
  });
  it('adds every Python from 3.9 to 3.14 (built from Debian sources, or taken from AWS images)', () => {
    const pythons = template({ A: 'python3.9', B: 'python3.10', C: 'python3.12', D: 'python3.14', E: 'python3.11' });
    expect(debianImageExtras(runtimesOf(pythons))).toEqual({ nodeMajors: [], pythons: ['3.10', '3.12', '3.14', '3.9'] });
  });
  it('says in one line which versions it cannot add and what would provide them', () => {
    let message = '';
    try {
      debianImageExtras(runtimesOf(template({ Legacy: 'python3.8', Jvm: 'java21', Custom: 'provided.al2023' })));
    } catch (error) {
      message = `${(error as Error).message} | ${(error as { hint?: string }).hint}`;
    }
    expect(message).toContain("python3.8 (Legacy): dsync's image can add Python 3.9 to 3.14");
    expect(message).toContain("java21 (Jvm): dsync's image has no java toolchain");
    expect(message).toContain("provided.al2023 (Custom): dsync's image has no provided toolchain");
    expect(message).toContain('set "image" in dsync.json');
    expect(message.split('\n')).toHaveLength(1);
  });
});

describe("the image that adds a template's toolchains", () => {
  it('builds CPython from the checked Debian source and offers each Node.js major as the npm SAM looks for by runtime name', async () => {
    const { runtimeDockerfile, runtimeImageTag } = await import('../../../src/images/runtime-image.js');
    const dockerfile = runtimeDockerfile({ nodeMajors: [20, 24], pythons: ['3.13'] });
    expect(dockerfile).toContain('pool/main/p/python3.13/python3.13_3.13.5.orig.tar.xz');
    expect(dockerfile).toContain('93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640  /tmp/python.tar.xz" | sha256sum -c -');
    expect(dockerfile).toContain('COPY --from=python313 /opt/python3.13 /opt/python3.13');
    expect(dockerfile).toContain('exec /opt/python3.13/bin/python3.13 "$@"');
    expect(dockerfile).toContain('--target /opt/lambda-python/3.13 "boto3<=');
    expect(dockerfile).toContain('node-linux-${arch}-20.20.2.tgz');
    expect(dockerfile).toContain('node-linux-${arch}-24.21.0.tgz');
    expect(dockerfile).toContain('> /usr/local/bin/nodejs20.x');
    const tag = runtimeImageTag('dsync/sam:abc', { nodeMajors: [20, 24], pythons: ['3.13'] }, dockerfile);
    expect(tag).toMatch(/^dsync\/sam:abc-node20-node24-py313-[0-9a-f]{8}$/);
    expect(runtimeImageTag('dsync/sam:abc', { nodeMajors: [20], pythons: [] }, runtimeDockerfile({ nodeMajors: [20], pythons: [] }))).not.toBe(tag);
  });

  it("takes a Python Debian has no source of from the image found for it, from that image's interpreter folder", async () => {
    const { runtimeDockerfile } = await import('../../../src/images/runtime-image.js');
    const dockerfile = runtimeDockerfile({ nodeMajors: [], pythons: ['3.12'] }, { '3.12': { image: 'public.ecr.aws/lambda/python:3.12', home: '/var/lang' } });
    expect(dockerfile).toContain('FROM public.ecr.aws/lambda/python:3.12 AS python312');
    expect(dockerfile).toContain('COPY --from=python312 /var/lang /opt/python3.12');
    expect(dockerfile).toContain('LD_LIBRARY_PATH=/opt/python3.12/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} exec /opt/python3.12/bin/python3.12');
    expect(() => runtimeDockerfile({ nodeMajors: [], pythons: ['3.12'] })).toThrow('no source known for Python 3.12');
  });

  it('keeps the boto3 the base image gives Python 3.11 and the one the added Pythons get in step', async () => {
    const { LAMBDA_BOTO3_MAX } = await import('../../../src/images/runtime-image.js');
    const dockerfile = fs.readFileSync(path.resolve('docker/Dockerfile'), 'utf8');
    expect(/^ARG LAMBDA_BOTO3_VERSION=(\S+)$/m.exec(dockerfile)?.[1]).toBe(LAMBDA_BOTO3_MAX);
  });
});
