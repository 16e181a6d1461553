import { describe, expect, it } from 'vitest';
import { logsArgv, samEnv, syncCodeArgv, syncInfraArgv } from '../../../src/sam/commands.js';
import { chooseProfile, hostCredentialResolver, parseProcessCredentials } from '../../../src/sam/credentials.js';
import { classifySamLine, failureCause, hostPaths } from '../../../src/sam/sam-output.js';
import { readSamConfig, splitSamList } from '../../../src/sam/samconfig.js';
import { resolveTarget, defaultStackName } from '../../../src/sam/target.js';
import { isDsyncError } from '../../../src/base/errors.js';
import path from 'node:path';

const SAMCONFIG = `
version = 0.1
[default.global.parameters]
stack_name = "orders"
region = "eu-west-1"
[default.sync.parameters]
parameter_overrides = "Stage=dev \\"Name=a b\\""
capabilities = "CAPABILITY_IAM"
s3_bucket = "team-artifacts"
[prod.global.parameters]
stack_name = "orders-prod"
`;

describe('samconfig', () => {
  it('merges global and sync parameters of an environment', () => {
    expect(readSamConfig(SAMCONFIG, 'samconfig.toml')).toEqual({
      stack_name: 'orders',
      region: 'eu-west-1',
      parameter_overrides: ['Stage=dev', '"Name=a b"'],
      capabilities: ['CAPABILITY_IAM'],
      s3_bucket: 'team-artifacts',
    });
    expect(readSamConfig(SAMCONFIG, 'samconfig.toml', 'prod')).toEqual({ stack_name: 'orders-prod' });
    expect(readSamConfig('default:\n  sync:\n    parameters:\n      stack_name: y\n', 'samconfig.yaml')).toEqual({ stack_name: 'y' });
  });

  it('names the file on a syntax error', () => {
    expect(() => readSamConfig('[default', 'samconfig.toml')).toThrow(/^samconfig\.toml could not be parsed/);
    expect(splitSamList(['A', 'B'])).toEqual(['A', 'B']);
  });
});

