// npm run bench:triggers: how fast a trigger reaches the code in the
// emulator, measured from outside, as an app's script sends the event:
//
// - send -> function starts, for an SQS message (a queue with an event source
//   mapping), a DynamoDB PutItem on a streamed table with a mapping, an
//   EventBridge PutEvents matching a rule, and a Step Functions
//   StartExecution whose first state is a Lambda task. The function writes
//   Date.now() at its start into a table; the bench reads it through the
//   app's HTTP API and subtracts the time it sent the event (same machine,
//   same clock). RUNS of each, after one warm-up.
// - the emulator's idle CPU with ten triggers deployed (the four above and
//   six hourly schedules): its process's CPU time over IDLE_S seconds.
// Figures are printed, never asserted.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { cli, firstDeploy, fmt, percentile } from './lib.mjs';

const RUNS = Number(process.env.RUNS ?? 20);
const IDLE_S = Number(process.env.IDLE_S ?? 30);
const env = { ...process.env, CI: '1', DSYNC_SAM_BASE_IMAGE: process.env.DSYNC_SAM_BASE_IMAGE ?? 'dsync-local/debian:bookworm' };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const line = (label, values) => `${label.padEnd(44)} p50 ${fmt(percentile(values, 50)).padStart(9)}   p95 ${fmt(percentile(values, 95)).padStart(9)}   (n=${values.length})`;

const HANDLER = `const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient, PutCommand, GetCommand } = require('@aws-sdk/lib-dynamodb');
const table = DynamoDBDocumentClient.from(new DynamoDBClient({}));
exports.start = async (event) => {
  const startedAt = Date.now();
  const first = event.Records && event.Records[0];
  const id = first ? (first.body ?? first.dynamodb.NewImage.id.S) : event.detail ? event.detail.id : event.id;
  await table.send(new PutCommand({ TableName: process.env.TABLE_NAME, Item: { id, startedAt } }));
  return { id };
};
exports.read = async (event) => {
  const found = await table.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: { id: event.pathParameters.id } }));
  return found.Item ? { statusCode: 200, body: JSON.stringify(found.Item) } : { statusCode: 404, body: '{}' };
};
exports.noop = async () => 'ok';
`;

function app() {
  const root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-triggers-')), 'triggers-bench');
  fs.mkdirSync(path.join(root, 'src'), { recursive: true });
  fs.writeFileSync(path.join(root, 'src', 'app.js'), HANDLER);
  fs.writeFileSync(path.join(root, 'src', 'package.json'), JSON.stringify({ name: 'triggers-bench', version: '1.0.0', private: true }));
  const hourly = Array.from({ length: 6 }, (_, i) => `        Hourly${i}:\n          Type: Schedule\n          Properties: { Schedule: rate(1 hour) }`).join('\n');
  fs.writeFileSync(
    path.join(root, 'template.yaml'),
    `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs22.x
    CodeUri: src/
    Timeout: 10
    Environment: { Variables: { TABLE_NAME: !Ref Starts } }
Resources:
  Starts:
    Type: AWS::Serverless::SimpleTable
    Properties: { PrimaryKey: { Name: id, Type: String } }
  Jobs:
    Type: AWS::SQS::Queue
    Properties: { QueueName: bench-jobs }
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: bench-orders
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]
      KeySchema: [{ AttributeName: id, KeyType: HASH }]
      StreamSpecification: { StreamViewType: NEW_IMAGE }
  Start:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.start
      Policies: [{ DynamoDBCrudPolicy: { TableName: !Ref Starts } }]
      Events:
        FromQueue:
          Type: SQS
          Properties: { Queue: !GetAtt Jobs.Arn, BatchSize: 1 }
        FromTable:
          Type: DynamoDB
          Properties: { Stream: !GetAtt Orders.StreamArn, StartingPosition: LATEST, BatchSize: 1 }
        FromBus:
          Type: EventBridgeRule
          Properties: { Pattern: { source: [bench] } }
  Noop:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.noop
      Events:
${hourly}
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        StartAt: Start
        States:
          Start: { Type: Task, Resource: !GetAtt Start.Arn, End: true }
      Policies: [{ LambdaInvokePolicy: { FunctionName: !Ref Start } }]
  Read:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.read
      Policies: [{ DynamoDBReadPolicy: { TableName: !Ref Starts } }]
      Events:
        Read:
          Type: HttpApi
          Properties: { Path: '/starts/{id}', Method: GET }
Outputs:
  FlowArn: { Value: !Ref Flow }
  QueueUrl: { Value: !Ref Jobs }
`,
  );
  return root;
}

