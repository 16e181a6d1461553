// The only file that imports the AWS SDK: credentials through the SDK's own
// provider chain (environment, SSO, shared config and credentials files with
// credential_process and assume-role, web identity, container and instance
// roles), the caller's identity from STS, the stack's tags from
// CloudFormation and the stack lease in SSM. Loaded only in real-AWS mode.
import { createInterface } from 'node:readline/promises';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromIni, fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { LeaseRecord, LeaseStore } from '../loop/stack-lease.js';
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

/** The account dsync syncs into, as the host sees it: for the stack-per-developer name, the production guard and the lease. */
export interface AwsAccount {
  identity(): Promise<CallerIdentity>;
  /** The stack's tags, or undefined when there is no such stack (or it is gone: DELETE_COMPLETE). */
  stackTags(stackName: string): Promise<Record<string, string> | undefined>;
  leaseStore(stackName: string): LeaseStore;
  close(): void;
}

/** SSM parameter names allow letters, digits and . - _ / ; stack names are letters, digits and dashes. */
export const leaseParameter = (stackName: string) => `/dsync/stack-lease/${stackName}`;

export function awsAccount(credentials: Credentials, region: string, endpointUrl?: string): AwsAccount {
  const common = {
    region,
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken },
    ...(endpointUrl ? { endpoint: endpointUrl } : {}),
  };
  const sts = new STSClient(common);
  const cfn = new CloudFormationClient(common);
  const ssm = new SSMClient(common);
  return {
    async identity() {
      const out = await sts.send(new GetCallerIdentityCommand({}));
      return { account: out.Account ?? '?', arn: out.Arn ?? '?' };
    },
    async stackTags(stackName) {
      try {
        const out = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
        const stack = out.Stacks?.[0];
        if (!stack || stack.StackStatus === 'DELETE_COMPLETE') return undefined;
        return Object.fromEntries((stack.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
      } catch (error) {
        if (/does not exist/i.test((error as Error).message)) return undefined;
        throw error;
      }
    },
    leaseStore(stackName) {
      const name = leaseParameter(stackName);
      const put = (record: LeaseRecord, overwrite: boolean) =>
        ssm.send(new PutParameterCommand({ Name: name, Value: JSON.stringify(record), Type: 'String', Overwrite: overwrite, Description: `dsync: who runs \`dsync up\` on stack ${stackName}` }));
      return {
        where: `SSM parameter ${name} (region ${region})`,
        async read() {
          try {
            const out = await ssm.send(new GetParameterCommand({ Name: name }));
            const parsed = JSON.parse(out.Parameter?.Value ?? '') as LeaseRecord;
            return parsed && parsed.v === 1 ? parsed : undefined;
          } catch (error) {
            if ((error as Error).name === 'ParameterNotFound') return undefined;
            if (error instanceof SyntaxError) return undefined;
            throw error;
          }
        },
        async create(record) {
          try {
            await put(record, false);
            return true;
          } catch (error) {
            if ((error as Error).name === 'ParameterAlreadyExists') return false;
            throw error;
          }
        },
        async write(record) {
          await put(record, true);
        },
      };
    },
    close() {
      sts.destroy();
      cfn.destroy();
      ssm.destroy();
    },
  };
}
