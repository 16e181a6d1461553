"""dsync's emulator, resource bridges: moto 5.2.5 gaps that ordinary SAM apps hit.

Each bridge makes moto hold what AWS would after the same calls; found by
running `sam sync` and the fixture corpus against moto (the exact moto
errors are in the comments). Nothing here reaches outside the emulator.
One module per AWS service:

- cloudformation: a nested stack's outputs as GetAtt attributes;
- awslambda: layers, published versions, aliases, the function properties
  moto's model drops;
- events: a Ref to an event bus is its name;
- apigateway: a REST API's body becomes its routes; its stage exists;
- apigatewayv2: HTTP APIs and their stages (moto has no models for them);
- stepfunctions: the definition from DefinitionString, DefinitionUri or
  Definition, with its substitutions; executions run;
- sync_executions: StartSyncExecution, for Express machines;
- sfn_json_paths: a path through an array index gives one value, not a list;
- sns: subscriptions;
- cognito: user pools and their app clients (for JWT authorizers);
- lambda_async: asynchronous invocation settings (EventInvokeConfig);
- lambda_urls: function URLs (served by the gateway);
- scheduler: EventBridge Scheduler schedules (fired by eventbridge/schedules.py).
"""

from moto.cloudformation import parsing as cfn_parsing

from .. import patching
from . import (
    apigateway,
    apigatewayv2,
    awslambda,
    cloudformation,
    cognito,
    events,
    lambda_async,
    lambda_urls,
    scheduler,
    sfn_json_paths,
    sns,
    stepfunctions,
    sync_executions,
)
from .models import BridgeModel

SERVICES = (
    cloudformation,
    awslambda,
    lambda_async,
    events,
    apigateway,
    stepfunctions,
    sync_executions,
    sfn_json_paths,
    apigatewayv2,
    sns,
    cognito,
    lambda_urls,
    scheduler,
)


def register_models():
    """moto caches its model registry: make it see the models the bridges define, and check that it does."""
    for cached in ("get_model_list", "get_model_map", "get_name_type_map"):
        patching.require(cfn_parsing, cached).cache_clear()
    models = cfn_parsing.get_model_map()
    for bridge in BridgeModel.__subclasses__():
        if models.get(bridge.CFN_TYPE) is not bridge:
            raise patching.PatchError(
                f"dsync's {bridge.CFN_TYPE} model is not in moto's registry (is it a direct CloudFormationModel subclass?) "
                f"(installed: {patching.library_version(cfn_parsing)})"
            )


def install():
    for service in SERVICES:
        service.install()
    register_models()
