// The only file that imports the AWS SDK: credentials through the SDK's own
// provider chain (environment, SSO, shared config and credentials files with
// credential_process and assume-role, web identity, container and instance
// roles), the caller's identity from STS, the stack's tags from
// CloudFormation and the stack lease in SSM. Loaded only in real-AWS mode.
import { createInterface } from 'node:readline/promises';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromIni, fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { StackAccount } from '../stack/claim.js';
import type { LeaseHolder, LeaseRead, LeaseRecord, LeaseStore } from '../stack/lease.js';
import type { CredentialResolver, SdkCredentialSource } from '../sam/credentials.js';

// dsync supports Node.js 20 (the lock file pins SDK versions that do); the
// SDK's notice about its future Node.js 22 requirement is not the user's to act on.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

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

/** The account dsync syncs into, as the host sees it: for the stack-per-developer name, the production guard and the lease. */
export type AwsAccount = StackAccount;

/** SSM parameter names allow letters, digits and . - _ / ; stack names are letters, digits and dashes. */
export const leaseParameter = (stackName: string) => `/dsync/stack-lease/${stackName}`;
export const originParameter = (stackName: string) => `/dsync/stack-origin/${stackName}`;

/** A lease record as dsync writes it, or why it is not one. */
export function parseLease(text: string | undefined): LeaseRead {
  let value: unknown;
  try {
    value = JSON.parse(text ?? '');
  } catch {
    return { corrupt: 'it is not JSON' };
  }
  const record = value as Partial<LeaseRecord> | null;
  const h = record?.holder as Partial<LeaseHolder> | undefined;
  if (record?.v !== 1 || !h) return { corrupt: 'it is not a dsync lease record (version 1)' };
  const strings = [h.id, h.who, h.arn, h.host].every((x) => typeof x === 'string');
  const numbers = [h.pid, h.since, h.renewedAt].every((x) => typeof x === 'number' && Number.isFinite(x));
  return strings && numbers ? { record: record as LeaseRecord } : { corrupt: 'its holder is incomplete' };
}

/**
 * The SDK clients ask `credentials` before each request, so refreshed
 * credentials (SSO, assume-role) keep the lease's heartbeat going for hours.
 */
export function awsAccount(credentials: CredentialResolver, region: string, endpointUrl?: string): AwsAccount {
  return new SdkAccount(credentials, region, endpointUrl);
}

class SdkAccount implements AwsAccount {
  private readonly sts: STSClient;
  private readonly cfn: CloudFormationClient;
  private readonly ssm: SSMClient;

  constructor(
    credentials: CredentialResolver,
    private readonly region: string,
    endpointUrl?: string,
  ) {
    const common = {
      region,
      credentials: async () => {
        const c = await credentials.get();
        return {
          accessKeyId: c.accessKeyId,
          secretAccessKey: c.secretAccessKey,
          sessionToken: c.sessionToken,
          expiration: c.expiresAt ? new Date(c.expiresAt) : undefined,
        };
      },
      ...(endpointUrl ? { endpoint: endpointUrl } : {}),
    };
    this.sts = new STSClient(common);
    this.cfn = new CloudFormationClient(common);
    this.ssm = new SSMClient(common);
  }

  async identity() {
    const out = await this.sts.send(new GetCallerIdentityCommand({}));
    return { account: out.Account ?? '?', arn: out.Arn ?? '?' };
  }

  async stackTags(stackName: string) {
    try {
      const out = await this.cfn.send(new DescribeStacksCommand({ StackName: stackName }));
      const stack = out.Stacks?.[0];
      if (!stack || stack.StackStatus === 'DELETE_COMPLETE') return undefined;
      return Object.fromEntries((stack.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
    } catch (error) {
      if (/does not exist/i.test((error as Error).message)) return undefined;
      throw error;
    }
  }

  /** The stack's lease and origin record, as two SSM parameters. */
  leaseStore(stackName: string): LeaseStore {
    const name = leaseParameter(stackName);
    const origin = originParameter(stackName);
    return {
      where: `SSM parameter ${name} (region ${this.region})`,
      read: async () => {
        const text = await this.getText(name);
        return text === undefined ? {} : parseLease(text);
      },
      create: (record) => this.createText(name, JSON.stringify(record), `dsync: who runs \`dsync up\` on stack ${stackName}`),
      write: async (record) => {
        await this.ssm.send(new PutParameterCommand({ Name: name, Value: JSON.stringify(record), Type: 'String', Overwrite: true }));
      },
      remove: async () => {
        try {
          await this.ssm.send(new DeleteParameterCommand({ Name: name }));
        } catch (error) {
          if ((error as Error).name !== 'ParameterNotFound') throw error;
        }
      },
      readOrigin: async () => {
        const text = await this.getText(origin);
        if (text === undefined) return undefined;
        try {
          return { createdByDsync: (JSON.parse(text) as { createdByDsync?: unknown }).createdByDsync === true };
        } catch {
          return { createdByDsync: false };
        }
      },
      createOrigin: async (value) => {
        await this.createText(origin, JSON.stringify(value), `dsync: whether dsync created stack ${stackName}`);
      },
    };
  }

  close(): void {
    this.sts.destroy();
    this.cfn.destroy();
    this.ssm.destroy();
  }

  /** A parameter's text, or undefined when it does not exist. */
  private async getText(name: string): Promise<string | undefined> {
    try {
      return (await this.ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value ?? '';
    } catch (error) {
      if ((error as Error).name === 'ParameterNotFound') return undefined;
      throw error;
    }
  }

  /** Create a parameter unless it exists; false when it did. */
  private async createText(name: string, value: string, description: string): Promise<boolean> {
    try {
      await this.ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: false, Description: description }));
      return true;
    } catch (error) {
      if ((error as Error).name === 'ParameterAlreadyExists') return false;
      throw error;
    }
  }
}
