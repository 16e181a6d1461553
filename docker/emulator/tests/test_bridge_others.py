"""The smaller bridges: a Ref to an event bus is its name (a rule on it
deploys), SNS subscriptions with their attributes, and a nested stack's
outputs as GetAtt attributes."""

import json

import botocore.exceptions
import pytest

from support import BUCKET, deploy, outputs, resources, upload


def test_a_rule_on_the_stacks_own_event_bus(emulator, cfn, name):
    template = {
        "Resources": {
            "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": f"{name}-bus"}},
            "Rule": {"Type": "AWS::Events::Rule", "Properties": {"EventBusName": {"Ref": "Bus"}, "EventPattern": {"source": ["app"]}}},
        },
        "Outputs": {"Bus": {"Value": {"Ref": "Bus"}}},
    }
    assert deploy(cfn, name, template)["StackStatus"] == "CREATE_COMPLETE"
    assert outputs(cfn, name)["Bus"] == f"{name}-bus"
    rules = emulator.client("events").list_rules(EventBusName=f"{name}-bus")["Rules"]
    assert len(rules) == 1


def test_a_subscription_with_a_filter_policy(emulator, cfn, name):
    template = {
        "Resources": {
            "Topic": {"Type": "AWS::SNS::Topic"},
            "Queue": {"Type": "AWS::SQS::Queue"},
            "Sub": {
                "Type": "AWS::SNS::Subscription",
                "Properties": {
                    "TopicArn": {"Ref": "Topic"},
                    "Protocol": "sqs",
                    "Endpoint": {"Fn::GetAtt": ["Queue", "Arn"]},
                    "FilterPolicy": {"kind": ["order"]},
                    "RawMessageDelivery": "true",
                },
            },
        },
    }
    deploy(cfn, name, template)
    arn = resources(cfn, name)["Sub"][1]
    attributes = emulator.client("sns").get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert json.loads(attributes["FilterPolicy"]) == {"kind": ["order"]}
    assert attributes["RawMessageDelivery"] == "true"
    cfn.delete_stack(StackName=name)
    topic_subscriptions = emulator.client("sns").list_subscriptions()["Subscriptions"]
    assert arn not in [s["SubscriptionArn"] for s in topic_subscriptions]


def test_a_nested_stacks_outputs(cfn, s3, name):
    inner = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}, "Outputs": {"TopicArn": {"Value": {"Ref": "Topic"}}}}
    upload(s3, f"{name}/inner.json", json.dumps(inner).encode())
    url = f"http://emulator.invalid:4566/{BUCKET}/{name}/inner.json"  # read from the emulator's own S3
    template = {
        "Resources": {"Inner": {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": url}}},
        "Outputs": {"Nested": {"Value": {"Fn::GetAtt": ["Inner", "Outputs.TopicArn"]}}},
    }
    assert deploy(cfn, name, template)["StackStatus"] == "CREATE_COMPLETE"
    assert outputs(cfn, name)["Nested"].startswith("arn:aws:sns:us-east-1:123456789012:")


def test_a_nested_stack_has_only_its_outputs_as_attributes(cfn, s3, name):
    upload(s3, f"{name}/inner.json", json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}).encode())
    template = {
        "Resources": {
            "Inner": {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": f"http://emulator.invalid/{BUCKET}/{name}/inner.json"}}
        },
        "Outputs": {"Bogus": {"Value": {"Fn::GetAtt": ["Inner", "Bogus"]}}},
    }
    with pytest.raises(botocore.exceptions.ClientError, match="Bogus"):
        deploy(cfn, name, template)