describe('real-AWS target, argv and env', () => {
  const samconfig = readSamConfig(SAMCONFIG, 'samconfig.toml');
  const target = resolveTarget({ mode: 'aws', projectName: 'orders', templateFile: 'template.yaml', flags: {}, settings: {}, samconfig, env: {} });

  it('takes stack, region, overrides and bucket from samconfig, with SAM defaults', () => {
    expect(target).toMatchObject({
      mode: 'aws',
      stackName: 'orders',
      region: 'eu-west-1',
      s3Bucket: 'team-artifacts',
      dependencyLayer: true,
      endpointUrl: undefined,
    });
  });

  it('lets flags override samconfig', () => {
    const t = resolveTarget({
      mode: 'aws',
      projectName: 'x',
      templateFile: 't.yaml',
      flags: { stackName: 'mine', region: 'us-west-2', parameterOverrides: ['Stage=qa'] },
      settings: {},
      samconfig,
      env: {},
    });
    expect(t).toMatchObject({ stackName: 'mine', region: 'us-west-2', parameterOverrides: ['Stage=qa'] });
  });

  it('deploys even when the template text is unchanged, when a definition file changed', () => {
    expect(syncInfraArgv(target, { deployEvenIfUnchanged: true }).slice(0, 3)).toEqual(['sam', 'sync', '--no-skip-deploy-sync']);
    expect(syncInfraArgv(target)).not.toContain('--no-skip-deploy-sync');
  });

  it('builds the sam sync command lines', () => {
    expect(syncInfraArgv(target)).toEqual([
      'sam',
      'sync',
      '--template-file',
      'template.yaml',
      '--stack-name',
      'orders',
      '--region',
      'eu-west-1',
      '--profile',
      'dsync',
      '--parameter-overrides',
      'Stage=dev',
      '"Name=a b"',
      '--capabilities',
      'CAPABILITY_IAM',
      '--s3-bucket',
      'team-artifacts',
      '--dependency-layer',
      '--config-env',
      'default',
      '--no-watch',
    ]);
    expect(syncCodeArgv(target, ['A', 'B']).slice(0, 7)).toEqual(['sam', 'sync', '--code', '--resource-id', 'A', '--resource-id', 'B']);
    expect(() => syncCodeArgv(target, [])).toThrow();
  });

  it('passes credentials per command and no endpoint', () => {
    const env = samEnv(target, { accessKeyId: 'AKIA1', secretAccessKey: 's3cr3t', sessionToken: 'tok', source: 'test' });
    expect(env).toMatchObject({ AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIA1', AWS_SECRET_ACCESS_KEY: 's3cr3t', AWS_SESSION_TOKEN: 'tok' });
    expect(env.AWS_ENDPOINT_URL).toBeUndefined();
  });

  it('refuses a real-AWS run with no stack name or region, with a hint', () => {
    const run = (flags = {}, env = {}) => resolveTarget({ mode: 'aws', projectName: 'x', templateFile: 't', flags, settings: {}, samconfig: {}, env });
    expect(() => run()).toThrow('No stack name');
    expect(() => run({ stackName: 's' })).toThrow('No AWS region');
    expect(run({ stackName: 's' }, { AWS_DEFAULT_REGION: 'ap-south-1' }).region).toBe('ap-south-1');
  });

  it('uses the embedded emulator with its own bucket and no dependency layer', () => {
    const t = resolveTarget({ mode: 'emulator', projectName: 'shop api ñ', templateFile: 'template.yaml', flags: {}, settings: {}, samconfig: {}, env: {} });
    expect(t).toMatchObject({
      stackName: 'shop-api-n',
      region: 'us-east-1',
      endpointUrl: 'http://localhost:5000',
      s3Bucket: 'dsync-artifacts',
      dependencyLayer: false,
    });
    expect(samEnv(t, undefined)).toMatchObject({ AWS_ENDPOINT_URL: 'http://localhost:5000', SAM_CLI_POLL_DELAY: '0.05' });
    expect(defaultStackName('123')).toBe('dsync-app');
    expect(() => resolveTarget({ mode: 'endpoint', projectName: 'x', templateFile: 't', flags: { endpointUrl: 'localstack' }, settings: {}, samconfig: {}, env: {} })).toThrow(
      '--endpoint-url must be an http(s) URL',
    );
  });
});

describe('host credentials', () => {
  const NOW = Date.parse('2026-11-26T12:00:00Z');

  it('parses credential_process JSON', () => {
    expect(parseProcessCredentials('{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S","SessionToken":"T","Expiration":"2026-11-26T13:00:00Z"}', 'p')).toMatchObject({
      accessKeyId: 'A',
      sessionToken: 'T',
      expiresAt: Date.parse('2026-11-26T13:00:00Z'),
    });
    expect(() => parseProcessCredentials('nope', 'p')).toThrow('did not print credentials');
  });

  const noSdk = undefined;
  it('exports the profile through the AWS CLI when the SDK cannot, and refreshes before expiry', async () => {
    let now = NOW;
    const calls: string[][] = [];
    const resolver = hostCredentialResolver({
      env: { AWS_PROFILE: 'dev' },
      profile: {},
      sdk: async () => {
        throw new Error('Could not load credentials from any providers');
      },
      cli: async (_file, args) => {
        calls.push(args);
        return {
          exitCode: 0,
          stderr: '',
          stdout: JSON.stringify({ AccessKeyId: `A${calls.length}`, SecretAccessKey: 'S', Expiration: new Date(now + 15 * 60_000).toISOString() }),
        };
      },
      now: () => now,
    });
    expect((await resolver.get()).accessKeyId).toBe('A1');
    expect((await resolver.get()).accessKeyId).toBe('A1');
    now += 11 * 60_000; // within 5 minutes of expiry
    expect((await resolver.get()).accessKeyId).toBe('A2');
    expect(calls[0]).toEqual(['configure', 'export-credentials', '--format', 'process', '--profile', 'dev']);
  });

  it('explains an expired SSO session', async () => {
    const resolver = hostCredentialResolver({
      env: {},
      profile: { name: 'sso', from: 'samconfig.toml' },
      sdk: noSdk,
      cli: async () => ({ exitCode: 255, stdout: '', stderr: 'Error when retrieving token from sso: Token has expired and refresh failed' }),
      now: () => NOW,
    });
    await expect(resolver.get()).rejects.toSatisfy(
      (e: unknown) => isDsyncError(e, 'CREDENTIALS') && (e as { hint?: string }).hint === 'run `aws sso login --profile sso`, then save again',
    );
  });

  it('names an AWS CLI v1 that cannot export credentials', async () => {
    const resolver = hostCredentialResolver({
      env: {},
      profile: {},
      sdk: noSdk,
      cli: async () => ({
        exitCode: 2,
        stdout: '',
        stderr: 'usage: aws [options]\naws: error: argument subcommand: Invalid choice, valid choices are:\nlist | get',
      }),
      now: () => NOW,
    });
    await expect(resolver.get()).rejects.toThrow('needs AWS CLI v2');
  });

  it('prefers keys in the environment when no profile was chosen, and rejects expired ones', async () => {
    const never = async () => {
      throw new Error('should not run');
    };
    const ok = hostCredentialResolver({ env: { AWS_ACCESS_KEY_ID: 'K', AWS_SECRET_ACCESS_KEY: 'S' }, profile: {}, sdk: never, cli: never, now: () => NOW });
    expect((await ok.get()).source).toBe('environment variables');
    const expired = hostCredentialResolver({
      env: { AWS_ACCESS_KEY_ID: 'K', AWS_SECRET_ACCESS_KEY: 'S', AWS_CREDENTIAL_EXPIRATION: '2026-11-26T11:00:00Z' },
      profile: {},
      sdk: never,
      cli: never,
      now: () => NOW,
    });
    await expect(expired.get()).rejects.toThrow('have expired');
  });

  it('resolves the samconfig profile (or --profile) on the host, even with keys in the environment, as SAM would', async () => {
    const asked: Array<string | undefined> = [];
    const sdk = async (profile: string | undefined) => {
      asked.push(profile);
      return { accessKeyId: `key-of-${profile}`, secretAccessKey: 'S', source: '' };
    };
    const cli = async () => ({ exitCode: 1, stdout: '', stderr: 'unused' });
    const env = { AWS_ACCESS_KEY_ID: 'ENVKEY', AWS_SECRET_ACCESS_KEY: 'S', AWS_PROFILE: 'other' };
    const fromSamconfig = hostCredentialResolver({ env, profile: chooseProfile(undefined, 'dev', 'samconfig.toml'), sdk, cli, now: () => NOW });
    expect(await fromSamconfig.get()).toMatchObject({ accessKeyId: 'key-of-dev', source: 'profile "dev" (from samconfig.toml)' });
    const fromFlag = hostCredentialResolver({ env, profile: chooseProfile('prod-admin', 'dev', 'samconfig.toml'), sdk, cli, now: () => NOW });
    expect(await fromFlag.get()).toMatchObject({ accessKeyId: 'key-of-prod-admin', source: 'profile "prod-admin" (from --profile)' });
    expect(asked).toEqual(['dev', 'prod-admin']);
  });

  it('says which profile failed and why when neither the SDK nor the AWS CLI can help', async () => {
    const resolver = hostCredentialResolver({
      env: {},
      profile: { name: 'dev', from: 'samconfig.toml' },
      sdk: async () => {
        throw new Error('Profile dev could not be found in shared credentials file.');
      },
      cli: async () => {
        throw Object.assign(new Error('spawn aws ENOENT'), { code: 'ENOENT' });
      },
      now: () => NOW,
    });
    await expect(resolver.get()).rejects.toThrow('No AWS credentials for profile "dev" (from samconfig.toml): Profile dev could not be found in shared credentials file.');
  });

  it("SAM in the container never looks for a host profile: every command gets --profile dsync and only dsync's config file", () => {
    const samconfigWithProfile = readSamConfig('version = 0.1\n[default.global.parameters]\nprofile = "dev"\nstack_name = "s"\nregion = "eu-west-1"\n', 'samconfig.toml');
    expect(samconfigWithProfile.profile).toBe('dev');
    const t = resolveTarget({
      mode: 'aws',
      projectName: 'x',
      templateFile: 'template.yaml',
      flags: {},
      settings: {},
      samconfig: samconfigWithProfile,
      env: {},
    });
    for (const argv of [syncInfraArgv(t), syncCodeArgv(t, ['F']), logsArgv(t, [], true)]) {
      expect(argv.join(' ')).toContain('--profile dsync');
    }
    const env = samEnv(t, { accessKeyId: 'A', secretAccessKey: 'S', source: 'x' });
    expect(env).toMatchObject({ AWS_CONFIG_FILE: '/dsync/tools/sam-tools/aws-config', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' });
    expect(env.AWS_PROFILE).toBeUndefined();
  });
});

describe('SAM output', () => {
  it('shows container paths as host paths, posix and Windows', () => {
    expect(hostPaths('Building codeuri: /dsync/workspace/src/a runtime: x', '/dsync/workspace', '/home/me/app', path.posix)).toBe(
      'Building codeuri: /home/me/app/src/a runtime: x',
    );
    expect(hostPaths("Error in '/dsync/workspace/src/b/app.ts:3'", '/dsync/workspace', 'C:\\Users\\me\\app', path.win32)).toBe("Error in 'C:\\Users\\me\\app\\src\\b\\app.ts:3'");
  });

  it('recognises sync progress and picks the cause of a failure', () => {
    expect(classifySamLine('Syncing Lambda Function HelloFunction...')).toEqual({ kind: 'resource-start', resource: 'HelloFunction' });
    expect(classifySamLine('26/Nov/2026:22:26:49: Finished syncing Lambda Function HelloFunction.')).toEqual({
      kind: 'resource-done',
      resource: 'HelloFunction',
    });
    expect(failureCause(['Building codeuri', 'Build Failed', 'Error: NodejsNpmBuilder:NpmPack - NPM Failed: npm error code EJSONPARSE'])).toBe(
      'NodejsNpmBuilder:NpmPack - NPM Failed: npm error code EJSONPARSE',
    );
    expect(failureCause(['something went wrong', ''])).toBe('something went wrong');
  });

  it("names a traceback's exception, never its first line", () => {
    const traceback = [
      'Traceback (most recent call last):',
      '  File "/opt/moto/lib/python3.11/site-packages/moto/apigateway/models.py", line 1521, in create_from_cloudformation_json',
      '    name = properties["Name"]',
      "KeyError: 'Name'",
    ];
    expect(failureCause(traceback)).toBe("KeyError: 'Name'");
    expect(
      failureCause([
        'Traceback (most recent call last):',
        '  File "x.py", line 3, in <module>',
        'botocore.exceptions.ClientError: An error occurred (InternalFailure) when calling the CreateStack operation: boom',
      ]),
    ).toBe('botocore.exceptions.ClientError: An error occurred (InternalFailure) when calling the CreateStack operation: boom');
    // SAM's own Error: line wins over a traceback printed before it.
    expect(failureCause([...traceback, 'Error: Failed to create changeset for the stack: s'])).toBe('Failed to create changeset for the stack: s');
    expect(failureCause(['Traceback (most recent call last):'])).toBe('no output');
  });
});

describe('SAM project resolution', () => {
  it('reads samconfig.toml, falls back to template.yml, and lets dsync.json name the stack', async () => {
    const { resolveSamProject } = await import('../../../src/sam/sam-project.js');
    const { DEFAULTS } = await import('../../../src/config/config.js');
    const files: Record<string, string> = { 'samconfig.toml': SAMCONFIG, 'template.yml': 'Resources: {}' };
    const r = await resolveSamProject({
      config: { ...DEFAULTS, root: '/p', stackName: 'from-dsync-json' },
      mode: 'aws',
      flags: {},
      env: {},
      projectName: 'p',
      readHost: async (rel) => files[rel],
      flavour: path.posix,
    });
    expect(r).toMatchObject({ templatePath: 'template.yml', infraFiles: ['samconfig.toml'], target: { stackName: 'from-dsync-json', region: 'eu-west-1' } });
  });

  it('normalises the template path from every source to the project path SAM and the change routing use', async () => {
    const { resolveSamProject } = await import('../../../src/sam/sam-project.js');
    const { DEFAULTS } = await import('../../../src/config/config.js');
    const resolve = (template: string | undefined, flavour: typeof path.posix | typeof path.win32, root: string, samconfigTemplate?: string) =>
      resolveSamProject({
        config: { ...DEFAULTS, root, template, templateFrom: template === undefined ? undefined : '--template' },
        mode: 'emulator',
        flags: {},
        env: {},
        projectName: 'p',
        readHost: async (rel) =>
          rel === 'samconfig.toml' && samconfigTemplate ? `version = 0.1\n[default.global.parameters]\ntemplate_file = ${JSON.stringify(samconfigTemplate)}\n` : undefined,
        flavour,
      });
    // PowerShell's tab completion on Windows, and the same habit on Linux.
    expect((await resolve('.\\template.yaml', path.win32, 'C:\\work\\app')).templatePath).toBe('template.yaml');
    expect((await resolve('.\\infra\\template.yaml', path.win32, 'C:\\work\\app')).target.templateFile).toBe('infra/template.yaml');
    expect((await resolve('C:\\work\\app\\infra\\t.yaml', path.win32, 'C:\\work\\app')).templatePath).toBe('infra/t.yaml');
    expect((await resolve('./template.yaml', path.posix, '/home/me/app')).templatePath).toBe('template.yaml');
    expect((await resolve('.\\template.yaml', path.posix, '/home/me/app')).templatePath).toBe('template.yaml');
    expect((await resolve('/home/me/app/sub/../template.yaml', path.posix, '/home/me/app')).templatePath).toBe('template.yaml');
    // samconfig written on a Windows laptop, read anywhere.
    expect((await resolve(undefined, path.posix, '/home/me/app', '.\\infra\\template.yaml')).templatePath).toBe('infra/template.yaml');
    // Outside the project: an error naming the source, with a hint.
    await expect(resolve('../shared/template.yaml', path.posix, '/home/me/app')).rejects.toThrow(
      'The template "../shared/template.yaml" (from --template) is not inside the project folder /home/me/app',
    );
    await expect(resolve(undefined, path.win32, 'C:\\app', 'D:\\other\\template.yaml')).rejects.toThrow('(from samconfig.toml (template_file))');
  });
});
