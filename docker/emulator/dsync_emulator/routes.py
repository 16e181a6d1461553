"""The emulator's own routes, answered before moto's app sees a request.

- `GET /_dsync/lambda/<region>/<function>[/<version or alias>]/code`: the
  deployed zip of a function (or of a version or alias of it), and
  `GET /_dsync/lambda/<region>/layers/<name>/<version>/code` a layer
  version's (moto's GetFunction gives no address that resolves);
- `GET /_dsync/gaps`: the gaps recorded (gaps.py), as JSON;
- `GET /_dsync/apis`: the stack's REST and HTTP APIs and the container port
  each is served on (gateway);
- `POST /_dsync/invoke/<region>/<stack>/<logical id>`: run a function of a
  stack with the request body as its event (`dsync invoke`);
- `POST /_dsync/trigger/<region>/<stack>/<logical id>`: fire a rule, a
  schedule or a mapping now, with the request body as its event if any
  (`dsync trigger`; eventbridge/trigger.py), and `GET /_dsync/triggers/<region>/<stack>`
  the stack's triggers with their last run and error (`dsync status`), and
  `GET /_dsync/runs/<region>/<stack>?after=N&wait=S` each run after number
  N, waiting up to S seconds for one (`dsync up --logs`; eventbridge/run_log.py);
- `GET /_dsync/streams/<region>/<stack>`: which function wrote each log
  stream (`dsync logs` prefixes lines with it);
- API Gateway's FlushStageCache and FlushStageAuthorizersCache, which moto
  lacks (`sam sync --code` on a REST API calls the first): accepted, and
  nothing is done, as there is no cache.

A route is (method, path pattern, handler). In a pattern, <name> is one
path segment and <name:path> the rest of the path (possibly empty); the
first route whose method and pattern match answers. "*" is any method: the
read-only routes have always answered any method, and still do.
"""

import json
import re
import urllib.parse
from dataclasses import dataclass, field

from moto.awslambda.models import lambda_backends
from moto.core import DEFAULT_ACCOUNT_ID
from werkzeug.wrappers import Response

from . import eventbridge, gaps, gateway

ANY = "*"
_PARAM = re.compile(r"<(\w+)(:path)?>")


def compile_pattern(pattern):
    """A route pattern as a regular expression matching the whole path."""
    out, last = [], 0
    for param in _PARAM.finditer(pattern):
        out.append(re.escape(pattern[last : param.start()]))
        out.append(f"(?P<{param.group(1)}>.*)" if param.group(2) else f"(?P<{param.group(1)}>[^/]*)")
        last = param.end()
    out.append(re.escape(pattern[last:]))
    return re.compile("".join(out))


@dataclass(frozen=True)
class Route:
    method: str
    pattern: str
    handler: object  # handler(environ, **path parameters) -> werkzeug Response
    regex: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "regex", compile_pattern(self.pattern))

    def match(self, method, path):
        """The path parameters when this route answers the request, else None."""
        if self.method not in (ANY, method):
            return None
        found = self.regex.fullmatch(path)
        return found.groupdict() if found else None


def find(routes, method, path):
    """(route, path parameters) of the first route that answers, or None."""
    for route in routes:
        params = route.match(method, path)
        if params is not None:
            return route, params
    return None


def _not_found(error):
    return Response(f"not found: {error}\n", status=404, mimetype="text/plain")


def function_code(environ, region, function, qualifier=None):
    try:
        fn = lambda_backends[DEFAULT_ACCOUNT_ID][region].get_function(function, qualifier)
    except Exception as error:  # noqa: BLE001 - any lookup failure is a 404 here
        return _not_found(error)
    return Response(fn.code_bytes, mimetype="application/zip")


def layer_code(environ, region, name, version):
    try:
        layer = lambda_backends[DEFAULT_ACCOUNT_ID][region].get_layer_version(name, version)
    except Exception as error:  # noqa: BLE001 - any lookup failure is a 404 here
        return _not_found(error)
    return Response(layer.code_bytes, mimetype="application/zip")


def unknown(environ, rest):
    return Response("unknown dsync route\n", status=404, mimetype="text/plain")


def gap_list(environ):
    return Response(json.dumps(gaps.gaps()), mimetype="application/json")


def streams(environ, region=None, stack=None, rest=None):
    found = gateway.stream_functions(region, stack) if rest is None else {}
    return Response(json.dumps(found), mimetype="application/json")


def invoke(environ, region, stack, logical_id):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length).decode("utf-8", "replace") if length else "{}"
    status, answer = gateway.invoke_logical(region, stack, logical_id, body)
    return Response(json.dumps(answer), status=status, mimetype="application/json")


def trigger(environ, region, stack, logical_id):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length).decode("utf-8", "replace") if length else None
    status, answer = eventbridge.trigger.trigger(region, stack, logical_id, body)
    return Response(json.dumps(answer), status=status, mimetype="application/json")


def trigger_list(environ, region, stack):
    return Response(json.dumps(eventbridge.listing.triggers(region, stack)), mimetype="application/json")


def run_log(environ, region, stack):
    query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
    after = query.get("after", [None])[0]
    try:
        answer = eventbridge.run_log.runs_since(region, stack, int(after) if after not in (None, "") else None, float(query.get("wait", ["0"])[0]))
    except ValueError:
        return Response(json.dumps({"message": "after and wait must be numbers"}), status=400, mimetype="application/json")
    return Response(json.dumps(answer), mimetype="application/json")


def invoke_usage(environ, rest):
    return Response("usage: POST /_dsync/invoke/<region>/<stack>/<logical id>\n", status=400)


def flush_cache(environ, api, stage):
    return Response("", status=202, mimetype="application/json")


def table(api_ports):
    """The routes, in the order they are tried."""
    return (
        Route(ANY, "/_dsync/lambda/<region>/<function>/code", function_code),
        Route(ANY, "/_dsync/lambda/<region>/<function>/<qualifier>/code", function_code),
        Route(ANY, "/_dsync/lambda/<region>/layers/<name>/<version>/code", layer_code),
        Route(ANY, "/_dsync/lambda/<rest:path>", unknown),
        Route(ANY, "/_dsync/gaps", gap_list),
        Route(ANY, "/_dsync/apis", lambda environ: gateway.apis_response(api_ports)),
        Route(ANY, "/_dsync/streams/<region>/<stack>", streams),
        Route(ANY, "/_dsync/streams/<rest:path>", streams),
        Route("POST", "/_dsync/invoke/<region>/<stack>/<logical_id>", invoke),
        Route("POST", "/_dsync/invoke/<rest:path>", invoke_usage),
        Route("POST", "/_dsync/trigger/<region>/<stack>/<logical_id>", trigger),
        Route(ANY, "/_dsync/triggers/<region>/<stack>", trigger_list),
        Route("GET", "/_dsync/runs/<region>/<stack>", run_log),
        Route("DELETE", "/restapis/<api>/stages/<stage>/cache/data", flush_cache),
        Route("DELETE", "/restapis/<api>/stages/<stage>/cache/authorizers", flush_cache),
    )
