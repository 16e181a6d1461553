"""Lambda bridge for asynchronous invocation settings: AWS::Lambda::EventInvokeConfig
(SAM's EventInvokeConfig: retries, event age, OnSuccess/OnFailure
destinations) and a function's DeadLetterConfig (SAM's DeadLetterQueue).
moto has the API but no CloudFormation model for the first (it became a
stand-in, so destinations were never known); the second is kept by
awslambda.py (moto drops it)."""

from moto.awslambda import models as lam
from moto.core.common_models import CloudFormationModel

from .. import patching
from .models import BridgeModel, Created

CONFIG_KEYS = ("MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig")


def _function(props, account_id, region_name):
    return lam.lambda_backends[account_id][region_name].get_function(props["FunctionName"])


class CfnEventInvokeConfig(BridgeModel, CloudFormationModel):
    """AWS::Lambda::EventInvokeConfig: read by sources/asynchronous.py at each asynchronous run."""

    __module__ = "moto.awslambda.dsync_bridge"

    CFN_TYPE = "AWS::Lambda::EventInvokeConfig"
    NAME_PROPERTY = ""

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json.get("Properties") or {}
        fn = _function(props, account_id, region_name)
        config = {k: props[k] for k in CONFIG_KEYS if k in props}
        fn.event_invoke_config = []
        lam.lambda_backends[account_id][region_name].put_function_event_invoke_config(fn.function_name, config)
        return Created(f"{fn.function_name}:{props.get('Qualifier', '$LATEST')}", {})

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        try:
            _function(cloudformation_json.get("Properties") or {}, account_id, region_name).event_invoke_config = []
        except Exception:  # noqa: BLE001 - the function went first
            pass


def install():
    """What CfnEventInvokeConfig calls; checked at start-up. (DeadLetterConfig is kept by awslambda.py's function wrapper.)"""
    patching.require(lam.LambdaBackend, "put_function_event_invoke_config", params=("function_name", "config"))
