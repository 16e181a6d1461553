"""One request to a deployed API, routed as API Gateway routes it to the
Lambda function behind the route (run by lambda_runner)."""

import base64
import json
import queue
import threading

from moto.apigateway import models as apigw
from moto.apigatewayv2 import models as apigw2
from moto.core import DEFAULT_ACCOUNT_ID
from werkzeug.wrappers import Response

from .. import lambda_runner
from . import auth, cors, events, responses
from .matching import function_of, match, specificity
from .urls import serve_url

# API Gateway waits this long for an integration (REST 29 s, HTTP APIs 30 s), then answers 504.
# A function URL waits as long as a function may run (15 minutes).
INTEGRATION_TIMEOUT_S = {"REST": 29.0, "HTTP": 30.0, "URL": 900.0}
TIMED_OUT = object()


def _invoke(api, name, qualifier, event):
    try:
        fn = lambda_runner.function_named(name, api["region"], qualifier)
    except Exception:  # noqa: BLE001 - the route names a function that is gone
        return None
    result = {}
    worker = threading.Thread(target=lambda: result.setdefault("r", lambda_runner.RUNTIME.invoke(fn, json.dumps(event))), daemon=True)
    worker.start()
    worker.join(INTEGRATION_TIMEOUT_S[api["type"]])
    # A function paused in a debugger keeps the request waiting (no 504 under the developer).
    while worker.is_alive() and lambda_runner.debug.attached(fn):
        worker.join(1.0)
    return result.get("r", TIMED_OUT)


def _answer(api, name, qualifier, event, version):
    result = _invoke(api, name, qualifier, event)
    if result is None:
        return responses.error(502, "Internal server error")
    if result is TIMED_OUT:
        return responses.error(504, "Endpoint request timed out")
    return responses.from_result(result, version)


def _rest_method(rest, request, path):
    """(template, path parameters, method) of the most specific resource that has the method (or ANY)."""
    best = None
    for resource in rest.resources.values():
        template = resource.get_path()
        params = match(template, path)
        if params is None:
            continue
        method = resource.resource_methods.get(request.method) or resource.resource_methods.get("ANY")
        if method is None:
            continue
        rank = specificity(template)
        if best is None or rank > best[0]:
            best = (rank, template, params, method)
    return best[1:] if best else None


def serve_rest(api, request):
    """REST: /<stage>/<path>; resources with {param} and {proxy+}; the method or ANY; payload format 1.0."""
    rest = apigw.apigateway_backends[DEFAULT_ACCOUNT_ID][api["region"]].get_rest_api(api["apiId"])
    parts = request.path.split("/", 2)
    stage = parts[1] if len(parts) > 1 else ""
    path = "/" + (parts[2] if len(parts) > 2 else "")
    if stage not in rest.stages:
        return responses.error(403, "Forbidden")
    found = _rest_method(rest, request, path)
    if found is None:
        return responses.error(403, "Missing Authentication Token")
    template, params, method = found
    integration = method.method_integration
    if integration is not None and (integration.integration_type or "").upper() == "MOCK":
        return _mock(integration)
    name, qualifier = function_of(getattr(integration, "uri", None)) if integration else (None, None)
    if not name or (integration.integration_type or "").upper() != "AWS_PROXY":
        kind = getattr(integration, "integration_type", "none")
        return responses.error(500, f"the emulator serves Lambda proxy integrations; {request.method} {template} has {kind}")
    body, is_b64 = events.request_body(request)
    variables = getattr(rest.stages[stage], "variables", None) or {}
    event = events.v1_event(request, api, stage, template, path, params, body, is_b64, variables)
    route = {"template": template, "path": path, "stage": stage, "params": params, "variables": variables, "event": event}
    try:
        authorizer = auth.check_rest(api, getattr(rest, "dsync_body", None), request, route)
    except responses.Refused as refused:
        return refused.response
    if authorizer is not None:
        event["requestContext"]["authorizer"] = authorizer
    return _answer(api, name, qualifier, event, "1.0")


def _mock(integration):
    """A MOCK integration (what SAM's Cors makes for OPTIONS): the default integration response, with its header mappings."""
    replies = getattr(integration, "integration_responses", None) or {}
    reply = replies.get("200") or next(iter(replies.values()), None)
    status = int(getattr(reply, "status_code", None) or 200)
    response = Response(b"", status=status)
    for key, value in (getattr(reply, "response_parameters", None) or {}).items():
        if key.startswith("method.response.header."):
            response.headers[key[len("method.response.header.") :]] = str(value).strip("'")
    return response


