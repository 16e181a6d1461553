"""CORS as API Gateway and Lambda function URLs answer it: a preflight
(OPTIONS with Origin and Access-Control-Request-Method) is answered by the
front door from the configuration, never reaching the function; other
responses to an allowed origin get the Access-Control-* headers added.

The configuration is one shape for both: HTTP APIs' CorsConfiguration and
function URLs' Cors (AllowOrigins, AllowMethods, AllowHeaders,
ExposeHeaders, MaxAge, AllowCredentials; names as either spells them).
"""

from werkzeug.wrappers import Response


def normalize(config):
    """{allowOrigins, allowMethods, allowHeaders, exposeHeaders, maxAge, allowCredentials}, or None when CORS is off."""
    if not isinstance(config, dict) or not config:
        return None
    lower = {k[0].lower() + k[1:]: v for k, v in config.items()}
    listed = lambda key: [str(v) for v in (lower.get(key) or [])]  # noqa: E731 - a one-line reader
    return {
        "allowOrigins": listed("allowOrigins"),
        "allowMethods": [m.upper() for m in listed("allowMethods")],
        "allowHeaders": [h.lower() for h in listed("allowHeaders")],
        "exposeHeaders": listed("exposeHeaders"),
        "maxAge": lower.get("maxAge"),
        "allowCredentials": bool(lower.get("allowCredentials")),
    }


def _origin_allowed(cors, origin):
    return bool(origin) and ("*" in cors["allowOrigins"] or origin in cors["allowOrigins"])


def _allow_origin(cors, origin):
    return "*" if "*" in cors["allowOrigins"] and not cors["allowCredentials"] else origin


def is_preflight(request):
    return request.method == "OPTIONS" and "Origin" in request.headers and "Access-Control-Request-Method" in request.headers


def preflight(cors, request):
    """The answer to a preflight: 204 with the allowed methods and headers, or 204 without them (the browser then refuses)."""
    response = Response(status=204)
    origin = request.headers.get("Origin")
    method = request.headers.get("Access-Control-Request-Method", "").upper()
    asked = [h.strip().lower() for h in request.headers.get("Access-Control-Request-Headers", "").split(",") if h.strip()]
    methods_ok = "*" in cors["allowMethods"] or method in cors["allowMethods"]
    headers_ok = "*" in cors["allowHeaders"] or all(h in cors["allowHeaders"] for h in asked)
    if not (_origin_allowed(cors, origin) and methods_ok and headers_ok):
        return response
    response.headers["Access-Control-Allow-Origin"] = _allow_origin(cors, origin)
    response.headers["Access-Control-Allow-Methods"] = ",".join(cors["allowMethods"]) or method
    if asked or cors["allowHeaders"]:
        response.headers["Access-Control-Allow-Headers"] = ",".join(asked if "*" in cors["allowHeaders"] else cors["allowHeaders"])
    if cors["maxAge"] is not None:
        response.headers["Access-Control-Max-Age"] = str(cors["maxAge"])
    if cors["allowCredentials"]:
        response.headers["Access-Control-Allow-Credentials"] = "true"
    response.headers["Vary"] = "Origin"
    return response


def add_headers(cors, request, response):
    """Add the Access-Control-* headers to a response to an allowed origin (unless the function set its own)."""
    origin = request.headers.get("Origin")
    if cors is None or not _origin_allowed(cors, origin) or "Access-Control-Allow-Origin" in response.headers:
        return response
    response.headers["Access-Control-Allow-Origin"] = _allow_origin(cors, origin)
    if cors["exposeHeaders"]:
        response.headers["Access-Control-Expose-Headers"] = ",".join(cors["exposeHeaders"])
    if cors["allowCredentials"]:
        response.headers["Access-Control-Allow-Credentials"] = "true"
    response.headers.add("Vary", "Origin")
    return response
