"""CloudFormation as AWS runs it: the SAM transform server-side, the
template's stages, TemplateURL on any host, failed stacks as failed stacks."""

import json

import botocore.exceptions
import pytest
import requests

from dsync_emulator.cfn import sam_transform
from support import BUCKET, REGION, deploy, outputs, resources, sam_function, sam_template, update, upload


def body(answer):
    """GetTemplate's TemplateBody (botocore parses a JSON one already)."""
    text = answer["TemplateBody"]
    return json.loads(text) if isinstance(text, str) else json.loads(json.dumps(text))


def events_of(cfn, stack):
    return cfn.describe_stack_events(StackName=stack)["StackEvents"]


def test_create_stack_expands_the_sam_transform(cfn, name, code_uri):
    template = sam_template({"Fn": sam_function(code_uri)}, {"FnName": {"Value": {"Ref": "Fn"}}})
    stack = deploy(cfn, name, template)
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    found = resources(cfn, name)
    assert found["Fn"][0] == "AWS::Lambda::Function"
    assert found["FnRole"][0] == "AWS::IAM::Role"  # what the transform adds
    assert outputs(cfn, name)["FnName"] == found["Fn"][1]


def test_get_template_has_original_and_processed_stages(cfn, name, code_uri):
    template = sam_template({"Fn": sam_function(code_uri)})
    deploy(cfn, name, template)
    original = cfn.get_template(StackName=name, TemplateStage="Original")
    assert body(original) == template
    assert original["StagesAvailable"] == ["Original", "Processed"]
    assert body(cfn.get_template(StackName=name)) == template  # Original is the default
    processed = body(cfn.get_template(StackName=name, TemplateStage="Processed"))
    assert processed["Resources"]["Fn"]["Type"] == "AWS::Lambda::Function"
    assert "Transform" not in processed


def test_template_summary_declares_the_transform_also_from_any_url(cfn, s3, name, code_uri):
    text = json.dumps(sam_template({"Fn": sam_function(code_uri)}, Parameters={"Stage": {"Type": "String", "Default": "dev"}}))
    summary = cfn.get_template_summary(TemplateBody=text)
    assert summary["DeclaredTransforms"] == ["AWS::Serverless-2016-10-31"]
    assert [p["ParameterKey"] for p in summary["Parameters"]] == ["Stage"]
    upload(s3, f"{name}/template.json", text.encode())
    # A host that is neither AWS nor "localhost" (the emulator seen from a container): read path-style from its own S3.
    by_url = cfn.get_template_summary(TemplateURL=f"http://emulator.invalid:4566/{BUCKET}/{name}/template.json")
    assert by_url["DeclaredTransforms"] == ["AWS::Serverless-2016-10-31"]


def test_read_s3_url_reads_virtual_hosted_and_path_style(s3, name):
    upload(s3, f"{name}/a b.json", b"{}")
    assert sam_transform.read_s3_url(f"https://{BUCKET}.s3.{REGION}.amazonaws.com/{name}/a%20b.json", "123456789012") == "{}"
    assert sam_transform.read_s3_url(f"https://s3.amazonaws.com/{BUCKET}/{name}/a%20b.json", "123456789012") == "{}"
    assert sam_transform.read_s3_url(f"http://host.docker.internal:5000/{BUCKET}/{name}/a%20b.json", "123456789012") == "{}"


def test_validate_template_expands_sam_first(cfn):
    # (A table, not a function: cfn-lint, which moto runs, flags runtimes by today's date.)
    table = {"Type": "AWS::Serverless::SimpleTable", "Properties": {"PrimaryKey": {"Name": "id", "Type": "String"}}}
    answer = cfn.validate_template(TemplateBody=json.dumps(sam_template({"Table": table})))
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    with pytest.raises(botocore.exceptions.ClientError, match="Transform AWS::Serverless-2016-10-31 failed"):
        cfn.validate_template(
            TemplateBody=json.dumps(sam_template({"Table": {"Type": "AWS::Serverless::SimpleTable", "Properties": {"PrimaryKey": 1}}}))
        )


def test_an_invalid_sam_template_is_a_400_with_the_reasons(cfn, name):
    broken = sam_template({"Fn": {"Type": "AWS::Serverless::Function", "Properties": {"Handler": "index.handler"}}})
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        deploy(cfn, name, broken)
    assert raised.value.response["Error"]["Code"] == "ValidationError"
    assert "Transform AWS::Serverless-2016-10-31 failed with:" in raised.value.response["Error"]["Message"]


