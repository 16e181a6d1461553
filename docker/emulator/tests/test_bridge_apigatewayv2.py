"""API Gateway V2 (HTTP API) bridge: an HTTP API and its stage from
CloudFormation (moto has no models for them), with its routes from the
body; updates and ReimportApi keep the stages."""

import json

import pytest

from support import deploy, outputs, resources, sam_function, sam_template, update


@pytest.fixture
def apigw2(emulator):
    return emulator.client("apigatewayv2")


def route_keys(apigw2, api_id):
    return sorted(r["RouteKey"] for r in apigw2.get_routes(ApiId=api_id)["Items"])


def test_a_sam_http_api_gets_its_routes_and_default_stage(apigw2, cfn, name, code_uri):
    events = {"Hello": {"Type": "HttpApi", "Properties": {"Path": "/hello", "Method": "get"}}}
    outputs_ = {
        "Url": {"Value": {"Fn::GetAtt": ["ServerlessHttpApi", "ApiEndpoint"]}},
        "Id": {"Value": {"Fn::GetAtt": ["ServerlessHttpApi", "ApiId"]}},
    }
    deploy(cfn, name, sam_template({"Fn": sam_function(code_uri, Events=events)}, outputs_))
    api_id = resources(cfn, name)["ServerlessHttpApi"][1]
    assert route_keys(apigw2, api_id) == ["GET /hello"]
    assert [s["StageName"] for s in apigw2.get_stages(ApiId=api_id)["Items"]] == ["$default"]
    found = outputs(cfn, name)
    assert found["Id"] == api_id
    assert found["Url"] == apigw2.get_api(ApiId=api_id)["ApiEndpoint"]


def http_body(*routes):
    integration = {
        "type": "aws_proxy",
        "httpMethod": "POST",
        "uri": "arn:aws:lambda:us-east-1:123456789012:function:f",
        "payloadFormatVersion": "2.0",
    }
    return {
        "openapi": "3.0.1",
        "info": {"title": "http-body"},
        "paths": {p: {m: {"x-amazon-apigateway-integration": integration}} for m, p in routes},
    }


def test_an_update_and_a_reimport_keep_the_stages(apigw2, cfn, name):
    template = {
        "Resources": {
            "Api": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"Body": http_body(("get", "/a"))}},
            "Stage": {"Type": "AWS::ApiGatewayV2::Stage", "Properties": {"ApiId": {"Ref": "Api"}, "StageName": "live", "AutoDeploy": True}},
        },
        "Outputs": {"Stage": {"Value": {"Ref": "Stage"}}},
    }
    deploy(cfn, name, template)
    api_id = resources(cfn, name)["Api"][1]
    assert apigw2.get_api(ApiId=api_id)["Name"] == "http-body"
    assert route_keys(apigw2, api_id) == ["GET /a"]
    assert outputs(cfn, name)["Stage"] == "live"
    template["Resources"]["Api"]["Properties"]["Body"] = http_body(("post", "/b"))
    update(cfn, name, template)
    assert route_keys(apigw2, api_id) == ["POST /b"]
    assert [s["StageName"] for s in apigw2.get_stages(ApiId=api_id)["Items"]] == ["live"]
    # `sam sync --code` on an HTTP API:
    apigw2.reimport_api(ApiId=api_id, Body=json.dumps(http_body(("put", "/c"))))
    assert route_keys(apigw2, api_id) == ["PUT /c"]
    assert [s["StageName"] for s in apigw2.get_stages(ApiId=api_id)["Items"]] == ["live"]


def test_deleting_the_stack_deletes_the_api(apigw2, cfn, name):
    deploy(cfn, name, {"Resources": {"Api": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"Name": name, "ProtocolType": "HTTP"}}}})
    api_id = resources(cfn, name)["Api"][1]
    cfn.delete_stack(StackName=name)
    assert api_id not in [a["ApiId"] for a in apigw2.get_apis()["Items"]]


def test_a_catch_all_event_is_the_default_route(apigw2, cfn, name, code_uri):
    deploy(cfn, name, sam_template({"Fn": sam_function(code_uri, Events={"All": {"Type": "HttpApi"}})}))
    assert route_keys(apigw2, resources(cfn, name)["ServerlessHttpApi"][1]) == ["$default"]
