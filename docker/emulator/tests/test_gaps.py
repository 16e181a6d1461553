"""Gaps and stand-ins: a resource moto cannot create stands in when it is
not code, every gap is recorded, and code resources stay exact."""

import pytest
import requests

from dsync_emulator import gaps, standins
from support import deploy, outputs, resources, update


def stack_gaps(emulator, stack):
    return [g for g in requests.get(f"{emulator.url}/_dsync/gaps", timeout=10).json() if g["stack"] == stack]


def test_a_type_moto_lacks_stands_in_and_is_recorded(emulator, cfn, name):
    template = {
        "Resources": {
            "Pipe": {"Type": "AWS::Pipes::Pipe", "Properties": {"Source": "x", "Target": "y", "RoleArn": "z"}},
            "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Fn::GetAtt": ["Pipe", "Name"]}}},
        },
        "Outputs": {
            "Ref": {"Value": {"Ref": "Pipe"}},
            "Arn": {"Value": {"Fn::GetAtt": ["Pipe", "Arn"]}},
            "Url": {"Value": {"Fn::GetAtt": ["Pipe", "QueueUrl"]}},
        },
    }
    assert deploy(cfn, name, template)["StackStatus"] == "CREATE_COMPLETE"
    assert outputs(cfn, name) == {
        "Ref": "dsync-standin-Pipe",
        "Arn": "arn:aws:pipes:us-east-1:123456789012:dsync-standin/Pipe",
        "Url": "https://dsync-standin.invalid/Pipe",
    }
    assert resources(cfn, name)["Topic"][1].endswith(":dsync-standin-Pipe-Name")
    [gap] = stack_gaps(emulator, name)
    assert (gap["logicalId"], gap["type"], gap["kind"], gap["standIn"]) == ("Pipe", "AWS::Pipes::Pipe", "unsupported", True)
    assert gap["error"] == "moto has no CloudFormation support for AWS::Pipes::Pipe"


def test_a_moto_failure_on_a_resource_that_is_not_code_stands_in(emulator, cfn, name):
    # moto raises on a queue whose RedrivePolicy names a queue that does not exist.
    queue = {
        "Type": "AWS::SQS::Queue",
        "Properties": {"RedrivePolicy": {"deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:nope", "maxReceiveCount": 1}},
    }
    template = {"Resources": {"Queue": queue}, "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Queue", "Arn"]}}}}
    assert deploy(cfn, name, template)["StackStatus"] == "CREATE_COMPLETE"
    assert outputs(cfn, name)["Arn"].endswith(":dsync-standin/Queue")
    [gap] = stack_gaps(emulator, name)
    assert (gap["logicalId"], gap["kind"], gap["standIn"]) == ("Queue", "failed", True)
    assert gap["where"].startswith("moto/")


def test_an_exact_type_moto_lacks_is_never_stood_in():
    unsupported = standins.Unsupported("AWS::Lambda::Alias")
    with pytest.raises(NotImplementedError, match="AWS::Lambda::Alias"):
        unsupported.create_from_cloudformation_json("Alias", {}, "123456789012", "us-east-1")


def test_a_resource_moto_cannot_update_in_place_is_replaced(cfn, name, code_uri):
    function = {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": code_uri, "Handler": "index.handler", "Runtime": "nodejs20.x"}}
    permission = {
        "Type": "AWS::Lambda::Permission",
        "Properties": {
            "Action": "lambda:InvokeFunction",
            "FunctionName": {"Ref": "Fn"},
            "Principal": "apigateway.amazonaws.com",
            "SourceArn": "arn:a",
        },
    }
    template = {"Transform": "AWS::Serverless-2016-10-31", "Resources": {"Fn": function, "Allow": permission}}
    deploy(cfn, name, template)
    permission["Properties"]["SourceArn"] = "arn:b"  # as when an API's path changes
    assert update(cfn, name, template)["StackStatus"] == "UPDATE_COMPLETE"
    assert "Allow" in resources(cfn, name)


def test_a_stack_failure_outside_any_resource_is_recorded():
    gaps.begin("outside")
    try:
        raise KeyError("Name")
    except KeyError as error:
        entry = gaps.stack_failure("outside", error)
    assert (entry["stack"], entry["logicalId"], entry["type"], entry["kind"], entry["standIn"]) == (
        "outside",
        "outside",
        "AWS::CloudFormation::Stack",
        "failed",
        False,
    )
    assert gaps.last_failure() is entry
    assert entry in gaps.gaps()
