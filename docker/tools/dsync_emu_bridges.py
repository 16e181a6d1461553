"""dsync's emulator, resource bridges: moto 5.2.5 gaps that ordinary SAM apps hit.

Each bridge makes moto hold what AWS would after the same calls; found by
running `sam sync` and the fixture corpus against moto (the exact moto
errors are in the comments). Nothing here reaches outside the emulator.
"""
import base64
import copy
import json
import urllib.parse

from moto.apigateway import models as apigw
from moto.apigatewayv2 import models as apigw2
from moto.awslambda import models as lam
from moto.cloudformation import parsing as cfn_parsing
from moto.events import models as events
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.cloudformation.models import Stack
from moto.core.common_models import CloudFormationModel
from moto.stepfunctions import models as sfn


def _s3_text(account_id, bucket, key):
    from moto.s3.models import s3_backends

    return s3_backends[account_id]["aws"].get_object(bucket, key).value.decode("utf-8")


def _wrap_classmethod(cls, name, wrapper):
    inner = getattr(cls, name).__func__
    setattr(cls, name, classmethod(lambda c, *a, **kw: wrapper(inner, c, *a, **kw)))


def _api_body(props, account_id):
    """An API's OpenAPI document: Body, or the file BodyS3Location names (JSON or YAML)."""
    body = props.get("Body")
    location = props.get("BodyS3Location")
    if body is None and location:
        body = Stack.parse_template(_s3_text(account_id, location["Bucket"], location["Key"]))
    return body


def nested_stack_outputs():
    # sam sync's dependency-layer stack is read with GetAtt Nested.Outputs.X:
    # AttributeError: 'Stack' object has no attribute 'get_cfn_attribute' (moto/cloudformation/parsing.py clean_json).
    def get_cfn_attribute(self, attribute):
        if attribute.startswith("Outputs."):
            output = self.output_map[attribute[len("Outputs."):]]
            if output is not None:
                return output.value
        raise UnformattedGetAttTemplateException()

    Stack.get_cfn_attribute = get_cfn_attribute
    Stack.has_cfn_attr = classmethod(lambda cls, attribute: attribute.startswith("Outputs."))


def layer_versions():
    # A LayerVersion has no physical id, so a Ref to it is the object itself:
    # AttributeError: 'LayerVersion' object has no attribute 'replace' (moto/awslambda/utils.py split_arn);
    # and its name property is taken to be "LayerVersion", so LayerName is ignored.
    lam.LayerVersion.cloudformation_name_type = staticmethod(lambda: "LayerName")
    lam.LayerVersion.physical_resource_id = property(lambda self: self.arn)
    # CloudFormation keeps old layer versions when content changes; so does the emulator.
    lam.LayerVersion.delete_from_cloudformation_json = classmethod(lambda cls, *args, **kwargs: None)

    # `sam sync --code` names layers by ARN; moto matches names only (and reads the %3A-encoded path raw).
    def layer_name(name):
        name = urllib.parse.unquote(name)
        return name.split(":")[6] if name.startswith("arn:") else name

    backend = lam.LambdaBackend
    list_versions, publish = backend.list_layer_versions, backend.publish_layer_version
    backend.list_layer_versions = lambda self, layer_name_or_arn: list_versions(self, layer_name(layer_name_or_arn))
    backend.publish_layer_version = lambda self, spec: publish(self, dict(spec, LayerName=layer_name(spec.get("LayerName", ""))))


