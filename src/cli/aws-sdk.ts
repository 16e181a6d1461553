// The only file that imports the AWS SDK: credentials through the SDK's own
// provider chain (environment, SSO, shared config and credentials files with
// credential_process and assume-role, web identity, container and instance
// roles), and the caller's identity from STS. Loaded only in real-AWS mode.
import { createInterface } from 'node:readline/promises';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromIni, fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { Credentials, SdkCredentialSource } from '../sam/credentials.js';

/** Ask for an MFA code on the terminal (assume-role profiles with mfa_serial). */
async function promptMfa(serial: string): Promise<string> {
  if (!process.stdin.isTTY) throw new Error(`the profile needs an MFA code for ${serial}, and there is no terminal to ask on`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(`MFA code for ${serial}: `)).trim();
  } finally {
    rl.close();
  }
}

export const sdkCredentials: SdkCredentialSource = async (profile) => {
  // A named profile comes from the shared files (static keys, SSO,
  // credential_process, assume-role, web identity), and its errors name it;
  // without one, the SDK's whole default chain.
  const provider = profile ? fromIni({ profile, mfaCodeProvider: promptMfa }) : fromNodeProviderChain({ mfaCodeProvider: promptMfa });
  const c = await provider();
  return {
    accessKeyId: c.accessKeyId,
    secretAccessKey: c.secretAccessKey,
    sessionToken: c.sessionToken,
    expiresAt: c.expiration?.getTime(),
    source: profile ? `profile "${profile}"` : 'the default credential chain',
  };
};

export interface CallerIdentity {
  account: string;
  arn: string;
}

/** Who these credentials are (sts get-caller-identity), in the target region. */
export async function callerIdentity(credentials: Credentials, region: string): Promise<CallerIdentity> {
  const client = new STSClient({
    region,
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken },
  });
  try {
    const out = await client.send(new GetCallerIdentityCommand({}));
    return { account: out.Account ?? '?', arn: out.Arn ?? '?' };
  } finally {
    client.destroy();
  }
}
