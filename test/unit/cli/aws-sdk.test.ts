// The AWS SDK adapter against real shared config files (no network): a
// static-keys profile, a credential_process profile, and a missing one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sdkCredentials } from '../../../src/cli/aws-sdk.js';

describe('sdkCredentials (AWS SDK provider chain)', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-aws-'));
    // The credential process is a Node.js script run by this very node, so the same test runs on Linux and as win32.
    const script = path.join(dir, 'creds.cjs');
    fs.writeFileSync(
      script,
      'console.log(JSON.stringify({ Version: 1, AccessKeyId: "FROMPROCESS", SecretAccessKey: "s", SessionToken: "t", Expiration: "2099-01-01T00:00:00Z" }))\n',
    );
    fs.writeFileSync(path.join(dir, 'config'), `[profile team]\nregion = eu-west-1\ncredential_process = "${process.execPath}" "${script}"\n`);
    fs.writeFileSync(path.join(dir, 'credentials'), '[static]\naws_access_key_id = STATICKEY\naws_secret_access_key = secret\n');
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete process.env[k];
    process.env.AWS_CONFIG_FILE = path.join(dir, 'config');
    process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(dir, 'credentials');
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it('reads a profile with credential_process, with its expiry', async () => {
    const c = await sdkCredentials('team');
    expect(c).toMatchObject({ accessKeyId: 'FROMPROCESS', sessionToken: 't', expiresAt: Date.parse('2099-01-01T00:00:00Z') });
  });
  it('reads static keys from the shared credentials file', async () => {
    expect((await sdkCredentials('static')).accessKeyId).toBe('STATICKEY');
  });
  it('an explicit profile ignores keys in the environment, like botocore', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'ENVKEY';
    process.env.AWS_SECRET_ACCESS_KEY = 'x';
    expect((await sdkCredentials('static')).accessKeyId).toBe('STATICKEY');
    expect((await sdkCredentials(undefined)).accessKeyId).toBe('ENVKEY');
  });
  it('fails with the SDK reason for a profile that does not exist', async () => {
    await expect(sdkCredentials('nope')).rejects.toThrow(/nope/);
  });
});
