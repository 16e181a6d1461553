"""The event a Lambda proxy integration gets: payload format 1.0 (REST
APIs, and HTTP API integrations that ask for it) and 2.0 (HTTP APIs)."""

import base64
import re
import uuid
from datetime import UTC, datetime

from moto.core import DEFAULT_ACCOUNT_ID

TEXT_TYPES = re.compile(r"^(text/|application/(json|xml|javascript|x-www-form-urlencoded|[\w.+-]+\+(json|xml)))", re.I)


def request_body(request):
    """(body, isBase64Encoded): text as text, anything else base64."""
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
    now = datetime.now(UTC)
    return now, now.strftime("%d/%b/%Y:%H:%M:%S +0000"), int(now.timestamp() * 1000)


def _multi(items):
    out = {}
    for key, value in items:
        out.setdefault(key, []).append(value)
    return out


def v1_event(request, api, stage, resource_path, path, params, body, is_b64, stage_variables):
    _, req_time, epoch = _now()
    headers = dict(request.headers.items())
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


def _v2_headers(request):
    """Header names in lower case, repeated values joined by commas; cookies go apart."""
    headers = {}
    for key, value in request.headers.items():
        key = key.lower()
        if key == "cookie":
            continue
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    return headers


def v2_event(request, api, stage, route_key, path, params, body, is_b64, stage_variables):
    _, req_time, epoch = _now()
    cookies = [c.strip() for c in request.headers.get("Cookie", "").split(";") if c.strip()]
    query = _multi(request.args.items(multi=True))
    full_path = f"/{stage}{path}" if stage else path
    protocol = request.environ.get("SERVER_PROTOCOL", "HTTP/1.1")
    event = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": full_path,
        "rawQueryString": request.query_string.decode("latin-1"),
        "headers": _v2_headers(request),
        "requestContext": {
            "accountId": DEFAULT_ACCOUNT_ID,
            "apiId": api["apiId"],
            "domainName": request.host,
            "domainPrefix": api["apiId"],
            "http": {
                "method": request.method,
                "path": full_path,
                "protocol": protocol,
                "sourceIp": request.remote_addr or "127.0.0.1",
                "userAgent": request.headers.get("User-Agent", ""),
            },
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
