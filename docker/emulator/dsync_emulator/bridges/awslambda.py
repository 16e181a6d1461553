"""Lambda bridge: layers, published versions, aliases and the function
properties moto's CloudFormation model drops."""

import base64
import io
import urllib.parse
import zipfile

from moto.awslambda import models as lam
from moto.cloudformation import parsing as cfn_parsing
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel

from .. import patching
from .models import BridgeModel

CREATE_PARAMS = ("resource_name", "cloudformation_json", "account_id", "region_name")
UPDATE_PARAMS = ("original_resource", "new_resource_name", "cloudformation_json", "account_id", "region_name")


def _keep_on_delete(cls, *args, **kwargs):
    return None


def _layer_name(name):
    """`sam sync --code` names layers by ARN; moto matches names only (and reads the %3A-encoded path raw)."""
    name = urllib.parse.unquote(name)
    return name.split(":")[6] if name.startswith("arn:") else name


def layer_versions():
    # A LayerVersion has no physical id, so a Ref to it is the object itself:
    # AttributeError: 'LayerVersion' object has no attribute 'replace' (moto/awslambda/utils.py split_arn);
    # and its name property is taken to be "LayerVersion", so LayerName is ignored.
    patching.replace(lam.LayerVersion, "cloudformation_name_type", staticmethod(lambda: "LayerName"))
    patching.add(lam.LayerVersion, "physical_resource_id", property(lambda self: self.arn), called_by=cfn_parsing.clean_json)
    # CloudFormation keeps old layer versions when content changes; so does the emulator.
    patching.replace(lam.LayerVersion, "delete_from_cloudformation_json", classmethod(_keep_on_delete))
    backend = lam.LambdaBackend
    patching.wrap(
        backend,
        "list_layer_versions",
        lambda original: lambda self, layer_name: original(self, _layer_name(layer_name)),
        params=("layer_name",),
    )
    patching.wrap(
        backend,
        "publish_layer_version",
        lambda original: lambda self, spec: original(self, dict(spec, LayerName=_layer_name(spec.get("LayerName", "")))),
        params=("spec",),
    )


def _create_version(inner, cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    version = inner(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    function = lam.lambda_backends[account_id][region_name].get_function(cloudformation_json["Properties"]["FunctionName"])
    version.function_arn = f"{function.function_arn}:{version.version}"
    return version


def _version_attribute(self, name):
    if name == "Version":
        return str(self.version)
    if name == "FunctionArn":
        return self.function_arn
    raise UnformattedGetAttTemplateException()


def function_versions():
    # AutoPublishAlias (common in AWS's samples) makes an AWS::Lambda::Version and an
    # Alias pointing at `!GetAtt Version.Version`; moto's LambdaVersion keeps only the
    # number: AttributeError: 'LambdaVersion' object has no attribute 'get_cfn_attribute',
    # and a Ref to it is not the version's ARN.
    version = lam.LambdaVersion
    patching.wrap_classmethod(version, "create_from_cloudformation_json", _create_version, params=CREATE_PARAMS)
    patching.add(
        version, "physical_resource_id", property(lambda self: getattr(self, "function_arn", str(self.version))), called_by=cfn_parsing.clean_json
    )
    patching.replace(version, "has_cfn_attr", classmethod(lambda cls, attr: attr in ("Version", "FunctionArn")), params=("attr",))
    patching.add(version, "get_cfn_attribute", _version_attribute, called_by=cfn_parsing.clean_json)
    # CloudFormation keeps published versions when a new one replaces them; so does the emulator.
    patching.replace(version, "delete_from_cloudformation_json", classmethod(_keep_on_delete))


def _inline_zip(cls, text, runtime):
    """Inline code (Code.ZipFile, SAM's InlineCode) as CloudFormation packs it: index.js for
    Node.js, index.py otherwise (moto writes index.py whatever the runtime, so a Node.js
    inline handler, index.handler, could not be found)."""
    if not str(runtime or "").startswith("nodejs"):
        return cls._create_zipfile_from_plaintext_code(text)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("index.js", date_time=(1980, 1, 1, 0, 0, 0)), text)
    return buffer.getvalue()


def _create_function(inner, cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    # moto copies a fixed list of properties: Layers, Architectures, PackageType and DeadLetterConfig are silently dropped.
    props = cloudformation_json["Properties"]
    inline = (props.get("Code") or {}).get("ZipFile")
    function = inner(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    if isinstance(inline, str) and str(props.get("Runtime", "")).startswith("nodejs"):
        function._set_function_code({"ZipFile": base64.b64encode(_inline_zip(cls, inline, props.get("Runtime")))})
    if props.get("Layers"):
        function.layers = function._get_layers_data(props["Layers"])
    if props.get("Architectures"):
        function.architectures = props["Architectures"]
    if props.get("PackageType"):
        function.package_type = props["PackageType"]
    function.dsync_dead_letter_config = props.get("DeadLetterConfig")  # read by sources/asynchronous.py
    return function


def _update_function(inner, cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    # The update path feeds InlineCode (plain text) to b64decode: binascii.Error: Incorrect padding.
    code = cloudformation_json["Properties"].get("Code", {})
    if "ZipFile" in code:
        code["ZipFile"] = base64.b64encode(_inline_zip(cls, code["ZipFile"], cloudformation_json["Properties"].get("Runtime"))).decode()
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
    target.dsync_dead_letter_config = props.get("DeadLetterConfig")
    return updated


def function_properties():
    function = lam.LambdaFunction
    patching.require(function, "_get_layers_data", params=("layers_versions_arns",))
    patching.require(function, "_create_zipfile_from_plaintext_code", params=("code",))
    patching.require(function, "_set_function_code", params=("updated_spec",))
    patching.wrap_classmethod(function, "create_from_cloudformation_json", _create_function, params=CREATE_PARAMS)
    patching.wrap_classmethod(function, "update_from_cloudformation_json", _update_function, params=UPDATE_PARAMS)


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


class CfnLambdaAlias(BridgeModel, CloudFormationModel):
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
        version = str(props["FunctionVersion"])
        try:
            alias = backend.get_alias(name, function)
            alias.update(description=props.get("Description"), function_version=version, routing_config=routing)
        except Exception:  # noqa: BLE001 - no such alias yet
            alias = backend.create_alias(
                name=name, function_name=function, function_version=version, description=props.get("Description", ""), routing_config=routing
            )
        return _AliasResource(alias)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        props = cloudformation_json.get("Properties", {})
        if props.get("FunctionName"):
            lam.lambda_backends[account_id][region_name].delete_alias(props.get("Name", resource_name), cls._function_name(props))


def aliases():
    """What CfnLambdaAlias calls; checked at start-up, as it has no patch of its own."""
    backend = lam.LambdaBackend
    patching.require(backend, "create_alias", params=("name", "function_name", "function_version", "description", "routing_config"))
    patching.require(backend, "get_alias", params=("name", "function_name"))
    patching.require(backend, "delete_alias", params=("name", "function_name"))
    patching.require(lam.LambdaAlias, "update", params=("description", "function_version", "routing_config"))


def install():
    aliases()
    layer_versions()
    function_versions()
    function_properties()
