"""API Gateway (REST) bridge: a REST API made from a CloudFormation body gets
its routes (Swagger 2.0, mocks, methods on "/"), its stage exists, an update
replaces the routes, and the body may come from S3."""

import json

import pytest

from support import BUCKET, deploy, outputs, resources, sam_function, sam_template, update, upload


@pytest.fixture
def apigw(emulator):
    return emulator.client("apigateway")


def routes_of(apigw, api_id):
    """{path: sorted methods}."""
    items = apigw.get_resources(restApiId=api_id, limit=500)["items"]
    return {item["path"]: sorted(item.get("resourceMethods", {})) for item in items}


def api_events(*routes):
    return {f"E{i}": {"Type": "Api", "Properties": {"Path": path, "Method": method}} for i, (method, path) in enumerate(routes)}


def test_a_sam_api_gets_its_routes_and_stage(apigw, cfn, name, code_uri):
    events = api_events(("get", "/"), ("get", "/hello"), ("post", "/items/{id}"))
    deploy(cfn, name, sam_template({"Fn": sam_function(code_uri, Events=events)}))
    found = resources(cfn, name)
    api_id = found["ServerlessRestApi"][1]
    assert routes_of(apigw, api_id) == {"/": ["GET"], "/hello": ["GET"], "/items": [], "/items/{id}": ["POST"]}
    integration = apigw.get_integration(restApiId=api_id, resourceId=root_id(apigw, api_id), httpMethod="GET")
    assert integration["type"].upper() == "AWS_PROXY"
    assert ":function:" in integration["uri"]
    # (SAM's deployment also makes the stage "Stage", on AWS as here.)
    assert "Prod" in [s["stageName"] for s in apigw.get_stages(restApiId=api_id)["item"]]
    assert found["ServerlessRestApiProdStage"][1] == "Prod"
    assert apigw.get_rest_api(restApiId=api_id)["name"] == name  # SAM's title is the stack name


def root_id(apigw, api_id):
    return next(item["id"] for item in apigw.get_resources(restApiId=api_id)["items"] if item["path"] == "/")


def mock_body(*paths):
    """A Swagger 2.0 body whose methods are mocks (no uri, no httpMethod)."""
    mock = {"x-amazon-apigateway-integration": {"type": "mock", "requestTemplates": {"application/json": '{"statusCode": 200}'}}}
    return {"swagger": "2.0", "info": {"title": "from-the-body"}, "paths": {path: {"get": mock} for path in paths}}


def test_a_rest_api_body_with_mocks_and_its_update(apigw, cfn, name):
    template = {
        "Resources": {
            "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Body": mock_body("/a", "/b")}},
            "Deployment": {"Type": "AWS::ApiGateway::Deployment", "Properties": {"RestApiId": {"Ref": "Api"}}},
            "Stage": {
                "Type": "AWS::ApiGateway::Stage",
                "Properties": {"RestApiId": {"Ref": "Api"}, "DeploymentId": {"Ref": "Deployment"}, "StageName": "v1"},
            },
        },
        "Outputs": {"Deployment": {"Value": {"Ref": "Deployment"}}},
    }
    deploy(cfn, name, template)
    api_id = resources(cfn, name)["Api"][1]
    assert apigw.get_rest_api(restApiId=api_id)["name"] == "from-the-body"  # no Name: the body's title
    assert routes_of(apigw, api_id) == {"/": [], "/a": ["GET"], "/b": ["GET"]}
    deployment = outputs(cfn, name)["Deployment"]
    assert apigw.get_stage(restApiId=api_id, stageName="v1")["deploymentId"] == deployment
    template["Resources"]["Api"]["Properties"]["Body"] = mock_body("/c")
    update(cfn, name, template)
    assert resources(cfn, name)["Api"][1] == api_id  # updated in place
    assert routes_of(apigw, api_id) == {"/": [], "/c": ["GET"]}


def test_a_body_from_s3(apigw, cfn, s3, name):
    key = f"{name}/openapi.json"
    upload(s3, key, json.dumps(mock_body("/from-s3")).encode())
    deploy(cfn, name, {"Resources": {"Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"BodyS3Location": {"Bucket": BUCKET, "Key": key}}}}})
    assert "/from-s3" in routes_of(apigw, resources(cfn, name)["Api"][1])


def test_put_rest_api_takes_swagger_2(apigw):
    # `sam sync --code` on an API puts its new body straight away.
    api_id = apigw.create_rest_api(name="put")["id"]
    apigw.put_rest_api(restApiId=api_id, mode="overwrite", body=json.dumps(mock_body("/put")).encode())
    assert "/put" in routes_of(apigw, api_id)


def test_an_any_method_is_stored_as_any(apigw, cfn, name, code_uri):
    deploy(cfn, name, sam_template({"Fn": sam_function(code_uri, Events=api_events(("any", "/items")))}))
    assert routes_of(apigw, resources(cfn, name)["ServerlessRestApi"][1])["/items"] == ["ANY"]
