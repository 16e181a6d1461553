"""Event sources with Lambda's semantics, sent through the emulator's own
AWS APIs as an app's script sends them: SQS batches, windows, filters,
partial batch failures and the DLQ; streams' filters, retries, bisection
and OnFailure; asynchronous retries and destinations; SNS filter policies
and the event SNS gives. Each asserts on what the function logged or on
what reached a queue."""

import base64
import json
import time

import pytest

from dsync_emulator.sources import asynchronous, streams
from support import deploy, logged_events, make_zip, resources, sam_function, sam_template, upload

# Logs each event; fails the batch on "boom", reports items with "bad" (ReportBatchItemFailures).
JUDGE = """
exports.handler = async (event) => {
  console.log('EVENT ' + JSON.stringify(event));
  if (event && event.fail) throw new Error('asked to fail');
  const failures = [];
  for (const r of (event && event.Records) || []) {
    const text = r.body ?? (r.kinesis ? Buffer.from(r.kinesis.data, 'base64').toString() : JSON.stringify(r.dynamodb || r.Sns || {}));
    if (text.includes('boom')) throw new Error('boom in ' + text);
    if (text.includes('bad')) failures.push({ itemIdentifier: r.messageId ?? (r.kinesis ? r.kinesis.sequenceNumber : r.dynamodb.SequenceNumber) });
  }
  return { batchItemFailures: failures };
};
"""


@pytest.fixture
def judge_uri(s3, name):
    return upload(s3, f"{name}/judge.zip", make_zip({"index.js": JUDGE}))


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    monkeypatch.setattr(streams, "RETRY_BASE_S", 0.05)
    monkeypatch.setattr(asynchronous, "RETRY_DELAYS_S", (0.05, 0.05))


def queue_resource(name, **properties):
    return {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": name, **properties}}


def bodies(events):
    return [r["body"] for e in events for r in e["Records"]]


def drain(sqs, url, wait=0):
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait, MessageAttributeNames=["All"]).get("Messages", [])
    return got


def wait_for_messages(sqs, url, count, timeout=15):
    deadline, found = time.monotonic() + timeout, []
    while time.monotonic() < deadline and len(found) < count:
        found += drain(sqs, url, wait=1)
    return found


def test_a_queue_batches_messages_within_the_window_with_real_attributes(emulator, cfn, name, judge_uri, runtime):
    sqs_event = {"Type": "SQS", "Properties": {"Queue": {"Fn::GetAtt": ["Jobs", "Arn"]}, "BatchSize": 5, "MaximumBatchingWindowInSeconds": 1}}
    deploy(cfn, name, sam_template({"Jobs": queue_resource(f"{name}-jobs"), "Fn": sam_function(judge_uri, runtime, Events={"Q": sqs_event})}))
    sqs = emulator.client("sqs")
    url = sqs.get_queue_url(QueueName=f"{name}-jobs")["QueueUrl"]
    for i in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=f"job-{i}", MessageAttributes={"kind": {"DataType": "String", "StringValue": "report"}})
    events = logged_events(emulator, resources(cfn, name)["Fn"][1], count=1)
    time.sleep(0.5)
    events = logged_events(emulator, resources(cfn, name)["Fn"][1], count=1)
    assert len(events) == 1 and sorted(bodies(events)) == ["job-0", "job-1", "job-2"]
    record = events[0]["Records"][0]
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["messageAttributes"]["kind"]["stringValue"] == "report"
    assert record["eventSourceARN"].endswith(f":{name}-jobs")
    assert not wait_for_messages(sqs, url, 1, timeout=1)  # deleted after success


