"""The emulator serves the app's APIs: every REST API (AWS::ApiGateway::RestApi)
and HTTP API (AWS::ApiGatewayV2::Api) of the deployed stacks is served on a
port of its own (the container's API ports, published on host loopback), and
requests route as API Gateway routes them to the Lambda function behind the
route, which dsync_emu_lambda runs.

- REST: /<stage>/<path>; resources with {param} and {proxy+}; the method or
  ANY; Lambda proxy integrations; payload format 1.0.
- HTTP: /<path> on the $default stage (/<stage>/<path> on a named one);
  route keys "METHOD /path" with {param} and {proxy+}, ANY, $default;
  payload format 2.0, or 1.0 as the integration says.
- Responses are mapped from statusCode, headers, multiValueHeaders, cookies,
  body and isBase64Encoded; a function error (or a malformed answer) is a 502
  with API Gateway's body, and the error is in the function's logs.

APIs get ports in the order of the stacks' templates (by stack name), so an
API keeps its port across edits. `GET /_dsync/apis` on the emulator lists them.
"""
import base64
import json
import re
import threading
import uuid
from datetime import datetime, timezone

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from moto.apigateway import models as apigw
from moto.apigatewayv2 import models as apigw2
from moto.cloudformation.models import cloudformation_backends
from moto.core import DEFAULT_ACCOUNT_ID

import dsync_emu_lambda

API_TYPES = {"AWS::ApiGateway::RestApi": "REST", "AWS::ApiGatewayV2::Api": "HTTP"}
TEXT_TYPES = re.compile(r"^(text/|application/(json|xml|javascript|x-www-form-urlencoded|[\w.+-]+\+(json|xml)))", re.I)


def list_apis(ports):
    """The deployed APIs, each with the container port it is served on."""
    found = []
    backends = cloudformation_backends[DEFAULT_ACCOUNT_ID]
    for region in sorted(backends.keys()):
        stacks = [s for s in backends[region].stacks.values() if not str(s.status).startswith("DELETE")]
        for stack in sorted(stacks, key=lambda s: s.name):
            resources = getattr(stack.resource_map, "_parsed_resources", {})
            order = list((stack.template_dict or {}).get("Resources", {}).keys())
            for logical in order:
                kind = API_TYPES.get(((stack.template_dict or {}).get("Resources", {}).get(logical) or {}).get("Type"))
                resource = resources.get(logical)
                if not kind or resource is None or isinstance(resource, (str, dict)):
                    continue
                api_id = getattr(resource, "id", None) if kind == "REST" else getattr(resource, "api_id", None)
                if not api_id:
                    continue
                found.append({"id": logical, "type": kind, "stack": stack.name, "region": region, "apiId": api_id})
    for api, port in zip(found, ports):
        api["port"] = port
        api["stages"] = _stages(api)
    for api in found[len(ports):]:
        api["port"] = None
        api["stages"] = _stages(api)
    return found


def _stages(api):
    try:
        if api["type"] == "REST":
            return sorted(apigw.apigateway_backends[DEFAULT_ACCOUNT_ID][api["region"]].get_rest_api(api["apiId"]).stages.keys())
        return sorted(apigw2.apigatewayv2_backends[DEFAULT_ACCOUNT_ID][api["region"]].get_api(api["apiId"]).stages.keys())
    except Exception:  # noqa: BLE001 - an API deleted meanwhile has no stages
        return []


def _match(template, path):
    """Match "/items/{id}/{proxy+}" against a path: the parameters, or None."""
    t_parts = [p for p in template.split("/") if p]
    p_parts = [p for p in path.split("/") if p]
    params = {}
    for i, part in enumerate(t_parts):
        if part.startswith("{") and part.endswith("+}"):
            if i >= len(p_parts):
                return None
            params[part[1:-2]] = "/".join(p_parts[i:])
            return params
        if i >= len(p_parts):
            return None
        if part.startswith("{") and part.endswith("}"):
            params[part[1:-1]] = p_parts[i]
        elif part != p_parts[i]:
            return None
    return params if len(t_parts) == len(p_parts) else None


def _specificity(template):
    """Literal segments beat {param}, which beats {proxy+}."""
    parts = [p for p in template.split("/") if p]
    return (sum(1 for p in parts if not p.startswith("{")), sum(1 for p in parts if p.startswith("{") and not p.endswith("+}")), len(parts))


