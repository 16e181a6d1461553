"""API Gateway (REST) bridge: an API's OpenAPI body becomes its routes, and
its stage exists.

moto's RestApi model needs a Name (KeyError: 'Name': the transform gives a
Body and no Name), ignores Body and BodyS3Location and cannot update; there
is no AWS::ApiGateway::Stage model, so SAM's stage (Prod, or StageName) was
silently missing.
"""

import copy

from moto.apigateway import models as apigw
from moto.cloudformation import parsing as cfn_parsing
from moto.core.common_models import CloudFormationModel

from .. import patching
from .models import BridgeModel, api_body

ANY_METHOD = "x-amazon-apigateway-any-method"


def _openapi_3(api_doc):
    """The document as moto's PutRestApi takes it, and the methods of "/" it cannot put."""
    doc = copy.deepcopy(api_doc)
    if doc.pop("swagger", None) is not None:
        doc["openapi"] = "3.0.1"
    for path_doc in doc.get("paths", {}).values():
        # SAM's `Method: any` is this extension; moto would store it as a method of that name, which nothing calls.
        if isinstance(path_doc, dict) and ANY_METHOD in path_doc:
            path_doc["any"] = path_doc.pop(ANY_METHOD)
    for path_doc in doc.get("paths", {}).values():
        for method, method_doc in path_doc.items():
            integration = method_doc.get("x-amazon-apigateway-integration") if isinstance(method_doc, dict) else None
            if integration is not None:
                integration.setdefault("uri", "")
                integration.setdefault("httpMethod", method.upper())
    return doc, doc.get("paths", {}).pop("/", None)


def _put_root_methods(backend, function_id, api, root_methods):
    root = api.get_resource_for_path("/")
    for method, method_doc in root_methods.items():
        if not isinstance(method_doc, dict) or method.startswith("x-"):
            continue
        backend.put_method(function_id, root.id, method.upper(), None)
        integration = method_doc.get("x-amazon-apigateway-integration")
        if integration:
            args = backend._build_integration_args(integration)
            kwargs = {k: v for k, v in args.items() if v is not None}
            backend.put_integration(function_id=function_id, resource_id=root.id, method_type=method.upper(), **kwargs)


def _put_rest_api(original):
    """moto's PutRestApi (used for a RestApi's Body and by `sam sync --code` on an API)
    refuses Swagger 2.0 (SAM's default: "Only OpenAPI 3.x.x are currently supported"),
    needs uri and httpMethod on every integration (a mock has neither), cannot put
    methods on "/", and stores SAM's ANY as a method named X-AMAZON-APIGATEWAY-ANY-METHOD."""

    def put_rest_api(self, function_id, api_doc, fail_on_warnings, mode="merge"):
        doc, root_methods = _openapi_3(api_doc)
        api = original(self, function_id, doc, fail_on_warnings=fail_on_warnings, mode=mode)
        if root_methods:
            _put_root_methods(self, function_id, api, root_methods)
        return api

    return put_rest_api


def _create_rest_api(inner, cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    props = cloudformation_json["Properties"]
    body = api_body(props, account_id)
    props.setdefault("Name", ((body or {}).get("info") or {}).get("title") or resource_name)
    api = inner(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    if body:
        apigw.apigateway_backends[account_id][region_name].put_rest_api(api.id, body, fail_on_warnings=False, mode="merge")
    api.dsync_body = body  # its authorizers and security, which moto's import drops, for the gateway
    return api


def _update_rest_api(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    body = api_body(cloudformation_json["Properties"], account_id)
    if body:
        backend = apigw.apigateway_backends[account_id][region_name]
        backend.put_rest_api(original_resource.id, body, fail_on_warnings=False, mode="overwrite")
    original_resource.dsync_body = body
    return original_resource


class CfnRestApiStage(BridgeModel, CloudFormationModel):
    """AWS::ApiGateway::Stage: no moto model, so SAM's stage (Prod, or StageName) was silently missing."""

    __module__ = "moto.apigateway.dsync_bridge"  # moto's BaseModel derives the service from the module name

    CFN_TYPE = "AWS::ApiGateway::Stage"
    NAME_PROPERTY = "StageName"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json["Properties"]
        backend = apigw.apigateway_backends[account_id][region_name]
        backend.get_rest_api(props["RestApiId"]).stages.pop(props["StageName"], None)
        stage = backend.create_stage(
            props["RestApiId"],
            props["StageName"],
            props["DeploymentId"],
            variables=props.get("Variables"),
            description=props.get("Description", ""),
        )
        stage.physical_resource_id = props["StageName"]
        return stage

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        props = cloudformation_json.get("Properties", {})
        try:
            apigw.apigateway_backends[account_id][region_name].get_rest_api(props["RestApiId"]).stages.pop(props["StageName"], None)
        except Exception:  # noqa: BLE001 - the API may be gone already
            pass


def install():
    backend = apigw.APIGatewayBackend
    patching.require(backend, "_build_integration_args", params=("x_amaz_apigw_integ",))
    patching.require(backend, "put_method", params=("function_id", "resource_id", "method_type", "authorization_type"))
    patching.require(backend, "put_integration", params=("function_id", "resource_id", "method_type"))
    patching.require(backend, "create_stage", params=("function_id", "stage_name", "deploymentId", "variables", "description"))
    patching.wrap(backend, "put_rest_api", _put_rest_api, params=("function_id", "api_doc", "fail_on_warnings", "mode"))
    patching.wrap_classmethod(apigw.RestAPI, "create_from_cloudformation_json", _create_rest_api, params=("resource_name", "cloudformation_json"))
    patching.replace(
        apigw.RestAPI, "update_from_cloudformation_json", classmethod(_update_rest_api), params=("original_resource", "cloudformation_json")
    )
    patching.add(apigw.Deployment, "physical_resource_id", property(lambda self: self.id), called_by=cfn_parsing.clean_json)
    patching.add(apigw.Stage, "is_created", lambda self: True, called_by=cfn_parsing.ResourceMap)