const auth = (service) => ({ authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0` });
async function call(endpoint, service, target, body) {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { ...auth(service), 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${target}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function startedAt(api, id) {
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    const res = await fetch(`${api}/starts/${id}`).catch(() => undefined);
    if (res?.status === 200) return (await res.json()).startedAt;
    await sleep(10);
  }
  throw new Error(`${id} never started`);
}

const root = app();
const child = spawn(process.execPath, [cli, 'up', '--emulator', '--json', '--cwd', root], { env, stdio: ['ignore', 'pipe', 'inherit'] });
const events = [];
createInterface({ input: child.stdout }).on('line', (l) => events.push(JSON.parse(l)));
try {
  await firstDeploy(child, events);
  const status = JSON.parse(spawnSync(process.execPath, [cli, 'status', '--json', '--cwd', root], { env, encoding: 'utf8' }).stdout);
  const endpoint = status.endpoint;
  const api = status.apis.find((a) => a.id === 'ServerlessHttpApi').url;
  const outputs = Object.fromEntries((events.find((e) => e.type === 'outputs')?.outputs ?? []).map((o) => [o.key ?? o.OutputKey, o.value ?? o.OutputValue]));
  const flowArn = outputs.FlowArn ?? Object.values(outputs).find((v) => String(v).includes(':stateMachine:'));
  const queueUrl = outputs.QueueUrl ?? `${endpoint}/123456789012/bench-jobs`;
  const senders = {
    'SQS SendMessage -> mapping': (id) => call(endpoint, 'sqs', 'AmazonSQS.SendMessage', { QueueUrl: queueUrl, MessageBody: id }),
    'DynamoDB PutItem -> stream mapping': (id) => call(endpoint, 'dynamodb', 'DynamoDB_20120810.PutItem', { TableName: 'bench-orders', Item: { id: { S: id } } }),
    'EventBridge PutEvents -> rule': (id) => call(endpoint, 'events', 'AWSEvents.PutEvents', { Entries: [{ Source: 'bench', DetailType: 'run', Detail: JSON.stringify({ id }) }] }),
    'Step Functions StartExecution -> task': (id) => call(endpoint, 'states', 'AWSStepFunctions.StartExecution', { stateMachineArn: flowArn, input: JSON.stringify({ id }) }),
  };
  console.log(`app: a function behind an SQS mapping, a table's stream, an EventBridge rule and a state machine's task; 6 hourly schedules beside them`);
  console.log('');
  for (const [label, send] of Object.entries(senders)) {
    const ms = [];
    for (let i = 0; i <= RUNS; i++) {
      const id = `${label.split(' ')[0]}-${i}-${Date.now()}`;
      const sent = Date.now();
      await send(id);
      const started = await startedAt(api, id);
      if (i > 0) ms.push(started - sent); // the first run warms the instance
    }
    console.log(`${line(`send -> function starts: ${label}`, ms)}   target p50 <= 100 ms`);
  }

  // Idle CPU of the emulator's process, with the ten triggers deployed.
  const script = `pid=$(pgrep -f dsync_emulator | head -n1); a=$(awk '{print $14+$15}' /proc/$pid/stat); sleep ${IDLE_S}; b=$(awk '{print $14+$15}' /proc/$pid/stat); echo $(( b - a )) $(getconf CLK_TCK)`;
  const idle = spawnSync(process.execPath, [cli, 'exec', '--cwd', root, '--', 'sh', '-c', script], { env, encoding: 'utf8' });
  const [ticks, hz] = idle.stdout.trim().split(/\s+/).map(Number);
  if (idle.status === 0 && hz) console.log(`emulator idle CPU with 10 triggers over ${IDLE_S} s: ${((ticks / hz / IDLE_S) * 100).toFixed(2)} % of a core   target <= 1 %`);
  else console.log(`emulator idle CPU: could not measure (${idle.stderr.trim().split('\n').pop()})`);
} finally {
  child.kill('SIGINT');
  await new Promise((r) => child.once('exit', r));
  spawnSync(process.execPath, [cli, 'down', '--purge', '--cwd', root], { env });
}