def _function_of(uri):
    """(function name or ARN, qualifier) from a Lambda integration URI."""
    if not uri:
        return None, None
    m = re.search(r"functions/(arn:[^/]+?)/invocations", uri) or re.match(r"^(arn:aws[\w-]*:lambda:[^/]+)$", uri)
    if not m:
        return None, None
    arn = m.group(1)
    parts = arn.split(":")
    name = parts[6] if len(parts) > 6 else arn
    qualifier = parts[7] if len(parts) > 7 else None
    return name, qualifier


def _request_parts(request):
    raw = request.get_data()
    content_type = request.headers.get("Content-Type", "")
    if not raw:
        return None, False
    if TEXT_TYPES.match(content_type) or not content_type:
        try:
            return raw.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(raw).decode(), True


def _now():
    now = datetime.now(timezone.utc)
    return now, now.strftime("%d/%b/%Y:%H:%M:%S +0000"), int(now.timestamp() * 1000)


def _multi(items):
    out = {}
    for key, value in items:
        out.setdefault(key, []).append(value)
    return out


def _error(status, message):
    return Response(json.dumps({"message": message}), status=status, mimetype="application/json", headers={"x-amzn-ErrorType": "InternalServerErrorException" if status >= 500 else "NotFoundException"})


def _v1_event(request, api, stage, resource_path, path, params, body, is_b64, stage_variables):
    _, req_time, epoch = _now()
    headers = {k: v for k, v in request.headers.items()}
    query = _multi(request.args.items(multi=True))
    return {
        "resource": resource_path,
        "path": path,
        "httpMethod": request.method,
        "headers": headers or None,
        "multiValueHeaders": _multi(request.headers.items()) or None,
        "queryStringParameters": {k: v[-1] for k, v in query.items()} or None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": params or None,
        "stageVariables": stage_variables or None,
        "requestContext": {
            "resourcePath": resource_path,
            "httpMethod": request.method,
            "path": f"/{stage}{path}" if stage else path,
            "accountId": DEFAULT_ACCOUNT_ID,
            "protocol": request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
            "stage": stage or "$default",
            "domainName": request.host,
            "domainPrefix": api["apiId"],
            "requestId": str(uuid.uuid4()),
            "extendedRequestId": str(uuid.uuid4()),
            "requestTime": req_time,
            "requestTimeEpoch": epoch,
            "apiId": api["apiId"],
            "identity": {"sourceIp": request.remote_addr or "127.0.0.1", "userAgent": request.headers.get("User-Agent")},
        },
        "body": body,
        "isBase64Encoded": is_b64,
    }


