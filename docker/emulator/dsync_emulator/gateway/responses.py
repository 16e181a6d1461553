"""A function's answer as the HTTP response API Gateway gives for it."""

import base64
import json

from werkzeug.wrappers import Response


def error(status, message):
    """API Gateway's own error response."""
    kind = "InternalServerErrorException" if status >= 500 else "NotFoundException"
    return Response(json.dumps({"message": message}), status=status, mimetype="application/json", headers={"x-amzn-ErrorType": kind})


class Refused(Exception):
    """The front door refuses the request (an authorizer, an API key): `response` is the answer."""

    def __init__(self, response):
        super().__init__(response.status_code)
        self.response = response


def unauthorized(description=None):
    """API Gateway's 401, with the reason in www-authenticate as JWT authorizers give it."""
    response = error(401, "Unauthorized")
    if description:
        response.headers["www-authenticate"] = f'Bearer error="invalid_token" error_description="{description}"'
    return Refused(response)


def _body_bytes(answer, version):
    """The response body, or None when the answer's body is malformed (a 502)."""
    body = answer.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        return json.dumps(body).encode() if version == "2.0" else None
    if answer.get("isBase64Encoded"):
        try:
            return base64.b64decode(body)
        except ValueError:
            return None
    return body.encode()


def _add_headers(response, answer):
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


def from_result(result, version):
    """Map a function's answer (statusCode, headers, multiValueHeaders, cookies, body, isBase64Encoded) to a response."""
    if result.function_error:
        return error(502, "Internal server error")
    try:
        answer = json.loads(result.payload or b"null")
    except ValueError:
        return error(502, "Internal server error")
    if version == "2.0" and not (isinstance(answer, dict) and "statusCode" in answer):
        # HTTP APIs take any JSON answer without a statusCode as a 200 JSON body.
        body = answer if isinstance(answer, str) else json.dumps(answer)
        return Response(body, status=200, mimetype="application/json")
    if not isinstance(answer, dict) or not isinstance(answer.get("statusCode", None), (int, str)):
        return error(502, "Internal server error")
    try:
        status = int(answer["statusCode"])
    except ValueError:
        return error(502, "Internal server error")
    data = _body_bytes(answer, version)
    if data is None:
        return error(502, "Internal server error")
    response = Response(data, status=status)
    response.headers.remove("Content-Type")
    _add_headers(response, answer)
    return response
