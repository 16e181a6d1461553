"""Function URL bridge: AWS::Lambda::Url (SAM's FunctionUrlConfig) becomes
the function's URL configuration in moto's Lambda (moto has no
CloudFormation model for it, so it was a stand-in and `dsync up` called it a
gap, although the gateway serves every URL: gateway/urls.py). Ref is the
function's ARN, as in CloudFormation; GetAtt FunctionUrl and FunctionArn."""

from moto.awslambda import models as lam
from moto.core.common_models import CloudFormationModel

from .models import BridgeModel, Created


def _function_name(target):
    text = str(target)
    return text.split(":")[6] if text.startswith("arn:") and len(text.split(":")) > 6 else text


class CfnFunctionUrl(BridgeModel, CloudFormationModel):
    """AWS::Lambda::Url: the function's URL configuration (AuthType, Cors, InvokeMode) in moto."""

    __module__ = "moto.awslambda.dsync_bridge"

    CFN_TYPE = "AWS::Lambda::Url"
    NAME_PROPERTY = None

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json.get("Properties") or {}
        backend = lam.lambda_backends[account_id][region_name]
        name = _function_name(props["TargetFunctionArn"])
        config = {k: v for k, v in props.items() if k in ("AuthType", "Cors", "InvokeMode")}
        try:
            backend.delete_function_url_config(name)
        except Exception:  # noqa: BLE001 - none yet: the usual case
            pass
        url = backend.create_function_url_config(name, config)
        arn = url.function.function_arn
        return Created(arn, {"FunctionArn": arn, "FunctionUrl": url.url.rstrip("/") + "/"})

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        props = cloudformation_json.get("Properties") or {}
        try:
            lam.lambda_backends[account_id][region_name].delete_function_url_config(_function_name(props.get("TargetFunctionArn", "")))
        except Exception:  # noqa: BLE001 - the function (and its URL) may be gone already
            pass


def install():
    """The model registers itself by subclassing (bridges.register_models checks)."""