def test_partial_failures_come_back_and_go_to_the_dlq(emulator, cfn, name, judge_uri, runtime):
    redrive = {"deadLetterTargetArn": {"Fn::GetAtt": ["Dead", "Arn"]}, "maxReceiveCount": 2}
    sqs_event = {"Type": "SQS", "Properties": {"Queue": {"Fn::GetAtt": ["Jobs", "Arn"]}, "FunctionResponseTypes": ["ReportBatchItemFailures"]}}
    template = {
        "Dead": queue_resource(f"{name}-dead"),
        "Jobs": queue_resource(f"{name}-jobs", VisibilityTimeout=1, RedrivePolicy=redrive),
        "Fn": sam_function(judge_uri, runtime, Events={"Q": sqs_event}),
    }
    deploy(cfn, name, sam_template(template))
    sqs = emulator.client("sqs")
    url = sqs.get_queue_url(QueueName=f"{name}-jobs")["QueueUrl"]
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "1", "MessageBody": "good-1"}, {"Id": "2", "MessageBody": "bad-1"}])
    dead = wait_for_messages(sqs, sqs.get_queue_url(QueueName=f"{name}-dead")["QueueUrl"], 1, timeout=20)
    assert [m["Body"] for m in dead] == ["bad-1"]
    seen = bodies(logged_events(emulator, resources(cfn, name)["Fn"][1], count=2))
    assert seen.count("good-1") == 1 and seen.count("bad-1") == 2  # received twice (maxReceiveCount), then moved


def test_a_failed_batch_is_received_again(emulator, cfn, name, judge_uri, runtime):
    sqs_event = {"Type": "SQS", "Properties": {"Queue": {"Fn::GetAtt": ["Jobs", "Arn"]}}}
    deploy(
        cfn,
        name,
        sam_template({"Jobs": queue_resource(f"{name}-jobs", VisibilityTimeout=1), "Fn": sam_function(judge_uri, runtime, Events={"Q": sqs_event})}),
    )
    sqs = emulator.client("sqs")
    sqs.send_message(QueueUrl=sqs.get_queue_url(QueueName=f"{name}-jobs")["QueueUrl"], MessageBody="boom")
    events = logged_events(emulator, resources(cfn, name)["Fn"][1], count=2)
    assert [e["Records"][0]["attributes"]["ApproximateReceiveCount"] for e in events[:2]] == ["1", "2"]


def test_a_queue_filter_lets_through_what_it_matches_and_deletes_the_rest(emulator, cfn, name, judge_uri, runtime):
    criteria = {"Filters": [{"Pattern": json.dumps({"body": {"kind": ["order"]}})}]}
    sqs_event = {"Type": "SQS", "Properties": {"Queue": {"Fn::GetAtt": ["Jobs", "Arn"]}, "FilterCriteria": criteria}}
    deploy(cfn, name, sam_template({"Jobs": queue_resource(f"{name}-jobs"), "Fn": sam_function(judge_uri, runtime, Events={"Q": sqs_event})}))
    sqs = emulator.client("sqs")
    url = sqs.get_queue_url(QueueName=f"{name}-jobs")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"kind": "other", "n": 1}))
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"kind": "order", "n": 2}))
    events = logged_events(emulator, resources(cfn, name)["Fn"][1], count=1)
    time.sleep(0.5)
    assert [json.loads(b)["n"] for b in bodies(logged_events(emulator, resources(cfn, name)["Fn"][1]))] == [2]
    assert events and not wait_for_messages(sqs, url, 1, timeout=1)


def test_a_streamed_table_feeds_only_what_the_filter_matches(emulator, cfn, name, judge_uri, runtime):
    table = {
        "Type": "AWS::DynamoDB::Table",
        "Properties": {
            "TableName": f"{name}-items",
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST",
            "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
        },
    }
    criteria = {"Filters": [{"Pattern": json.dumps({"eventName": ["INSERT"], "dynamodb": {"NewImage": {"kind": {"S": ["order"]}}}})}]}
    stream_event = {
        "Type": "DynamoDB",
        "Properties": {"Stream": {"Fn::GetAtt": ["Items", "StreamArn"]}, "StartingPosition": "LATEST", "FilterCriteria": criteria},
    }
    deploy(cfn, name, sam_template({"Items": table, "Fn": sam_function(judge_uri, runtime, Events={"S": stream_event})}))
    ddb = emulator.client("dynamodb")
    ddb.put_item(TableName=f"{name}-items", Item={"id": {"S": "a"}, "kind": {"S": "note"}})
    ddb.put_item(TableName=f"{name}-items", Item={"id": {"S": "b"}, "kind": {"S": "order"}})
    ddb.put_item(TableName=f"{name}-items", Item={"id": {"S": "b"}, "kind": {"S": "order"}, "paid": {"BOOL": True}})  # MODIFY
    events = logged_events(emulator, resources(cfn, name)["Fn"][1], count=1)
    time.sleep(0.5)
    records = [r for e in logged_events(emulator, resources(cfn, name)["Fn"][1]) for r in e["Records"]]
    assert [(r["eventName"], r["dynamodb"]["Keys"]["id"]["S"]) for r in records] == [("INSERT", "b")]
    assert events[0]["Records"][0]["eventSourceARN"].startswith("arn:aws:dynamodb:")