def test_a_repository_application_is_refused_plainly(cfn, name):
    app = {
        "Type": "AWS::Serverless::Application",
        "Properties": {"Location": {"ApplicationId": "arn:aws:serverlessrepo:x", "SemanticVersion": "1.0.0"}},
    }
    with pytest.raises(botocore.exceptions.ClientError, match="Serverless Application Repository"):
        deploy(cfn, name, sam_template({"App": app}))


def test_a_create_change_set_runs_like_create_stack(cfn, name, code_uri):
    template = sam_template({"Fn": sam_function(code_uri)}, {"FnArn": {"Value": {"Fn::GetAtt": ["Fn", "Arn"]}}}, Description="made by a change set")
    change_set = cfn.create_change_set(
        StackName=name, ChangeSetName="first", ChangeSetType="CREATE", TemplateBody=json.dumps(template), Capabilities=["CAPABILITY_IAM"]
    )
    cfn.execute_change_set(ChangeSetName=change_set["Id"], StackName=name)
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["Description"] == "made by a change set"
    assert outputs(cfn, name)["FnArn"].endswith(f":function:{resources(cfn, name)['Fn'][1]}")
    assert body(cfn.get_template(StackName=name)) == template


def test_use_previous_value_of_a_defaulted_parameter(cfn, name):
    template = {
        "Parameters": {"Stage": {"Type": "String", "Default": "dev"}, "Size": {"Type": "String"}},
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Fn::Sub": "${AWS::StackName}-${Stage}-${Size}"}}}},
        "Outputs": {"Name": {"Value": {"Fn::GetAtt": ["Topic", "TopicName"]}}},
    }
    deploy(cfn, name, template, {"Size": "s"})
    template["Resources"]["Queue"] = {"Type": "AWS::SQS::Queue"}
    # SAM sends UsePreviousValue for every parameter it does not override; Stage took its Default.
    previous = [{"ParameterKey": "Stage", "UsePreviousValue": True}, {"ParameterKey": "Size", "UsePreviousValue": True}]
    assert update(cfn, name, template, previous)["StackStatus"] == "UPDATE_COMPLETE"
    assert outputs(cfn, name)["Name"] == f"{name}-dev-s"


def broken_function(name):
    """A function whose code is not in S3: moto raises while creating it."""
    return {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Code": {"S3Bucket": BUCKET, "S3Key": f"{name}/missing.zip"},
            "Handler": "i.h",
            "Runtime": "nodejs20.x",
            "Role": "arn:aws:iam::123456789012:role/x",
        },
    }


def test_a_failed_resource_fails_the_stack_as_cloudformation_does(emulator, cfn, name):
    stack = deploy(cfn, name, {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}, "Broken": broken_function(name)}})
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    failed = [e for e in events_of(cfn, name) if e.get("LogicalResourceId") == "Broken"]
    assert failed[0]["ResourceStatus"] == "CREATE_FAILED"
    assert "the emulator (moto) could not create it" in failed[0]["ResourceStatusReason"]
    assert "(an emulator gap, not your template)" in failed[0]["ResourceStatusReason"]
    gaps = [g for g in requests.get(f"{emulator.url}/_dsync/gaps", timeout=10).json() if g["stack"] == name]
    assert [(g["logicalId"], g["kind"], g["standIn"]) for g in gaps] == [("Broken", "failed", False)]
    assert gaps[0]["where"].startswith("moto/")
    cfn.describe_stack_resources(StackName=name)  # the stack stays readable


def test_updating_a_stack_whose_creation_failed_creates_it_again(cfn, name):
    deploy(cfn, name, {"Parameters": {"P": {"Type": "String"}}, "Resources": {"Broken": broken_function(name)}}, {"P": "kept"})
    fixed = {"Parameters": {"P": {"Type": "String"}}, "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}, "Outputs": {"P": {"Value": {"Ref": "P"}}}}
    stack = update(cfn, name, fixed, [{"ParameterKey": "P", "UsePreviousValue": True}])
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert outputs(cfn, name) == {"P": "kept"}


def test_a_failed_update_rolls_back(cfn, name):
    deploy(cfn, name, {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}})
    stack = update(cfn, name, {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}, "Broken": broken_function(name)}})
    assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert any(e["ResourceStatus"] == "UPDATE_FAILED" for e in events_of(cfn, name) if e.get("LogicalResourceId") == "Broken")


def test_create_stack_from_a_template_url_on_any_host(cfn, s3, name):
    upload(s3, f"{name}/t.json", json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}).encode())
    cfn.create_stack(StackName=name, TemplateURL=f"http://host.docker.internal:4566/{BUCKET}/{name}/t.json")
    assert resources(cfn, name)["Topic"][0] == "AWS::SNS::Topic"
