// Reads what an AWS emulator (moto) really holds, over its own APIs, the way
// an AWS client would: CloudFormation for the stack's physical ids, Lambda,
// API Gateway (REST and HTTP), Step Functions, DynamoDB, SQS. Requests carry a
// SigV4-shaped Authorization header with the service name, which is how
// moto's server routes them; the signature itself is not checked.
import { readZip } from './zip.js';

export const REGION = 'us-east-1';

const auth = (service: string) => ({
  authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${REGION}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
});

export class EmulatorApi {
  constructor(readonly endpoint: string) {}

  private async rest(service: string, path: string): Promise<Record<string, unknown>> {
    const res = await fetch(`${this.endpoint}${path}`, { headers: auth(service) });
    if (!res.ok) throw new Error(`${service} GET ${path}: ${res.status} ${(await res.text()).slice(0, 300)}`);
    return (await res.json()) as Record<string, unknown>;
  }

  private async json(service: string, target: string, body: object): Promise<Record<string, unknown>> {
    const res = await fetch(this.endpoint, {
      method: 'POST',
      headers: { ...auth(service), 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${target}: ${res.status} ${(await res.text()).slice(0, 300)}`);
    return (await res.json()) as Record<string, unknown>;
  }

  private async query(service: string, params: Record<string, string>): Promise<string> {
    const res = await fetch(this.endpoint, {
      method: 'POST',
      headers: { ...auth(service), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${params.Action}: ${res.status} ${text.slice(0, 300)}`);
    return text;
  }

  /** Logical id -> { physical id, type } for a stack's resources (empty when the stack does not exist). */
  async stackResources(stack: string): Promise<Map<string, { physicalId: string; type: string }>> {
    const out = new Map<string, { physicalId: string; type: string }>();
    let xml: string;
    try {
      xml = await this.query('cloudformation', { Action: 'DescribeStackResources', Version: '2010-05-15', StackName: stack });
    } catch {
      return out;
    }
    for (const m of xml.matchAll(/<member>([\s\S]*?)<\/member>/g)) {
      const body = m[1]!;
      const logical = /<LogicalResourceId>([^<]*)<\/LogicalResourceId>/.exec(body)?.[1];
      const physical = /<PhysicalResourceId>([^<]*)<\/PhysicalResourceId>/.exec(body)?.[1] ?? '';
      const type = /<ResourceType>([^<]*)<\/ResourceType>/.exec(body)?.[1] ?? '';
      if (logical) out.set(logical, { physicalId: decode(physical), type });
    }
    return out;
  }

  /** An IAM user with an access key: credentials whose STS identity is that user. */
  /** A user in the emulator's Cognito user pool, signed in: its ID token (what a JWT authorizer on that pool accepts). */
  async cognitoIdToken(userPoolId: string, clientId: string, username: string, password: string): Promise<string> {
    const call = (action: string, body: object) => this.json('cognito-idp', `AWSCognitoIdentityProviderService.${action}`, body);
    await call('AdminCreateUser', { UserPoolId: userPoolId, Username: username, TemporaryPassword: password, MessageAction: 'SUPPRESS' });
    await call('AdminSetUserPassword', { UserPoolId: userPoolId, Username: username, Password: password, Permanent: true });
    const signedIn = await call('AdminInitiateAuth', {
      UserPoolId: userPoolId,
      ClientId: clientId,
      AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: password },
    });
    return (signedIn.AuthenticationResult as { IdToken: string }).IdToken;
  }

  /** PutEvents, as an app's script sends events to a bus. */
  async putEvents(entries: Array<{ Source: string; DetailType: string; Detail: string; EventBusName?: string }>): Promise<Record<string, unknown>> {
    return this.json('events', 'AWSEvents.PutEvents', { Entries: entries });
  }

  /**
   * StartSyncExecution of an Express machine: the answer comes when the execution has ended. Sent to
   * the endpoint as it is; an SDK would prefix its host with "sync-" unless told not to
   * (boto3 `inject_host_prefix=False`, the JavaScript SDK `disableHostPrefix: true`).
   */
  async startSyncExecution(stateMachineArn: string, input: object, name?: string): Promise<Record<string, unknown>> {
    return this.json('states', 'AWSStepFunctions.StartSyncExecution', { stateMachineArn, input: JSON.stringify(input), ...(name ? { name } : {}) });
  }

  /** Start an execution and wait until it is no longer RUNNING; its DescribeExecution. */
  async runExecution(stateMachineArn: string, input: object, timeoutMs = 60_000): Promise<Record<string, unknown>> {
    const started = await this.json('states', 'AWSStepFunctions.StartExecution', { stateMachineArn, input: JSON.stringify(input) });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const described = await this.json('states', 'AWSStepFunctions.DescribeExecution', { executionArn: started.executionArn });
      if (described.status !== 'RUNNING' || Date.now() > deadline) return described;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async iamUserKeys(user: string): Promise<{ AWS_ACCESS_KEY_ID: string; AWS_SECRET_ACCESS_KEY: string }> {
    await this.query('iam', { Action: 'CreateUser', Version: '2010-05-08', UserName: user });
    const xml = await this.query('iam', { Action: 'CreateAccessKey', Version: '2010-05-08', UserName: user });
    return {
      AWS_ACCESS_KEY_ID: /<AccessKeyId>([^<]*)<\/AccessKeyId>/.exec(xml)![1]!,
      AWS_SECRET_ACCESS_KEY: /<SecretAccessKey>([^<]*)<\/SecretAccessKey>/.exec(xml)![1]!,
    };
  }

  /** An SSM parameter's value, or undefined. */
  async parameter(name: string): Promise<string | undefined> {
    try {
      const out = await this.json('ssm', 'AmazonSSM.GetParameter', { Name: name });
      return (out.Parameter as { Value?: string } | undefined)?.Value;
    } catch {
      return undefined;
    }
  }

  /** A stack made outside dsync (a pipeline's), with tags. */
  async createStack(name: string, templateBody: string, tags: Record<string, string>): Promise<void> {
    const params: Record<string, string> = { Action: 'CreateStack', Version: '2010-05-15', StackName: name, TemplateBody: templateBody };
    Object.entries(tags).forEach(([key, value], i) => {
      params[`Tags.member.${i + 1}.Key`] = key;
      params[`Tags.member.${i + 1}.Value`] = value;
    });
    await this.query('cloudformation', params);
  }

  async stackStatus(stack: string): Promise<string | undefined> {
    try {
      const xml = await this.query('cloudformation', { Action: 'DescribeStacks', Version: '2010-05-15', StackName: stack });
      return /<StackStatus>([^<]*)<\/StackStatus>/.exec(xml)?.[1];
    } catch {
      return undefined;
    }
  }

  async functionConfig(name: string): Promise<Record<string, unknown>> {
    return this.rest('lambda', `/2015-03-31/functions/${encodeURIComponent(name)}/configuration`);
  }

  /** The deployed zip's files, through dsync's read-only route in its emulator. */
  async functionZip(name: string): Promise<Map<string, Buffer>> {
    const res = await fetch(`${this.endpoint}/_dsync/lambda/${REGION}/${encodeURIComponent(name)}/code`);
    return res.ok ? readZip(Buffer.from(await res.arrayBuffer())) : new Map();
  }

  async layerVersions(name: string): Promise<number[]> {
    const out = await this.rest('lambda', `/2018-10-31/layers/${encodeURIComponent(name)}/versions`);
    return ((out.LayerVersions as Array<{ Version: number }>) ?? []).map((v) => v.Version);
  }

  async layerZip(name: string, version: number): Promise<Map<string, Buffer>> {
    const res = await fetch(`${this.endpoint}/_dsync/lambda/${REGION}/layers/${encodeURIComponent(name)}/${version}/code`);
    return res.ok ? readZip(Buffer.from(await res.arrayBuffer())) : new Map();
  }

  async stateMachineDefinition(arn: string): Promise<string> {
    const out = await this.json('states', 'AWSStepFunctions.DescribeStateMachine', { stateMachineArn: arn });
    return String(out.definition ?? '');
  }

  /** "METHOD /path" for every method of a REST API, and its stage names. */
  async restApi(id: string): Promise<{ routes: string[]; stages: string[] }> {
    const resources = (await this.rest('apigateway', `/restapis/${id}/resources?embed=methods`)).item as Array<{
      path: string;
      resourceMethods?: Record<string, unknown>;
    }>;
    const routes = resources.flatMap((r) => Object.keys(r.resourceMethods ?? {}).map((m) => `${m} ${r.path}`));
    const stages = ((await this.rest('apigateway', `/restapis/${id}/stages`)).item as Array<{ stageName: string }>).map((s) => s.stageName);
    return { routes: routes.sort(), stages: stages.sort() };
  }

  /** Route keys ("GET /items") and stage names of an HTTP API. */
  async httpApi(id: string): Promise<{ routes: string[]; stages: string[] }> {
    const routes = ((await this.rest('apigateway', `/v2/apis/${id}/routes`)).items as Array<{ routeKey: string }>).map((r) => r.routeKey);
    const stages = ((await this.rest('apigateway', `/v2/apis/${id}/stages`)).items as Array<{ stageName: string }>).map((s) => s.stageName);
    return { routes: routes.sort(), stages: stages.sort() };
  }

  /** SendMessage, as an app's script sends a job. */
  async sendMessage(queueUrl: string, body: string): Promise<void> {
    await this.json('sqs', 'AmazonSQS.SendMessage', { QueueUrl: queueUrl, MessageBody: body });
  }

  /** The bodies of the messages one ReceiveMessage gets (waiting up to waitSeconds for one). */
  async receiveBodies(queueUrl: string, waitSeconds = 1): Promise<string[]> {
    const out = await this.json('sqs', 'AmazonSQS.ReceiveMessage', { QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds });
    return ((out.Messages as Array<{ Body: string }> | undefined) ?? []).map((m) => m.Body);
  }

  /** PutItem with an item in DynamoDB's JSON ({ id: { S: 'x' } }). */
  async putItem(table: string, item: Record<string, unknown>): Promise<void> {
    await this.json('dynamodb', 'DynamoDB_20120810.PutItem', { TableName: table, Item: item });
  }

  /** GetItem by a string key `id`: the item in DynamoDB's JSON, or undefined. */
  async getItem(table: string, id: string): Promise<Record<string, { S?: string; N?: string }> | undefined> {
    const out = await this.json('dynamodb', 'DynamoDB_20120810.GetItem', { TableName: table, Key: { id: { S: id } }, ConsistentRead: true });
    return out.Item as Record<string, { S?: string; N?: string }> | undefined;
  }

  async tableExists(name: string): Promise<boolean> {
    const out = await this.json('dynamodb', 'DynamoDB_20120810.DescribeTable', { TableName: name }).catch(() => undefined);
    return out !== undefined;
  }
}

function decode(xml: string): string {
  return xml
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
