"""Lambda function URLs (AWS::Lambda::Url, SAM's FunctionUrlConfig): each is
served on a port of its own, as a URL answers: any method and path reach the
function with a payload format 2.0 event (routeKey $default, the domain
<id>.lambda-url.<region>.on.aws), the answer is mapped as an HTTP API maps
it, and the URL's Cors is applied at the front door. AuthType AWS_IAM is
accepted without checking signatures (dsync says so once, on the host)."""

import hashlib

from . import cors, events


def url_entry(stack, region, logical, properties, resources):
    """The URL as list_apis lists it, or None when its function cannot be told."""
    name, qualifier = _target(properties.get("TargetFunctionArn"), resources)
    if not name:
        return None
    qualifier = properties.get("Qualifier") if isinstance(properties.get("Qualifier"), str) else qualifier
    url_id = hashlib.sha256(f"{stack.name}/{logical}".encode()).hexdigest()[:32]
    return {
        "id": logical,
        "type": "URL",
        "stack": stack.name,
        "region": region,
        "apiId": url_id,
        "function": name,
        "qualifier": qualifier,
        "authType": properties.get("AuthType") or "NONE",
        "invokeMode": properties.get("InvokeMode") or "BUFFERED",
        "cors": cors.normalize(properties.get("Cors")),
    }


def _target(value, resources):
    """(function name, qualifier) from TargetFunctionArn: a Ref or GetAtt of a function or alias, an ARN or a name."""
    logical = None
    if isinstance(value, dict) and "Ref" in value:
        logical = value["Ref"]
    elif isinstance(value, dict) and "Fn::GetAtt" in value:
        target = value["Fn::GetAtt"]
        logical = target[0] if isinstance(target, list) else str(target).split(".")[0]
    elif isinstance(value, str) and value:
        parts = value.split(":")
        return (parts[6], parts[7] if len(parts) > 7 else None) if value.startswith("arn:") and len(parts) > 6 else (value, None)
    resource = resources.get(logical) if logical else None
    if resource is None or isinstance(resource, (str, dict)):
        return None, None
    if hasattr(resource, "code_sha_256"):
        return resource.function_name, None
    # An alias (AutoPublishAlias): its function and its name.
    function = getattr(resource, "function_name", None)
    return (str(function).split(":")[6] if str(function).startswith("arn:") else function), getattr(resource, "name", None)


def serve_url(url, request, invoke):
    """One request to a function URL; `invoke(api, name, qualifier, event)` runs the function."""
    config = url.get("cors")
    if config and cors.is_preflight(request):
        return cors.preflight(config, request)
    body, is_b64 = events.request_body(request)
    event = events.v2_event(request, url, "", "$default", request.path, {}, body, is_b64, {})
    context = event["requestContext"]
    context["accountId"] = "anonymous"
    context["domainName"] = f"{url['apiId']}.lambda-url.{url['region']}.on.aws"
    context["domainPrefix"] = url["apiId"]
    return cors.add_headers(config, request, invoke(url, url["function"], url["qualifier"], event))
