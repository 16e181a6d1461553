"""API Gateway V2 (HTTP API) bridge: moto's apigatewayv2 has no
CloudFormation models at all, so AWS::ApiGatewayV2::Api and ::Stage are
defined here, and an API's body import keeps its stages."""

import json

from moto.apigatewayv2 import models as apigw2
from moto.cloudformation import parsing as cfn_parsing
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel

from .. import patching
from .models import BridgeModel, api_body

ANY_ROUTE = "X-AMAZON-APIGATEWAY-ANY-METHOD "


def _keep_cors(api, props, body):
    """After an import: SAM's catch-all and ANY routes as API Gateway names them (moto keeps the
    extension's name: 'X-AMAZON-APIGATEWAY-ANY-METHOD $default'), and the API's CORS configuration
    and body for the gateway (SAM writes CorsConfiguration into the body as x-amazon-apigateway-cors)."""
    for route in getattr(api, "routes", {}).values():
        key = route.route_key or ""
        if key.startswith(ANY_ROUTE):
            rest = key[len(ANY_ROUTE) :]
            route.route_key = "$default" if rest == "$default" else f"ANY {rest}"
    api.dsync_cors = (body or {}).get("x-amazon-apigateway-cors") or props.get("CorsConfiguration")
    api.dsync_body = body  # its authorizers and security, for the gateway


class CfnHttpApi(BridgeModel, CloudFormationModel):
    """AWS::ApiGatewayV2::Api: moto's apigatewayv2 has no CloudFormation models at all."""

    __module__ = "moto.apigatewayv2.dsync_bridge"

    CFN_TYPE = "AWS::ApiGatewayV2::Api"
    NAME_PROPERTY = "Name"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json["Properties"]
        backend = apigw2.apigatewayv2_backends[account_id][region_name]
        body = api_body(props, account_id)
        api = backend.create_api(
            api_key_selection_expression=None,
            cors_configuration=props.get("CorsConfiguration"),
            description=props.get("Description"),
            disable_schema_validation=None,
            disable_execute_api_endpoint=props.get("DisableExecuteApiEndpoint"),
            name=props.get("Name") or ((body or {}).get("info") or {}).get("title") or resource_name,
            protocol_type=props.get("ProtocolType", "HTTP"),
            route_selection_expression=None,
            tags=props.get("Tags") or {},
            version=None,
        )
        if body:
            api.import_api(json.dumps(body), fail_on_warnings=False)
        _keep_cors(api, props, body)
        return api

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        body = api_body(cloudformation_json["Properties"], account_id)
        if body:
            original_resource.import_api(json.dumps(body), fail_on_warnings=False)
        _keep_cors(original_resource, cloudformation_json["Properties"], body)
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        apigw2.apigatewayv2_backends[account_id][region_name].apis.pop(resource_name, None)


class CfnHttpApiStage(BridgeModel, CloudFormationModel):
    """AWS::ApiGatewayV2::Stage (an HTTP API's $default or named stage)."""

    __module__ = "moto.apigatewayv2.dsync_bridge"

    CFN_TYPE = "AWS::ApiGatewayV2::Stage"
    NAME_PROPERTY = "StageName"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json["Properties"]
        backend = apigw2.apigatewayv2_backends[account_id][region_name]
        api = backend.get_api(props["ApiId"])
        api.stages.pop(props["StageName"], None)
        config = {
            "stageName": props["StageName"],
            "autoDeploy": props.get("AutoDeploy"),
            "stageVariables": props.get("StageVariables", {}),
            "description": props.get("Description"),
        }
        return backend.create_stage(props["ApiId"], config)


def _api_attribute(self, attribute):
    if attribute == "ApiEndpoint":
        return self.api_endpoint
    if attribute == "ApiId":
        return self.api_id
    raise UnformattedGetAttTemplateException()


def _import_keeping_stages(original):
    # Api.import_api (a Body update, and `sam sync --code` ReimportApi) also clear()s the stages.
    def import_api(self, body_str, fail_on_warnings):
        stages = dict(self.stages)
        original(self, body_str, fail_on_warnings)
        self.stages.update(stages)

    return import_api


def install():
    backend = apigw2.ApiGatewayV2Backend
    patching.require(
        backend,
        "create_api",
        params=(
            "api_key_selection_expression",
            "cors_configuration",
            "description",
            "disable_schema_validation",
            "disable_execute_api_endpoint",
            "name",
            "protocol_type",
            "route_selection_expression",
            "tags",
            "version",
        ),
    )
    patching.require(backend, "create_stage", params=("api_id", "config"))
    patching.add(apigw2.Api, "physical_resource_id", property(lambda self: self.api_id), called_by=cfn_parsing.clean_json)
    patching.add(apigw2.Stage, "physical_resource_id", property(lambda self: self.name), called_by=cfn_parsing.clean_json)
    patching.add(apigw2.Api, "get_cfn_attribute", _api_attribute, called_by=cfn_parsing.clean_json)
    patching.add(apigw2.Api, "is_created", lambda self: True, called_by=cfn_parsing.ResourceMap)
    patching.add(apigw2.Stage, "is_created", lambda self: True, called_by=cfn_parsing.ResourceMap)
    patching.wrap(apigw2.Api, "import_api", _import_keeping_stages, params=("body_str", "fail_on_warnings"))