def _http_route(http, request, path):
    """(route, path parameters): the most specific "METHOD /path" route (a method beats ANY), else $default."""
    best = None
    default = None
    for route in http.routes.values():
        key = route.route_key or ""
        if key == "$default":
            default = route
            continue
        method, _, template = key.partition(" ")
        if method not in (request.method, "ANY"):
            continue
        params = match(template, path)
        if params is None:
            continue
        rank = (specificity(template), method != "ANY")
        if best is None or rank > best[0]:
            best = (rank, route, params)
    if best is not None:
        return best[1], best[2]
    return (default, {}) if default is not None else None


def serve_function_url(url, request):
    """A function URL: every request reaches the function (payload format 2.0); RESPONSE_STREAM streams."""
    if url.get("invokeMode") == "RESPONSE_STREAM":
        return serve_url(url, request, _stream)
    return serve_url(url, request, lambda api, name, qualifier, event: _answer(api, name, qualifier, event, "2.0"))


def _stream(api, name, qualifier, event):
    """Run a streaming handler and send its parts as they come: status and headers from its prelude, then each chunk."""
    try:
        fn = lambda_runner.function_named(name, api["region"], qualifier)
    except Exception:  # noqa: BLE001 - the URL names a function that is gone
        return responses.error(502, "Internal server error")
    parts = queue.Queue()
    run = lambda: parts.put(("end", lambda_runner.RUNTIME.invoke(fn, json.dumps(event), on_part=parts.put)))  # noqa: E731
    threading.Thread(target=run, daemon=True).start()
    try:
        first = parts.get(timeout=INTEGRATION_TIMEOUT_S["URL"])
    except queue.Empty:
        return responses.error(504, "Endpoint request timed out")
    if isinstance(first, tuple):  # nothing streamed: a buffered answer (or an error)
        return responses.from_result(first[1], "2.0")
    prelude = first.get("prelude") or {}
    pending = [] if "prelude" in first else [first]

    def body():
        item = pending.pop() if pending else parts.get()
        while not isinstance(item, tuple):
            if "chunk" in item:
                yield base64.b64decode(item["chunk"])
            item = parts.get()

    response = Response(body(), status=int(prelude.get("statusCode") or 200), direct_passthrough=True)
    response.headers.remove("Content-Type")
    for key, value in (prelude.get("headers") or {}).items():
        response.headers[key] = str(value)
    for cookie in prelude.get("cookies") or []:
        response.headers.add("Set-Cookie", str(cookie))
    response.headers.setdefault("Content-Type", "application/octet-stream")
    return response


def serve_http(api, request):
    """HTTP: CORS at the front door, then the route."""
    http = apigw2.apigatewayv2_backends[DEFAULT_ACCOUNT_ID][api["region"]].get_api(api["apiId"])
    config = cors.normalize(getattr(http, "dsync_cors", None) or getattr(http, "cors_configuration", None))
    if config and cors.is_preflight(request):
        return cors.preflight(config, request)
    return cors.add_headers(config, request, _serve_http_route(http, api, request))


def _serve_http_route(http, api, request):
    """HTTP: /<path> on the $default stage (/<stage>/<path> on a named one); payload format 2.0, or 1.0 as the integration says."""
    path = request.path
    stage = ""
    if "$default" not in http.stages:
        parts = path.split("/", 2)
        stage = parts[1] if len(parts) > 1 else ""
        if stage not in http.stages:
            return responses.error(404, "Not Found")
        path = "/" + (parts[2] if len(parts) > 2 else "")
    found = _http_route(http, request, path)
    if found is None:
        return responses.error(404, "Not Found")
    route, params = found
    target = (route.target or "").split("/")[-1]
    integration = http.integrations.get(target)
    name, qualifier = function_of(getattr(integration, "integration_uri", None)) if integration else (None, None)
    if not name:
        return responses.error(500, f"the emulator serves Lambda integrations; route {route.route_key} has none it can run")
    version = getattr(integration, "payload_format_version", None) or "2.0"
    body, is_b64 = events.request_body(request)
    variables = getattr(http.stages.get(stage or "$default"), "stage_variables", None) or {}
    template = route.route_key.partition(" ")[2] if route.route_key != "$default" else path
    if version == "1.0":
        event = events.v1_event(request, api, stage, template, path, params, body, is_b64, variables)
        event["version"] = "1.0"
    else:
        event = events.v2_event(request, api, stage, route.route_key, path, params, body, is_b64, variables)
    method = route.route_key.partition(" ")[0] if route.route_key != "$default" else request.method
    checked = {"template": "$default" if route.route_key == "$default" else template, "method": method, "path": path, "stage": stage}
    try:
        authorizer = auth.check_http(
            api, getattr(http, "dsync_body", None), request, {**checked, "params": params, "variables": variables, "event": event}
        )
    except responses.Refused as refused:
        return refused.response
    if authorizer is not None:
        event["requestContext"]["authorizer"] = authorizer
    return _answer(api, name, qualifier, event, version)