def test_a_kinesis_batch_is_bisected_retried_and_sent_on_failure(emulator, cfn, name, judge_uri, runtime):
    stream_event = {
        "Type": "Kinesis",
        "Properties": {
            "Stream": {"Fn::GetAtt": ["Feed", "Arn"]},
            "StartingPosition": "TRIM_HORIZON",
            "BatchSize": 4,
            "MaximumBatchingWindowInSeconds": 1,
            "BisectBatchOnFunctionError": True,
            "MaximumRetryAttempts": 1,
            "DestinationConfig": {"OnFailure": {"Destination": {"Fn::GetAtt": ["Failed", "Arn"]}}},
        },
    }
    template = {
        "Feed": {"Type": "AWS::Kinesis::Stream", "Properties": {"Name": f"{name}-feed", "ShardCount": 1}},
        "Failed": queue_resource(f"{name}-failed"),
        "Fn": sam_function(judge_uri, runtime, Events={"K": stream_event}),
    }
    deploy(cfn, name, sam_template(template))
    kinesis = emulator.client("kinesis")
    for text in ("one", "two", "boom", "four"):
        kinesis.put_record(StreamName=f"{name}-feed", PartitionKey="p", Data=text.encode())
    sqs = emulator.client("sqs")
    failed = wait_for_messages(sqs, sqs.get_queue_url(QueueName=f"{name}-failed")["QueueUrl"], 1, timeout=20)
    info = json.loads(failed[0]["Body"])
    assert info["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert info["KinesisBatchInfo"]["batchSize"] == 1 and info["KinesisBatchInfo"]["streamArn"].endswith(f"/{name}-feed")
    runs = [
        [base64.b64decode(r["kinesis"]["data"]).decode() for r in e["Records"]]
        for e in logged_events(emulator, resources(cfn, name)["Fn"][1], count=6)
    ]
    # The whole batch, in order; its halves; the bad half's halves; the bad record's one retry; then the stream moves on.
    assert runs == [["one", "two", "boom", "four"], ["one", "two"], ["boom", "four"], ["boom"], ["boom"], ["four"]]


def test_asynchronous_invocations_are_retried_and_sent_to_destinations(emulator, cfn, name, judge_uri, runtime):
    config = {
        "MaximumRetryAttempts": 1,
        "DestinationConfig": {
            "OnSuccess": {"Type": "SQS", "Destination": {"Fn::GetAtt": ["Done", "Arn"]}},
            "OnFailure": {"Type": "SQS", "Destination": {"Fn::GetAtt": ["Failed", "Arn"]}},
        },
    }
    template = {
        "Done": queue_resource(f"{name}-done"),
        "Failed": queue_resource(f"{name}-failed"),
        "Fn": sam_function(judge_uri, runtime, EventInvokeConfig=config),
    }
    deploy(cfn, name, sam_template(template))
    function = resources(cfn, name)["Fn"][1]
    lam = emulator.client("lambda")
    assert lam.invoke(FunctionName=function, InvocationType="Event", Payload=json.dumps({"fail": True}))["StatusCode"] == 202
    lam.invoke(FunctionName=function, InvocationType="Event", Payload=json.dumps({"id": "fine"}))
    sqs = emulator.client("sqs")
    failure = json.loads(wait_for_messages(sqs, sqs.get_queue_url(QueueName=f"{name}-failed")["QueueUrl"], 1)[0]["Body"])
    success = json.loads(wait_for_messages(sqs, sqs.get_queue_url(QueueName=f"{name}-done")["QueueUrl"], 1)[0]["Body"])
    assert failure["requestContext"]["condition"] == "RetriesExhausted" and failure["requestContext"]["approximateInvokeCount"] == 2
    assert failure["requestPayload"] == {"fail": True} and failure["responsePayload"]["errorMessage"] == "asked to fail"
    assert success["requestContext"]["condition"] == "Success" and success["requestPayload"] == {"id": "fine"}
    assert sum(1 for e in logged_events(emulator, function, count=3) if e.get("fail")) == 2


def test_a_failed_asynchronous_event_reaches_the_dead_letter_queue_after_two_retries(emulator, cfn, name, judge_uri, runtime):
    dlq = {"Type": "SQS", "TargetArn": {"Fn::GetAtt": ["Dead", "Arn"]}}
    deploy(cfn, name, sam_template({"Dead": queue_resource(f"{name}-dead"), "Fn": sam_function(judge_uri, runtime, DeadLetterQueue=dlq)}))
    function = resources(cfn, name)["Fn"][1]
    emulator.client("lambda").invoke(FunctionName=function, InvocationType="Event", Payload=json.dumps({"fail": True, "n": 7}))
    sqs = emulator.client("sqs")
    dead = wait_for_messages(sqs, sqs.get_queue_url(QueueName=f"{name}-dead")["QueueUrl"], 1)
    assert json.loads(dead[0]["Body"]) == {"fail": True, "n": 7}
    assert dead[0]["MessageAttributes"]["ErrorMessage"]["StringValue"] == "asked to fail"
    assert len(logged_events(emulator, function, count=3)) == 3  # the first run and Lambda's two retries


def test_sns_filter_policies_decide_and_the_event_names_the_topic(emulator, cfn, name, judge_uri, runtime):
    topic = {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": f"{name}-topic"}}
    sns_event = {"Type": "SNS", "Properties": {"Topic": {"Ref": "Topic"}, "FilterPolicy": {"kind": ["order"]}}}
    deploy(cfn, name, sam_template({"Topic": topic, "Fn": sam_function(judge_uri, runtime, Events={"T": sns_event})}))
    sns = emulator.client("sns")
    arn = resources(cfn, name)["Topic"][1]
    sns.publish(TopicArn=arn, Message="a note", MessageAttributes={"kind": {"DataType": "String", "StringValue": "note"}})
    sent = sns.publish(TopicArn=arn, Message="an order", Subject="hi", MessageAttributes={"kind": {"DataType": "String", "StringValue": "order"}})
    events = logged_events(emulator, resources(cfn, name)["Fn"][1], count=1)
    time.sleep(0.5)
    events = logged_events(emulator, resources(cfn, name)["Fn"][1])
    # One message got through (a slow run may be retried, as Lambda retries it: the same message again).
    assert {e["Records"][0]["Sns"]["MessageId"] for e in events} == {sent["MessageId"]}
    message = events[0]["Records"][0]["Sns"]
    assert (message["Message"], message["TopicArn"], message["MessageId"], message["Subject"]) == ("an order", arn, sent["MessageId"], "hi")
    assert message["MessageAttributes"]["kind"] == {"Type": "String", "Value": "order"}


def test_a_deleted_mapping_delivers_nothing_more(emulator, name, judge_uri, runtime, cfn):
    sqs_event = {"Type": "SQS", "Properties": {"Queue": {"Fn::GetAtt": ["Jobs", "Arn"]}}}
    deploy(cfn, name, sam_template({"Jobs": queue_resource(f"{name}-jobs"), "Fn": sam_function(judge_uri, runtime, Events={"Q": sqs_event})}))
    lam, sqs = emulator.client("lambda"), emulator.client("sqs")
    function = resources(cfn, name)["Fn"][1]
    for mapping in lam.list_event_source_mappings(FunctionName=function)["EventSourceMappings"]:
        lam.delete_event_source_mapping(UUID=mapping["UUID"])
    url = sqs.get_queue_url(QueueName=f"{name}-jobs")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="after")
    assert [m["Body"] for m in wait_for_messages(sqs, url, 1, timeout=3)] == ["after"]
    assert logged_events(emulator, function, timeout=0.5) == []


def test_triggers_the_emulator_does_not_run_are_said_once_and_the_rest_deploys(emulator, cfn, name, judge_uri, runtime):
    import requests

    to_stream = {
        "Type": "AWS::Events::Rule",
        "Properties": {"EventPattern": {"source": ["x"]}, "Targets": [{"Id": "ToFeed", "Arn": {"Fn::GetAtt": ["Feed", "Arn"]}}]},
    }
    pool = {
        "Type": "AWS::Cognito::UserPool",
        "Properties": {"UserPoolName": f"{name}-pool", "LambdaConfig": {"PreSignUp": {"Fn::GetAtt": ["Fn", "Arn"]}}},
    }
    template = {
        "Feed": {"Type": "AWS::Kinesis::Stream", "Properties": {"Name": f"{name}-feed", "ShardCount": 1}},
        "ToFeed": to_stream,
        "Users": pool,
        "Fn": sam_function(judge_uri, runtime, Events={"Q": {"Type": "SQS", "Properties": {"Queue": {"Fn::GetAtt": ["Jobs", "Arn"]}}}}),
        "Jobs": queue_resource(f"{name}-jobs"),
    }
    assert deploy(cfn, name, sam_template(template))["StackStatus"] == "CREATE_COMPLETE"
    inert = {
        g["logicalId"]: g["error"]
        for g in requests.get(f"{emulator.url}/_dsync/gaps", timeout=5).json()
        if g["stack"] == name and g["kind"] == "inert"
    }
    assert set(inert) == {"ToFeed", "Users"}
    assert "ToFeed (kinesis)" in inert["ToFeed"] and "Cognito user pool triggers" in inert["Users"]


def test_the_run_log_names_the_stacks_resources_and_waits_for_the_next_run(emulator, cfn, name, judge_uri, runtime):
    import requests

    sqs_event = {"Type": "SQS", "Properties": {"Queue": {"Fn::GetAtt": ["Jobs", "Arn"]}}}
    deploy(cfn, name, sam_template({"Jobs": queue_resource(f"{name}-jobs"), "Fn": sam_function(judge_uri, runtime, Events={"Q": sqs_event})}))
    base = f"{emulator.url}/_dsync/runs/us-east-1/{name}"
    start = requests.get(base, params={"after": ""}, timeout=5).json()
    assert start["runs"] == []
    sqs = emulator.client("sqs")
    sqs.send_message(QueueUrl=sqs.get_queue_url(QueueName=f"{name}-jobs")["QueueUrl"], MessageBody="boom")
    answer = requests.get(base, params={"after": start["last"], "wait": 10}, timeout=15).json()
    run = answer["runs"][0]
    assert (run["source"], run["target"], run["ok"], run["detail"]) == ("Jobs", "Fn", False, "1 message; they come back after the visibility timeout")
    assert run["error"] == "Error: boom in boom"


def test_a_mapping_with_a_broken_filter_is_refused(emulator, cfn, name, judge_uri, runtime):
    from botocore.exceptions import ClientError

    sqs, lam = emulator.client("sqs"), emulator.client("lambda")
    deploy(cfn, name, sam_template({"Fn": sam_function(judge_uri, runtime)}))
    queue = sqs.create_queue(QueueName=f"{name}-q")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    with pytest.raises(ClientError, match="not JSON"):
        lam.create_event_source_mapping(
            EventSourceArn=arn, FunctionName=resources(cfn, name)["Fn"][1], FilterCriteria={"Filters": [{"Pattern": "{body"}]}
        )
    assert lam.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"] == []
