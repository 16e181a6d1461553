"""What an execution does, state by state, as Step Functions does it: one
definition with a Parallel of a Lambda task that fails once and is retried,
a Map over a function, and a caught error, shaped by Parameters,
ResultSelector, ResultPath and OutputPath; a Choice to a Fail state. It runs
on a STANDARD machine (StartExecution; DescribeExecution and
GetExecutionHistory must tell what happened) and on an EXPRESS one
(StartSyncExecution answers with the outcome)."""

import json
import time
import uuid

import boto3
import pytest
from botocore.config import Config

from support import REGION, deploy, logged_events, make_zip, resources, sam_function, sam_template, upload

# Fails the first time it sees a key (a marker file remembers it), then doubles the value.
FLAKY = """
const fs = require('fs'); const os = require('os'); const path = require('path');
exports.handler = async (event) => {
  console.log('EVENT ' + JSON.stringify(event));
  const marker = path.join(os.tmpdir(), 'dsync-flaky-' + event.key);
  if (!fs.existsSync(marker)) { fs.writeFileSync(marker, ''); const e = new Error('first try fails'); e.name = 'Flaky'; throw e; }
  return { value: event.value * 2, noise: 'dropped by ResultSelector' };
};
"""
SQUARE = "exports.handler = async (event) => ({ square: event.n * event.n, index: event.i });"
REFUSE = "exports.handler = async () => { const e = new Error('no stock'); e.name = 'Declined'; throw e; };"

DEFINITION = {
    "StartAt": "Shape",
    "States": {
        "Shape": {
            "Type": "Pass",
            "Parameters": {"key.$": "$.key", "items.$": "$.items", "meta": {"via": "Parameters"}},
            "ResultPath": "$.shaped",
            "OutputPath": "$.shaped",
            "Next": "Together",
        },
        "Together": {
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": "Flaky",
                    "States": {
                        "Flaky": {
                            "Type": "Task",
                            "Resource": "arn:aws:states:::lambda:invoke",
                            "Parameters": {"FunctionName": "${Flaky}", "Payload": {"key.$": "$.key", "value": 21}},
                            "ResultSelector": {"doubled.$": "$.Payload.value"},
                            "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1, "MaxAttempts": 2, "BackoffRate": 1}],
                            "End": True,
                        }
                    },
                },
                {
                    "StartAt": "Each",
                    "States": {
                        "Each": {
                            "Type": "Map",
                            "ItemsPath": "$.items",
                            "Parameters": {"n.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"},
                            "Iterator": {"StartAt": "Square", "States": {"Square": {"Type": "Task", "Resource": "${SquareArn}", "End": True}}},
                            "End": True,
                        }
                    },
                },
                {
                    "StartAt": "Refuse",
                    "States": {
                        "Refuse": {
                            "Type": "Task",
                            "Resource": "${RefuseArn}",
                            "Catch": [{"ErrorEquals": ["Declined"], "ResultPath": "$.caught", "Next": "Recovered"}],
                            "End": True,
                        },
                        "Recovered": {"Type": "Pass", "OutputPath": "$.caught.Error", "End": True},
                    },
                },
            ],
            "ResultSelector": {"doubled.$": "$[0].doubled", "squares.$": "$[1]", "recovered.$": "$[2]"},
            "ResultPath": "$.results",
            "Next": "Check",
        },
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$.key", "StringMatches": "reject-*", "Next": "Reject"}], "Default": "Done"},
        "Reject": {"Type": "Fail", "Error": "Rejected", "Cause": "the key asked for it"},
        "Done": {"Type": "Pass", "OutputPath": "$.results", "End": True},
    },
}

EXPECTED = {"doubled": 42, "squares": [{"square": 1, "index": 0}, {"square": 4, "index": 1}, {"square": 9, "index": 2}], "recovered": "Declined"}


@pytest.fixture
def stack(emulator, cfn, s3, name, runtime):
    """Three functions and the definition twice: Standard and Express. Logical id -> physical id."""
    functions = {}
    for logical_id, source in (("Flaky", FLAKY), ("Square", SQUARE), ("Refuse", REFUSE)):
        functions[logical_id] = sam_function(upload(s3, f"{name}/{logical_id}.zip", make_zip({"index.js": source})), runtime)
    substitutions = {
        "Flaky": {"Ref": "Flaky"},
        "SquareArn": {"Fn::GetAtt": ["Square", "Arn"]},
        "RefuseArn": {"Fn::GetAtt": ["Refuse", "Arn"]},
    }
    policies = [{"LambdaInvokePolicy": {"FunctionName": {"Ref": f}}} for f in functions]
    machines = {
        logical_id: {
            "Type": "AWS::Serverless::StateMachine",
            "Properties": {"Type": kind, "Definition": DEFINITION, "DefinitionSubstitutions": substitutions, "Policies": policies},
        }
        for logical_id, kind in (("Standard", "STANDARD"), ("Express", "EXPRESS"))
    }
    deploy(cfn, name, sam_template({**functions, **machines}))
    return {logical_id: physical for logical_id, (_, physical) in resources(cfn, name).items()}


