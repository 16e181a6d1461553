"""EventBridge rules deliver what they match (the real PutEvents of this
emulator, as an app's script would send it): to a function on a custom bus
through an input transformer, to a queue, a topic and a state machine; a
disabled rule sends nothing, a schedule-only rule takes no ordinary event,
and a target that fails does not stop the others."""

import json

import pytest

from support import EVENT_LOGGER, deploy, logged_events, make_zip, resources, sam_function, sam_template, upload


def put(emulator, bus, detail, source="shop.orders", detail_type="OrderPlaced"):
    answer = emulator.client("events").put_events(
        Entries=[{"Source": source, "DetailType": detail_type, "Detail": json.dumps(detail), "EventBusName": bus}]
    )
    assert answer["FailedEntryCount"] == 0, answer
    return answer["Entries"][0]["EventId"]


@pytest.fixture
def logger_uri(s3, name):
    return upload(s3, f"{name}/logger.zip", make_zip({"index.js": EVENT_LOGGER}))


def test_a_custom_bus_rule_runs_its_function_with_the_transformed_input(emulator, cfn, name, logger_uri, runtime):
    rule = {
        "Type": "EventBridgeRule",
        "Properties": {
            "EventBusName": {"Ref": "Bus"},
            "Pattern": {"source": ["shop.orders"], "detail": {"total": [{"numeric": [">", 100]}]}},
            "InputTransformer": {
                "InputPathsMap": {"id": "$.detail.id", "total": "$.detail.total"},
                "InputTemplate": '{"order": <id>, "text": "big order <id>", "total": <total>}',
            },
        },
    }
    deploy(
        cfn,
        name,
        sam_template(
            {
                "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": f"{name}-bus"}},
                "Fn": sam_function(logger_uri, runtime, Events={"Big": rule}),
            }
        ),
    )
    function = resources(cfn, name)["Fn"][1]
    put(emulator, f"{name}-bus", {"id": "o-1", "total": 5})  # too small: not delivered
    put(emulator, f"{name}-bus", {"id": "o-2", "total": 250})
    assert logged_events(emulator, function) == [{"order": "o-2", "text": "big order o-2", "total": 250}]


def test_queues_topics_and_state_machines_get_the_event(emulator, name):
    events, sqs, sns, sfn = (emulator.client(s) for s in ("events", "sqs", "sns", "stepfunctions"))
    queue = sqs.create_queue(QueueName=f"{name}-q")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    topic = sns.create_topic(Name=f"{name}-t")["TopicArn"]
    topic_queue = sqs.create_queue(QueueName=f"{name}-tq")["QueueUrl"]
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=sqs.get_queue_attributes(QueueUrl=topic_queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    )
    machine = sfn.create_state_machine(
        name=f"{name}-m",
        roleArn="arn:aws:iam::123456789012:role/x",
        definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}),
    )["stateMachineArn"]
    events.put_rule(Name=f"{name}-r", EventPattern=json.dumps({"source": [name]}))
    targets = [
        {"Id": "broken", "Arn": "arn:aws:lambda:us-east-1:123456789012:function:no-such-function"},
        {"Id": "q", "Arn": queue_arn, "InputPath": "$.detail"},
        {"Id": "t", "Arn": topic},
        {"Id": "m", "Arn": machine, "Input": '{"fixed": true}'},
    ]
    events.put_targets(Rule=f"{name}-r", Targets=targets)
    put(emulator, "default", {"n": 1}, source=name)
    got = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=2)["Messages"]
    assert json.loads(got[0]["Body"]) == {"n": 1}
    via_topic = json.loads(sqs.receive_message(QueueUrl=topic_queue, WaitTimeSeconds=2)["Messages"][0]["Body"])
    assert json.loads(via_topic["Message"])["detail"] == {"n": 1}
    executions = sfn.list_executions(stateMachineArn=machine)["executions"]
    assert len(executions) == 1
    assert json.loads(sfn.describe_execution(executionArn=executions[0]["executionArn"])["input"]) == {"fixed": True}


def test_disabled_and_schedule_only_rules_take_no_event(emulator, name):
    events, sqs = emulator.client("events"), emulator.client("sqs")
    queue = sqs.create_queue(QueueName=f"{name}-q")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name=f"{name}-off", EventPattern=json.dumps({"source": [name]}), State="DISABLED")
    events.put_rule(Name=f"{name}-cron", ScheduleExpression="rate(1 hour)")
    for rule in (f"{name}-off", f"{name}-cron"):
        events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": queue_arn}])
    put(emulator, "default", {"n": 1}, source=name)
    assert "Messages" not in sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1)


def test_s3_sends_its_object_events_to_the_default_bus(emulator, name):
    s3, sqs, events = (emulator.client(s) for s in ("s3", "sqs", "events"))
    bucket = f"{name}-bucket"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"EventBridgeConfiguration": {}})
    queue = sqs.create_queue(QueueName=f"{name}-q")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    pattern = {"source": ["aws.s3"], "detail": {"bucket": {"name": [bucket]}}}
    events.put_rule(Name=f"{name}-r", EventPattern=json.dumps(pattern))
    events.put_targets(
        Rule=f"{name}-r",
        Targets=[
            {
                "Id": "q",
                "Arn": queue_arn,
                "InputTransformer": {"InputPathsMap": {"d": "$.detail", "t": "$.detail-type"}, "InputTemplate": '{"type": <t>, "detail": <d>}'},
            }
        ],
    )
    s3.put_object(Bucket=bucket, Key="uploads/a.txt", Body=b"hello")
    s3.put_object(Bucket=bucket, Key="uploads/b.txt", Body=b"hello")
    got = [json.loads(m["Body"]) for m in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=2)["Messages"]]
    assert sorted(g["detail"]["object"]["key"] for g in got) == ["uploads/a.txt", "uploads/b.txt"]
    assert {g["type"] for g in got} == {"Object Created"}  # no "Object Tags Added" beside them
    assert {g["detail"]["reason"] for g in got} == {"PutObject"} and got[0]["detail"]["object"]["size"] == 5