def _v2_event(request, api, stage, route_key, path, params, body, is_b64, stage_variables):
    _, req_time, epoch = _now()
    headers = {}
    for key, value in request.headers.items():
        key = key.lower()
        if key == "cookie":
            continue
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    cookies = [c.strip() for c in request.headers.get("Cookie", "").split(";") if c.strip()]
    query = _multi(request.args.items(multi=True))
    event = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": f"/{stage}{path}" if stage else path,
        "rawQueryString": request.query_string.decode("latin-1"),
        "headers": headers,
        "requestContext": {
            "accountId": DEFAULT_ACCOUNT_ID,
            "apiId": api["apiId"],
            "domainName": request.host,
            "domainPrefix": api["apiId"],
            "http": {"method": request.method, "path": f"/{stage}{path}" if stage else path, "protocol": request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"), "sourceIp": request.remote_addr or "127.0.0.1", "userAgent": request.headers.get("User-Agent", "")},
            "requestId": str(uuid.uuid4()),
            "routeKey": route_key,
            "stage": stage or "$default",
            "time": req_time,
            "timeEpoch": epoch,
        },
        "isBase64Encoded": is_b64,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = {k: ",".join(v) for k, v in query.items()}
    if params:
        event["pathParameters"] = params
    if stage_variables:
        event["stageVariables"] = stage_variables
    if body is not None:
        event["body"] = body
    return event


def _response(result, version):
    """Map a function's answer to the HTTP response API Gateway gives."""
    if result.function_error:
        return _error(502, "Internal server error")
    try:
        answer = json.loads(result.payload or b"null")
    except ValueError:
        return _error(502, "Internal server error")
    if version == "2.0" and not (isinstance(answer, dict) and "statusCode" in answer):
        # HTTP APIs take any JSON answer without a statusCode as a 200 JSON body.
        body = answer if isinstance(answer, str) else json.dumps(answer)
        return Response(body, status=200, mimetype="application/json")
    if not isinstance(answer, dict) or not isinstance(answer.get("statusCode", None), (int, str)):
        return _error(502, "Internal server error")
    try:
        status = int(answer["statusCode"])
    except ValueError:
        return _error(502, "Internal server error")
    body = answer.get("body")
    if body is None:
        data = b""
    elif not isinstance(body, str):
        if version == "2.0":
            data = json.dumps(body).encode()
        else:
            return _error(502, "Internal server error")
    elif answer.get("isBase64Encoded"):
        try:
            data = base64.b64decode(body)
        except ValueError:
            return _error(502, "Internal server error")
    else:
        data = body.encode()
    response = Response(data, status=status)
    response.headers.remove("Content-Type")
    for key, values in (answer.get("multiValueHeaders") or {}).items():
        for value in values if isinstance(values, list) else [values]:
            response.headers.add(key, str(value))
    for key, value in (answer.get("headers") or {}).items():
        # API Gateway merges headers into multiValueHeaders' lists.
        if str(value) not in response.headers.getlist(key):
            response.headers.add(key, str(value))
    for cookie in answer.get("cookies") or []:
        response.headers.add("Set-Cookie", str(cookie))
    if "Content-Type" not in response.headers:
        response.headers["Content-Type"] = "application/json"
    return response


# API Gateway waits this long for an integration (REST 29 s, HTTP APIs 30 s), then answers 504.
INTEGRATION_TIMEOUT_S = {"REST": 29.0, "HTTP": 30.0}
TIMED_OUT = object()


def _invoke(api, name, qualifier, event):
    try:
        fn = dsync_emu_lambda.function_named(name, api["region"], qualifier)
    except Exception:  # noqa: BLE001 - the route names a function that is gone
        return None
    result = {}
    worker = threading.Thread(target=lambda: result.setdefault("r", dsync_emu_lambda.RUNTIME.invoke(fn, json.dumps(event))), daemon=True)
    worker.start()
    worker.join(INTEGRATION_TIMEOUT_S[api["type"]])
    return result.get("r", TIMED_OUT)


def serve_rest(api, request):
    backend = apigw.apigateway_backends[DEFAULT_ACCOUNT_ID][api["region"]]
    rest = backend.get_rest_api(api["apiId"])
    parts = request.path.split("/", 2)
    stage = parts[1] if len(parts) > 1 else ""
    path = "/" + (parts[2] if len(parts) > 2 else "")
    if stage not in rest.stages:
        return _error(403, "Forbidden")
    best = None
    for resource in rest.resources.values():
        template = resource.get_path()
        params = _match(template, path)
        if params is None:
            continue
        method = resource.resource_methods.get(request.method) or resource.resource_methods.get("ANY")
        if method is None:
            continue
        rank = _specificity(template)
        if best is None or rank > best[0]:
            best = (rank, template, params, method)
    if best is None:
        return _error(403, "Missing Authentication Token")
    _, template, params, method = best
    integration = method.method_integration
    name, qualifier = _function_of(getattr(integration, "uri", None)) if integration else (None, None)
    if not name or (integration.integration_type or "").upper() != "AWS_PROXY":
        return _error(500, f"the emulator serves Lambda proxy integrations; {request.method} {template} has {getattr(integration, 'integration_type', 'none')}")
    body, is_b64 = _request_parts(request)
    variables = getattr(rest.stages[stage], "variables", None) or {}
    event = _v1_event(request, api, stage, template, path, params, body, is_b64, variables)
    result = _invoke(api, name, qualifier, event)
    if result is None:
        return _error(502, "Internal server error")
    if result is TIMED_OUT:
        return _error(504, "Endpoint request timed out")
    return _response(result, "1.0")


def serve_http(api, request):
    backend = apigw2.apigatewayv2_backends[DEFAULT_ACCOUNT_ID][api["region"]]
    http = backend.get_api(api["apiId"])
    path = request.path
    stage = ""
    if "$default" not in http.stages:
        parts = path.split("/", 2)
        stage = parts[1] if len(parts) > 1 else ""
        if stage not in http.stages:
            return _error(404, "Not Found")
        path = "/" + (parts[2] if len(parts) > 2 else "")
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
        params = _match(template, path)
        if params is None:
            continue
        rank = (_specificity(template), method != "ANY")
        if best is None or rank > best[0]:
            best = (rank, route, params)
    if best is not None:
        _, route, params = best
    elif default is not None:
        route, params = default, {}
    else:
        return _error(404, "Not Found")
    target = (route.target or "").split("/")[-1]
    integration = http.integrations.get(target)
    name, qualifier = _function_of(getattr(integration, "integration_uri", None)) if integration else (None, None)
    if not name:
        return _error(500, f"the emulator serves Lambda integrations; route {route.route_key} has none it can run")
    version = getattr(integration, "payload_format_version", None) or "2.0"
    body, is_b64 = _request_parts(request)
    variables = getattr(http.stages.get(stage or "$default"), "stage_variables", None) or {}
    if version == "1.0":
        template = route.route_key.partition(" ")[2] if route.route_key != "$default" else path
        event = _v1_event(request, api, stage, template, path, params, body, is_b64, variables)
        event["version"] = "1.0"
    else:
        event = _v2_event(request, api, stage, route.route_key, path, params, body, is_b64, variables)
    result = _invoke(api, name, qualifier, event)
    if result is None:
        return _error(502, "Internal server error")
    if result is TIMED_OUT:
        return _error(504, "Endpoint request timed out")
    return _response(result, version)


class Gateway:
    def __init__(self, ports):
        self.ports = ports

    def app_for(self, port):
        def app(environ, start_response):
            request = Request(environ)
            api = next((a for a in list_apis(self.ports) if a["port"] == port), None)
            if api is None:
                response = _error(404, f"no API is served on this port (the stack has {len(list_apis(self.ports))} APIs)")
            else:
                try:
                    response = serve_rest(api, request) if api["type"] == "REST" else serve_http(api, request)
                except Exception as error:  # noqa: BLE001 - one bad request must not stop the server
                    response = _error(500, f"dsync's API emulation failed: {error}")
            return response(environ, start_response)

        return app

    def start(self, host):
        for port in self.ports:
            server = make_server(host, port, self.app_for(port), threaded=True)
            threading.Thread(target=server.serve_forever, daemon=True).start()


def apis_response(ports):
    return Response(json.dumps(list_apis(ports)), mimetype="application/json")


def stream_functions(region, stack_name):
    """Log stream -> the logical id of the stack's function that wrote it."""
    backend = cloudformation_backends[DEFAULT_ACCOUNT_ID][region]
    stack = next((s for s in backend.stacks.values() if s.name == stack_name and not str(s.status).startswith("DELETE")), None)
    if stack is None:
        return {}
    logical = {getattr(v, "function_name", None): k for k, v in getattr(stack.resource_map, "_parsed_resources", {}).items() if hasattr(v, "code_sha_256")}
    return {stream: logical[name] for stream, name in list(dsync_emu_lambda.STREAMS.items()) if name in logical}


def invoke_logical(region, stack_name, logical_id, event_text):
    """`dsync invoke`: run a function of a stack by its logical id; (status, JSON answer)."""
    backend = cloudformation_backends[DEFAULT_ACCOUNT_ID][region]
    stack = next((s for s in backend.stacks.values() if s.name == stack_name and not str(s.status).startswith("DELETE")), None)
    if stack is None:
        return 404, {"message": f"no stack {stack_name} in the emulator (has `dsync up` deployed it?)"}
    resources = getattr(stack.resource_map, "_parsed_resources", {})
    functions = sorted(k for k, v in resources.items() if hasattr(v, "function_name") and hasattr(v, "code_sha_256"))
    fn = resources.get(logical_id)
    if fn is None or not hasattr(fn, "function_name"):
        return 404, {"message": f"{logical_id} is not a function of stack {stack_name}", "functions": functions}
    result = dsync_emu_lambda.RUNTIME.invoke(fn, event_text)
    return 200, {
        "logicalId": logical_id,
        "functionName": fn.function_name,
        "payload": result.payload.decode("utf-8", "replace"),
        "functionError": result.function_error,
        "logs": result.logs,
        "initMs": result.init_ms,
        "durationMs": result.duration_ms,
    }