def function_versions():
    # AutoPublishAlias (common in AWS's samples) makes an AWS::Lambda::Version and an
    # Alias pointing at `!GetAtt Version.Version`; moto's LambdaVersion keeps only the
    # number: AttributeError: 'LambdaVersion' object has no attribute 'get_cfn_attribute',
    # and a Ref to it is not the version's ARN.
    def create(inner, cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        version = inner(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        function = lam.lambda_backends[account_id][region_name].get_function(cloudformation_json["Properties"]["FunctionName"])
        version.function_arn = f"{function.function_arn}:{version.version}"
        return version

    def get_cfn_attribute(self, name):
        if name == "Version":
            return str(self.version)
        if name == "FunctionArn":
            return self.function_arn
        raise UnformattedGetAttTemplateException()

    _wrap_classmethod(lam.LambdaVersion, "create_from_cloudformation_json", create)
    lam.LambdaVersion.physical_resource_id = property(lambda self: getattr(self, "function_arn", str(self.version)))
    lam.LambdaVersion.has_cfn_attr = classmethod(lambda cls, attr: attr in ("Version", "FunctionArn"))
    lam.LambdaVersion.get_cfn_attribute = get_cfn_attribute
    # CloudFormation keeps published versions when a new one replaces them; so does the emulator.
    lam.LambdaVersion.delete_from_cloudformation_json = classmethod(lambda cls, *args, **kwargs: None)


def event_buses():
    # A Ref to an AWS::Events::EventBus is its name; moto's EventBus has no physical id,
    # so the Ref was the object and a rule on that bus failed:
    # AttributeError: 'EventBus' object has no attribute 'split' (moto/events/models.py _normalize_event_bus_arn).
    events.EventBus.physical_resource_id = property(lambda self: self.name)


def function_properties():
    # LambdaFunction.create_from_cloudformation_json copies a fixed list of properties:
    # Layers, Architectures and PackageType are silently dropped.
    def create(inner, cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        function = inner(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        props = cloudformation_json["Properties"]
        if props.get("Layers"):
            function.layers = function._get_layers_data(props["Layers"])
        if props.get("Architectures"):
            function.architectures = props["Architectures"]
        if props.get("PackageType"):
            function.package_type = props["PackageType"]
        return function

    # The update path feeds InlineCode (plain text) to b64decode: binascii.Error: Incorrect padding.
    def update(inner, cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        code = cloudformation_json["Properties"].get("Code", {})
        if "ZipFile" in code:
            code["ZipFile"] = base64.b64encode(cls._create_zipfile_from_plaintext_code(code["ZipFile"])).decode()
        updated = inner(
            cls,
            original_resource=original_resource,
            new_resource_name=new_resource_name,
            cloudformation_json=cloudformation_json,
            account_id=account_id,
            region_name=region_name,
        )
        props = cloudformation_json["Properties"]
        target = updated or original_resource
        if "Layers" in props:
            target.layers = target._get_layers_data(props["Layers"] or [])
        return updated

    _wrap_classmethod(lam.LambdaFunction, "create_from_cloudformation_json", create)
    _wrap_classmethod(lam.LambdaFunction, "update_from_cloudformation_json", update)


def _put_rest_api(original):
    """moto's PutRestApi (used for a RestApi's Body and by `sam sync --code` on an API)
    refuses Swagger 2.0 (SAM's default: "Only OpenAPI 3.x.x are currently supported"),
    needs uri and httpMethod on every integration (a mock has neither) and cannot put
    methods on "/"."""

    def put_rest_api(self, function_id, api_doc, fail_on_warnings, mode="merge"):
        doc = copy.deepcopy(api_doc)
        if doc.pop("swagger", None) is not None:
            doc["openapi"] = "3.0.1"
        for path_doc in doc.get("paths", {}).values():
            for method, method_doc in path_doc.items():
                integration = method_doc.get("x-amazon-apigateway-integration") if isinstance(method_doc, dict) else None
                if integration is not None:
                    integration.setdefault("uri", "")
                    integration.setdefault("httpMethod", method.upper())
        root_methods = doc.get("paths", {}).pop("/", None)
        api = original(self, function_id, doc, fail_on_warnings=fail_on_warnings, mode=mode)
        if root_methods:
            root = api.get_resource_for_path("/")
            for method, method_doc in root_methods.items():
                if not isinstance(method_doc, dict) or method.startswith("x-"):
                    continue
                self.put_method(function_id, root.id, method.upper(), None)
                integration = method_doc.get("x-amazon-apigateway-integration")
                if integration:
                    args = self._build_integration_args(integration)
                    self.put_integration(function_id=function_id, resource_id=root.id, method_type=method.upper(), **{k: v for k, v in args.items() if v is not None})
        return api

    return put_rest_api


class _BridgeDefaults:
    """What the CloudFormation models moto lacks have in common. A model is
    declared as (_BridgeDefaults, CloudFormationModel): moto finds models as
    *direct* subclasses of CloudFormationModel, so this must stay a mixin.
    Subclasses name the type and its name property, and set __module__ to
    moto.<service>.dsync_bridge (moto's BaseModel derives the service from the
    module name). By default an update creates the resource anew and a delete
    does nothing."""

    CFN_TYPE = None
    NAME_PROPERTY = None

    @classmethod
    def cloudformation_type(cls):
        return cls.CFN_TYPE

    @classmethod
    def cloudformation_name_type(cls):
        return cls.NAME_PROPERTY

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        return None


class CfnRestApiStage(_BridgeDefaults, CloudFormationModel):
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
            props["RestApiId"], props["StageName"], props["DeploymentId"], variables=props.get("Variables"), description=props.get("Description", "")
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


def rest_apis():
    put = _put_rest_api(apigw.APIGatewayBackend.put_rest_api)
    apigw.APIGatewayBackend.put_rest_api = put

    # KeyError: 'Name' (moto/apigateway/models.py): the transform gives a Body and no Name;
    # moto also ignores Body/BodyS3Location and cannot update a RestApi.
    def create(inner, cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json["Properties"]
        body = _api_body(props, account_id)
        props.setdefault("Name", ((body or {}).get("info") or {}).get("title") or resource_name)
        api = inner(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        if body:
            put(apigw.apigateway_backends[account_id][region_name], api.id, body, fail_on_warnings=False, mode="merge")
        return api

    def update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        body = _api_body(cloudformation_json["Properties"], account_id)
        if body:
            put(apigw.apigateway_backends[account_id][region_name], original_resource.id, body, fail_on_warnings=False, mode="overwrite")
        return original_resource

    _wrap_classmethod(apigw.RestAPI, "create_from_cloudformation_json", create)
    apigw.RestAPI.update_from_cloudformation_json = classmethod(update)
    apigw.Deployment.physical_resource_id = property(lambda self: self.id)
    apigw.Stage.is_created = lambda self: True


def state_machines():
    # moto reads only DefinitionString: DefinitionS3Location (what the transform makes of
    # DefinitionUri), an inline Definition and DefinitionSubstitutions are ignored, and
    # the machine gets an empty definition.
    def definition_string(props, account_id):
        if "DefinitionString" in props:
            text = props["DefinitionString"]
        elif "DefinitionS3Location" in props:
            location = props["DefinitionS3Location"]
            text = json.dumps(Stack.parse_template(_s3_text(account_id, location["Bucket"], location["Key"])))
        elif "Definition" in props:
            text = json.dumps(props["Definition"])
        else:
            return
        for key, value in (props.get("DefinitionSubstitutions") or {}).items():
            text = text.replace("${%s}" % key, str(value))
        props["DefinitionString"] = text

    def create(inner, cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        definition_string(cloudformation_json["Properties"], account_id)
        return inner(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)

    def update(inner, cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        definition_string(cloudformation_json.get("Properties", {}), account_id)
        return inner(
            cls,
            original_resource=original_resource,
            new_resource_name=new_resource_name,
            cloudformation_json=cloudformation_json,
            account_id=account_id,
            region_name=region_name,
        )

    _wrap_classmethod(sfn.StateMachine, "create_from_cloudformation_json", create)
    _wrap_classmethod(sfn.StateMachine, "update_from_cloudformation_json", update)


class CfnHttpApi(_BridgeDefaults, CloudFormationModel):
    """AWS::ApiGatewayV2::Api: moto's apigatewayv2 has no CloudFormation models at all."""

    __module__ = "moto.apigatewayv2.dsync_bridge"

    CFN_TYPE = "AWS::ApiGatewayV2::Api"
    NAME_PROPERTY = "Name"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json["Properties"]
        backend = apigw2.apigatewayv2_backends[account_id][region_name]
        body = _api_body(props, account_id)
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
        return api

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        body = _api_body(cloudformation_json["Properties"], account_id)
        if body:
            original_resource.import_api(json.dumps(body), fail_on_warnings=False)
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        apigw2.apigatewayv2_backends[account_id][region_name].apis.pop(resource_name, None)


class CfnHttpApiStage(_BridgeDefaults, CloudFormationModel):
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
        return backend.create_stage(
            props["ApiId"],
            {"stageName": props["StageName"], "autoDeploy": props.get("AutoDeploy"), "stageVariables": props.get("StageVariables", {}), "description": props.get("Description")},
        )

class _AliasResource:
    """What the stack holds for an alias: moto's LambdaAlias is no CloudFormation model."""

    def __init__(self, alias):
        self.alias = alias
        self.physical_resource_id = alias.arn

    def is_created(self):
        return True

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr == "AliasArn"

    def get_cfn_attribute(self, name):
        if name == "AliasArn":
            return self.alias.arn
        raise UnformattedGetAttTemplateException()


class CfnLambdaAlias(_BridgeDefaults, CloudFormationModel):
    """AWS::Lambda::Alias (what AutoPublishAlias makes): moto has the API, not the model."""

    __module__ = "moto.awslambda.dsync_bridge"

    CFN_TYPE = "AWS::Lambda::Alias"
    NAME_PROPERTY = "Name"

    @staticmethod
    def _function_name(props):
        # FunctionName may be a name or an ARN (a Ref to the function is its name).
        name = props["FunctionName"]
        return name.split(":")[6] if name.startswith("arn:") else name

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json["Properties"]
        backend = lam.lambda_backends[account_id][region_name]
        name, function = props.get("Name", resource_name), cls._function_name(props)
        routing = props.get("RoutingConfig")
        try:
            alias = backend.get_alias(name, function)
            alias.update(description=props.get("Description"), function_version=str(props["FunctionVersion"]), routing_config=routing)
        except Exception:  # noqa: BLE001 - no such alias yet
            alias = backend.create_alias(name=name, function_name=function, function_version=str(props["FunctionVersion"]), description=props.get("Description", ""), routing_config=routing)
        return _AliasResource(alias)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        props = cloudformation_json.get("Properties", {})
        if props.get("FunctionName"):
            lam.lambda_backends[account_id][region_name].delete_alias(props.get("Name", resource_name), cls._function_name(props))


class CfnSnsSubscription(_BridgeDefaults, CloudFormationModel):
    """AWS::SNS::Subscription (what an SNS event of a function becomes): moto has no model."""

    __module__ = "moto.sns.dsync_bridge"

    CFN_TYPE = "AWS::SNS::Subscription"
    NAME_PROPERTY = ""

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        from moto.sns.models import sns_backends

        props = cloudformation_json["Properties"]
        backend = sns_backends[account_id][region_name]
        subscription = backend.subscribe(props["TopicArn"], props["Endpoint"], props["Protocol"])
        for name in ("FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy", "DeliveryPolicy"):
            if name in props:
                value = props[name]
                backend.set_subscription_attributes(subscription.arn, name, value if isinstance(value, str) else json.dumps(value))
        subscription.physical_resource_id = subscription.arn
        subscription.is_created = lambda: True
        return subscription

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        cls.delete_from_cloudformation_json(original_resource.arn, cloudformation_json, account_id, region_name)
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        from moto.sns.models import sns_backends

        sns_backends[account_id][region_name].unsubscribe(resource_name)


def http_apis():
    apigw2.Api.physical_resource_id = property(lambda self: self.api_id)
    apigw2.Stage.physical_resource_id = property(lambda self: self.name)

    def get_cfn_attribute(self, attribute):
        if attribute == "ApiEndpoint":
            return self.api_endpoint
        if attribute == "ApiId":
            return self.api_id
        raise UnformattedGetAttTemplateException()

    apigw2.Api.get_cfn_attribute = get_cfn_attribute
    apigw2.Api.is_created = apigw2.Stage.is_created = lambda self: True

    # Api.import_api (a Body update, and `sam sync --code` ReimportApi) also clear()s the stages.
    original_import = apigw2.Api.import_api

    def import_api(self, body_str, fail_on_warnings):
        stages = dict(self.stages)
        original_import(self, body_str, fail_on_warnings)
        self.stages.update(stages)

    apigw2.Api.import_api = import_api


def install():
    nested_stack_outputs()
    layer_versions()
    function_versions()
    event_buses()
    function_properties()
    rest_apis()
    state_machines()
    http_apis()
    # moto caches its model registry: make it see the models defined above.
    for cached in ("get_model_list", "get_model_map", "get_name_type_map"):
        getattr(cfn_parsing, cached).cache_clear()
    models = cfn_parsing.get_model_map()
    for bridge in _BridgeDefaults.__subclasses__():
        if models.get(bridge.CFN_TYPE) is not bridge:
            raise RuntimeError(f"dsync's {bridge.CFN_TYPE} model is not in moto's registry (is it a direct CloudFormationModel subclass?)")
