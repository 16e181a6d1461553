"""The deployed APIs and functions of the stacks, as dsync asks about them:
which API (or function URL) is served on which port (GET /_dsync/apis), which function wrote a
log stream, and running a function by its logical id (`dsync invoke`)."""

import json

from moto.apigateway import models as apigw
from moto.apigatewayv2 import models as apigw2
from moto.cloudformation.models import cloudformation_backends
from moto.core import DEFAULT_ACCOUNT_ID
from werkzeug.wrappers import Response

from .. import lambda_runner
from .urls import url_entry

API_TYPES = {"AWS::ApiGateway::RestApi": "REST", "AWS::ApiGatewayV2::Api": "HTTP", "AWS::Lambda::Url": "URL"}


def _live_stacks(backend):
    return [s for s in backend.stacks.values() if not str(s.status).startswith("DELETE")]


def _stack_apis(stack, region):
    """The stack's APIs in the order of its template."""
    found = []
    resources = getattr(stack.resource_map, "_parsed_resources", {})
    declared = (stack.template_dict or {}).get("Resources", {})
    for logical in list(declared.keys()):
        kind = API_TYPES.get((declared.get(logical) or {}).get("Type"))
        if kind == "URL":
            url = url_entry(stack, region, logical, (declared.get(logical) or {}).get("Properties") or {}, resources)
            found.extend([url] if url else [])
            continue
        resource = resources.get(logical)
        if not kind or resource is None or isinstance(resource, (str, dict)):
            continue
        api_id = getattr(resource, "id", None) if kind == "REST" else getattr(resource, "api_id", None)
        if api_id:
            found.append({"id": logical, "type": kind, "stack": stack.name, "region": region, "apiId": api_id})
    return found


def list_apis(ports):
    """The deployed APIs, each with the container port it is served on (in the
    order of the stacks' templates, by stack name, so an API keeps its port across edits)."""
    found = []
    backends = cloudformation_backends[DEFAULT_ACCOUNT_ID]
    for region in sorted(backends.keys()):
        for stack in sorted(_live_stacks(backends[region]), key=lambda s: s.name):
            found.extend(_stack_apis(stack, region))
    for index, api in enumerate(found):
        api["port"] = ports[index] if index < len(ports) else None
        api["stages"] = _stages(api)
    return found


def _stages(api):
    if api["type"] == "URL":
        return []
    try:
        if api["type"] == "REST":
            return sorted(apigw.apigateway_backends[DEFAULT_ACCOUNT_ID][api["region"]].get_rest_api(api["apiId"]).stages.keys())
        return sorted(apigw2.apigatewayv2_backends[DEFAULT_ACCOUNT_ID][api["region"]].get_api(api["apiId"]).stages.keys())
    except Exception:  # noqa: BLE001 - an API deleted meanwhile has no stages
        return []


def apis_response(ports):
    return Response(json.dumps(list_apis(ports)), mimetype="application/json")


def _stack_named(region, stack_name):
    backend = cloudformation_backends[DEFAULT_ACCOUNT_ID][region]
    return next((s for s in _live_stacks(backend) if s.name == stack_name), None)


def stream_functions(region, stack_name):
    """Log stream -> the logical id of the stack's function that wrote it."""
    stack = _stack_named(region, stack_name)
    if stack is None:
        return {}
    resources = getattr(stack.resource_map, "_parsed_resources", {})
    logical = {getattr(v, "function_name", None): k for k, v in resources.items() if hasattr(v, "code_sha_256")}
    return {stream: logical[name] for stream, name in list(lambda_runner.STREAMS.items()) if name in logical}


def invoke_logical(region, stack_name, logical_id, event_text):
    """`dsync invoke`: run a function of a stack by its logical id; (status, JSON answer)."""
    stack = _stack_named(region, stack_name)
    if stack is None:
        return 404, {"message": f"no stack {stack_name} in the emulator (has `dsync up` deployed it?)"}
    resources = getattr(stack.resource_map, "_parsed_resources", {})
    functions = sorted(k for k, v in resources.items() if hasattr(v, "function_name") and hasattr(v, "code_sha_256"))
    fn = resources.get(logical_id)
    if fn is None or not hasattr(fn, "function_name"):
        return 404, {"message": f"{logical_id} is not a function of stack {stack_name}", "functions": functions}
    result = lambda_runner.RUNTIME.invoke(fn, event_text)
    return 200, {
        "logicalId": logical_id,
        "functionName": fn.function_name,
        "payload": result.payload.decode("utf-8", "replace"),
        "functionError": result.function_error,
        "logs": result.logs,
        "initMs": result.init_ms,
        "durationMs": result.duration_ms,
    }