def sync_client(emulator):
    """A Step Functions client as a script against the emulator needs it for StartSyncExecution (no "sync-" host)."""
    return boto3.client("stepfunctions", endpoint_url=emulator.url, region_name=REGION, config=Config(inject_host_prefix=False))


def finished(sfn, execution_arn, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        described = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.05)
    raise AssertionError(f"{execution_arn} is still RUNNING after {timeout} s")


def order(key):
    return json.dumps({"key": key, "items": [1, 2, 3], "ignored": True})


def test_a_standard_execution_runs_every_state_and_its_history_says_so(emulator, stack):
    sfn = emulator.client("stepfunctions")
    key = uuid.uuid4().hex
    started = sfn.start_execution(stateMachineArn=stack["Standard"], input=order(key))
    done = finished(sfn, started["executionArn"])
    assert done["status"] == "SUCCEEDED", done
    assert json.loads(done["output"]) == EXPECTED
    assert json.loads(done["input"]) == json.loads(order(key))
    assert done["stopDate"] >= done["startDate"]

    events = sfn.get_execution_history(executionArn=started["executionArn"])["events"]
    types = [e["type"] for e in events]
    assert types[0] == "ExecutionStarted" and types[-1] == "ExecutionSucceeded"
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    # The retried task: scheduled twice, failed once with the function's error, then succeeded.
    failed = [e["taskFailedEventDetails"] for e in events if e["type"] == "TaskFailed"]
    assert [f["error"] for f in failed] == ["Flaky"]
    assert types.count("TaskScheduled") == 2 and types.count("TaskSucceeded") == 1
    assert len(logged_events(emulator, stack["Flaky"], 2)) == 2
    # The Map ran its function once per item, the caught error is in the history, the Parallel ended.
    assert types.count("LambdaFunctionSucceeded") == 3 and types.count("MapIterationSucceeded") == 3
    assert {"MapStateSucceeded", "ParallelStateSucceeded", "LambdaFunctionFailed"} <= set(types)
    assert [e["stateExitedEventDetails"]["name"] for e in events if e["type"] == "PassStateExited"][-1] == "Done"


def test_a_standard_execution_that_reaches_a_fail_state_is_failed_with_its_error(emulator, stack):
    sfn = emulator.client("stepfunctions")
    started = sfn.start_execution(stateMachineArn=stack["Standard"], input=order(f"reject-{uuid.uuid4().hex}"))
    done = finished(sfn, started["executionArn"])
    assert (done["status"], done["error"], done["cause"]) == ("FAILED", "Rejected", "the key asked for it")
    assert "output" not in done
    last = sfn.get_execution_history(executionArn=started["executionArn"])["events"][-1]
    assert last["type"] == "ExecutionFailed"
    assert last["executionFailedEventDetails"] == {"error": "Rejected", "cause": "the key asked for it"}


def test_an_express_sync_execution_answers_with_the_same_outcome(emulator, stack):
    answer = sync_client(emulator).start_sync_execution(stateMachineArn=stack["Express"], input=order(uuid.uuid4().hex))
    assert answer["status"] == "SUCCEEDED", answer
    assert json.loads(answer["output"]) == EXPECTED


def test_an_express_sync_execution_that_fails_answers_200_with_error_and_cause(emulator, stack):
    answer = sync_client(emulator).start_sync_execution(stateMachineArn=stack["Express"], input=order(f"reject-{uuid.uuid4().hex}"))
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert (answer["status"], answer["error"], answer["cause"]) == ("FAILED", "Rejected", "the key asked for it")
    assert "output" not in answer


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("$.items[0].id", "a"),  # moto alone: ["a"]
        ("$.items[0].tags", ["x"]),  # moto alone: [["x"]]
        ("$[1]", "last"),
        ("$.items[0]", {"id": "a", "tags": ["x"]}),
        ("$.items[*].id", ["a", "b"]),
        ("$.items[?(@.id == 'b')].id", ["b"]),
        ("$..id", ["a", "b"]),
        ("$.items[1:].id", ["b"]),
    ],
)
def test_a_path_that_names_one_value_gives_it_and_others_give_lists(emulator, path, value):
    from moto.stepfunctions.parser.asl.component.common.string import string_expression

    data = {"items": [{"id": "a", "tags": ["x"]}, {"id": "b"}]}
    if path.startswith("$["):
        data = ["first", "last"]
    assert string_expression.extract_json(path, data) == value
