"""Step Functions bridge: a state machine gets the template's definition,
from DefinitionString, DefinitionUri (S3) or an inline Definition, with its
DefinitionSubstitutions, on create and on update."""

import json

import pytest

from support import BUCKET, deploy, resources, sam_template, update, upload

ROLE = "arn:aws:iam::123456789012:role/sfn"


def definition(result):
    return {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "Result": result, "End": True}}}


@pytest.fixture
def sfn(emulator):
    return emulator.client("stepfunctions")


def deployed(sfn, cfn, stack, logical_id="Machine"):
    return json.loads(sfn.describe_state_machine(stateMachineArn=resources(cfn, stack)[logical_id][1])["definition"])


def test_definition_string_with_substitutions(sfn, cfn, name):
    machine = {
        "Type": "AWS::StepFunctions::StateMachine",
        "Properties": {"RoleArn": ROLE, "DefinitionString": json.dumps(definition("${Greeting}")), "DefinitionSubstitutions": {"Greeting": "hello"}},
    }
    deploy(cfn, name, {"Resources": {"Machine": machine}})
    assert deployed(sfn, cfn, name) == definition("hello")
    machine["Properties"]["DefinitionSubstitutions"] = {"Greeting": "again"}
    update(cfn, name, {"Resources": {"Machine": machine}})
    assert deployed(sfn, cfn, name) == definition("again")


def test_a_sam_machine_with_an_inline_definition(sfn, cfn, name):
    machine = {
        "Type": "AWS::Serverless::StateMachine",
        "Properties": {"Definition": definition("${Value}"), "DefinitionSubstitutions": {"Value": 42}, "Role": ROLE},
    }
    deploy(cfn, name, sam_template({"Machine": machine}))
    assert deployed(sfn, cfn, name) == definition("42")


def test_a_sam_machine_with_a_definition_uri(sfn, cfn, s3, name):
    uri = upload(s3, f"{name}/machine.asl.json", json.dumps(definition("from-s3")).encode())
    machine = {"Type": "AWS::Serverless::StateMachine", "Properties": {"DefinitionUri": uri, "Role": ROLE}}
    deploy(cfn, name, sam_template({"Machine": machine}))
    assert deployed(sfn, cfn, name) == definition("from-s3")
    upload(s3, f"{name}/v2.asl.yaml", b"StartAt: Done\nStates:\n  Done:\n    Type: Pass\n    Result: yaml\n    End: true\n")
    machine["Properties"]["DefinitionUri"] = {"Bucket": BUCKET, "Key": f"{name}/v2.asl.yaml"}
    update(cfn, name, sam_template({"Machine": machine}))
    assert deployed(sfn, cfn, name) == definition("yaml")
