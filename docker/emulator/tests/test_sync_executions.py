"""StartSyncExecution (moto has none; bridges/sync_executions.py): an Express
machine's execution runs to its end before the answer, which has AWS's shape;
what AWS refuses is refused with AWS's error; the SDKs' "sync-" host prefix."""

import json
import re
import time
import urllib.request
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import EndpointConnectionError

from support import EVENT_LOGGER, REGION, deploy, logged_events, make_zip, resources, sam_function, sam_template, upload

ROLE = "arn:aws:iam::123456789012:role/sfn"


def pass_machine(result):
    return json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "Result": result, "End": True}}})


@pytest.fixture
def sfn(emulator):
    """A client as a script needs it against the emulator: the SDK's "sync-" host prefix off."""
    return boto3.client("stepfunctions", endpoint_url=emulator.url, region_name=REGION, config=Config(inject_host_prefix=False))


@pytest.fixture
def express(sfn, name):
    return sfn.create_state_machine(name=f"{name}-x", definition=pass_machine({"v": 1}), roleArn=ROLE, type="EXPRESS")["stateMachineArn"]


def test_a_stacks_express_machine_runs_its_lambda_task_before_the_answer(emulator, cfn, s3, sfn, name, runtime):
    uri = upload(s3, f"{name}/logger.zip", make_zip({"index.js": EVENT_LOGGER}))
    definition = {
        "StartAt": "Log",
        "States": {"Log": {"Type": "Task", "Resource": "${LoggerArn}", "ResultPath": "$.logged", "End": True}},
    }
    machine = {
        "Type": "AWS::Serverless::StateMachine",
        "Properties": {
            "Type": "EXPRESS",
            "Definition": definition,
            "DefinitionSubstitutions": {"LoggerArn": {"Fn::GetAtt": ["Logger", "Arn"]}},
            "Policies": [{"LambdaInvokePolicy": {"FunctionName": {"Ref": "Logger"}}}],
        },
    }
    deploy(cfn, name, sam_template({"Logger": sam_function(uri, runtime), "Machine": machine}))
    found = resources(cfn, name)
    arn, function = found["Machine"][1], found["Logger"][1]
    assert sfn.describe_state_machine(stateMachineArn=arn)["type"] == "EXPRESS"

    sent = json.dumps({"order": "o-1"})
    answer = sfn.start_sync_execution(stateMachineArn=arn, name="checkout-1", input=sent)
    assert answer["status"] == "SUCCEEDED", answer
    assert json.loads(answer["output"]) == {"order": "o-1", "logged": "ok"}
    assert logged_events(emulator, function) == [{"order": "o-1"}]  # ran before the answer, once
    machine_name = arn.split(":")[-1]
    assert re.fullmatch(rf"arn:aws:states:{REGION}:123456789012:express:{machine_name}:checkout-1:[0-9a-f-]{{36}}", answer["executionArn"])
    assert (answer["stateMachineArn"], answer["name"], answer["input"]) == (arn, "checkout-1", sent)
    assert answer["startDate"] <= answer["stopDate"]
    billed = answer["billingDetails"]
    assert billed["billedMemoryUsedInMB"] == 64
    assert billed["billedDurationInMilliseconds"] >= 100 and billed["billedDurationInMilliseconds"] % 100 == 0


def test_express_names_need_not_be_unique(sfn, express):
    first = sfn.start_sync_execution(stateMachineArn=express, name="same")
    second = sfn.start_sync_execution(stateMachineArn=express, name="same")
    assert first["status"] == second["status"] == "SUCCEEDED"
    assert first["executionArn"] != second["executionArn"]
    assert json.loads(first["output"]) == {"v": 1}
    assert sfn.start_sync_execution(stateMachineArn=express)["name"]  # unnamed: a name of its own


def test_the_next_execution_runs_an_updated_definition(sfn, express):
    sfn.update_state_machine(stateMachineArn=express, definition=pass_machine({"v": 2}))
    assert json.loads(sfn.start_sync_execution(stateMachineArn=express)["output"]) == {"v": 2}


def test_a_timeout_answers_timed_out(sfn, name):
    waits = json.dumps({"TimeoutSeconds": 1, "StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 3, "End": True}}})
    arn = sfn.create_state_machine(name=f"{name}-slow", definition=waits, roleArn=ROLE, type="EXPRESS")["stateMachineArn"]
    answer = sfn.start_sync_execution(stateMachineArn=arn)
    assert answer["status"] == "TIMED_OUT"
    assert "output" not in answer


def test_what_aws_refuses_is_refused_with_its_error(sfn, name, express):
    standard = sfn.create_state_machine(name=f"{name}-s", definition=pass_machine(1), roleArn=ROLE)["stateMachineArn"]
    with pytest.raises(sfn.exceptions.ClientError, match="StateMachineTypeNotSupported"):
        sfn.start_sync_execution(stateMachineArn=standard)
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.start_sync_execution(stateMachineArn=express + "-gone")
    with pytest.raises(sfn.exceptions.InvalidExecutionInput):
        sfn.start_sync_execution(stateMachineArn=express, input="{not json")


def test_start_execution_runs_an_express_machine_too(emulator, express):
    plain = emulator.client("stepfunctions")
    started = plain.start_execution(stateMachineArn=express, input="{}")
    for _ in range(200):
        described = plain.describe_execution(executionArn=started["executionArn"])
        if described["status"] != "RUNNING":
            break
        time.sleep(0.05)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"v": 1}


def test_the_sdks_host_prefix_is_the_callers_concern(emulator, express):
    """botocore sends StartSyncExecution to "sync-127.0.0.1" (no such name) unless told not to;
    a request that does arrive under that Host is answered like any other."""
    prefixed = boto3.client("stepfunctions", endpoint_url=emulator.url, region_name=REGION, config=Config(retries={"max_attempts": 1}))
    with pytest.raises(EndpointConnectionError, match=f"sync-127.0.0.1:{emulator.port}"):
        prefixed.start_sync_execution(stateMachineArn=express)
    request = urllib.request.Request(
        emulator.url + "/",
        data=json.dumps({"stateMachineArn": express, "input": json.dumps({"n": uuid.uuid4().hex})}).encode(),
        method="POST",
        headers={
            "Host": f"sync-127.0.0.1:{emulator.port}",
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "AWSStepFunctions.StartSyncExecution",
            "Authorization": f"AWS4-HMAC-SHA256 Credential=testing/20260101/{REGION}/states/aws4_request, SignedHeaders=host, Signature=0",
        },
    )
    with urllib.request.urlopen(request) as response:
        assert json.loads(response.read())["status"] == "SUCCEEDED"
