"""State machine executions run (moto's execution engine, switched on by the
bridge): a machine from a stack, whose Lambda tasks run the deployed code,
with a Choice, a Map, Retry and Catch; unnamed executions; Express."""

import json
import time

import pytest

from support import deploy, make_zip, resources, sam_function, sam_template, upload

# Doubles a number; fails with a named error when asked, to exercise Retry and Catch.
DOUBLER = """
exports.handler = async (event) => {
  if (event.fail) { const e = new Error('asked to fail'); e.name = 'AskedToFail'; throw e; }
  return { value: event.value * 2 };
};
"""

DEFINITION = {
    "StartAt": "Double",
    "States": {
        "Double": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "${Doubler}", "Payload.$": "$"},
            "ResultSelector": {"value.$": "$.Payload.value"},
            "ResultPath": "$.doubled",
            "Retry": [{"ErrorEquals": ["AskedToFail"], "MaxAttempts": 1, "IntervalSeconds": 1}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"}],
            "Next": "Big?",
        },
        "Big?": {"Type": "Choice", "Choices": [{"Variable": "$.doubled.value", "NumericGreaterThan": 10, "Next": "Each"}], "Default": "Small"},
        "Small": {"Type": "Pass", "Result": "small", "End": True},
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "Parameters": {"value.$": "$$.Map.Item.Value"},
            "Iterator": {"StartAt": "Inner", "States": {"Inner": {"Type": "Task", "Resource": "${DoublerArn}", "End": True}}},
            "End": True,
        },
        "Failed": {"Type": "Fail", "Error": "Doubling", "Cause": "the doubler failed"},
    },
}


@pytest.fixture
def machine(emulator, cfn, s3, name, runtime):
    uri = upload(s3, f"{name}/doubler.zip", make_zip({"index.js": DOUBLER}))
    sm = {
        "Type": "AWS::Serverless::StateMachine",
        "Properties": {
            "Definition": DEFINITION,
            "DefinitionSubstitutions": {"Doubler": {"Ref": "Doubler"}, "DoublerArn": {"Fn::GetAtt": ["Doubler", "Arn"]}},
            "Policies": [{"LambdaInvokePolicy": {"FunctionName": {"Ref": "Doubler"}}}],
        },
    }
    deploy(cfn, name, sam_template({"Doubler": sam_function(uri, runtime), "Machine": sm}))
    return resources(cfn, name)["Machine"][1]


def run(sfn, arn, payload, timeout=30):
    started = sfn.start_execution(stateMachineArn=arn, input=json.dumps(payload))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        described = sfn.describe_execution(executionArn=started["executionArn"])
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.05)
    raise AssertionError(f"the execution is still RUNNING after {timeout} s")


def test_an_execution_runs_its_lambda_tasks_choice_and_map(emulator, machine):
    sfn = emulator.client("stepfunctions")
    small = run(sfn, machine, {"value": 2})
    assert small["status"] == "SUCCEEDED", small
    assert json.loads(small["output"]) == "small", small
    big = run(sfn, machine, {"value": 6, "items": [1, 2, 3]})
    assert big["status"] == "SUCCEEDED", big
    assert json.loads(big["output"]) == [{"value": 2}, {"value": 4}, {"value": 6}]
    history = sfn.get_execution_history(executionArn=big["executionArn"])["events"]
    assert any(e["type"] == "MapStateSucceeded" for e in history)


def test_a_failing_task_is_retried_then_caught(emulator, machine):
    failed = run(emulator.client("stepfunctions"), machine, {"value": 1, "fail": True})
    assert (failed["status"], failed["error"], failed["cause"]) == ("FAILED", "Doubling", "the doubler failed")


def test_unnamed_executions_get_names_of_their_own(emulator, machine):
    sfn = emulator.client("stepfunctions")
    first = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
    second = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
    assert first != second and not first.endswith(":None")
