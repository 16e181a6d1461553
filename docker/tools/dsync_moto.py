"""dsync's AWS emulator: moto's server, made to accept what AWS accepts.

- dsync_emu_cfn: the SAM transform server-side, as CloudFormation does it,
  so the real `sam sync` flow runs unchanged; TemplateStage; failures as
  failed stacks.
- dsync_emu_bridges: moto gaps that ordinary SAM apps hit (REST and HTTP API
  bodies and stages, state machine definitions, layers, function layers).
- dsync_emu_gaps: a resource moto cannot create stands in when it is not
  code, and every gap is recorded.

Read-only routes of its own:
- `GET /_dsync/lambda/<region>/<function>[/<version or alias>]/code`: the
  deployed zip of a function (or of a version or alias of it), and `GET /_dsync/lambda/<region>/layers/<name>/<version>/code`
  a layer version's (moto's GetFunction gives no address that resolves);
- `GET /_dsync/gaps`: the gaps recorded, as JSON;
- `GET /_dsync/apis`: the stack's REST and HTTP APIs and the container port
  each is served on (dsync_emu_gateway);
- `POST /_dsync/invoke/<region>/<stack>/<logical id>`: run a function of a
  stack with the request body as its event (`dsync invoke`);
- `GET /_dsync/streams/<region>/<stack>`: which function wrote each log
  stream (`dsync logs` prefixes lines with it).
Functions run (dsync_emu_lambda): Invoke, and every API route, runs the
deployed code in a warm Node.js process, with logs in CloudWatch Logs.
One API moto lacks is answered: API Gateway's FlushStageCache (`sam sync
--code` on a REST API calls it) is accepted and does nothing, as there is no
cache.
"""
import argparse
import json
import traceback
import os
import sys

from werkzeug.serving import run_simple
from werkzeug.wrappers import Response

from moto.awslambda.models import lambda_backends
from moto.core import DEFAULT_ACCOUNT_ID
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dsync_emu_bridges  # noqa: E402
import dsync_emu_cfn  # noqa: E402
import dsync_emu_gaps  # noqa: E402
import dsync_emu_gateway  # noqa: E402
import dsync_emu_lambda  # noqa: E402

PREFIX = "/_dsync/lambda/"
GAPS = "/_dsync/gaps"
APIS = "/_dsync/apis"
STREAMS = "/_dsync/streams/"
INVOKE = "/_dsync/invoke/"


def inspect(path):
    parts = path[len(PREFIX):].strip("/").split("/")
    try:
        if len(parts) in (3, 4) and parts[-1] == "code":
            region, name = parts[0], parts[1]
            qualifier = parts[2] if len(parts) == 4 else None
            fn = lambda_backends[DEFAULT_ACCOUNT_ID][region].get_function(name, qualifier)
            return Response(fn.code_bytes, mimetype="application/zip")
        if len(parts) == 5 and parts[1] == "layers" and parts[4] == "code":
            region, name, version = parts[0], parts[2], parts[3]
            layer = lambda_backends[DEFAULT_ACCOUNT_ID][region].get_layer_version(name, version)
            return Response(layer.code_bytes, mimetype="application/zip")
    except Exception as error:  # noqa: BLE001 - any lookup failure is a 404 here
        return Response(f"not found: {error}\n", status=404, mimetype="text/plain")
    return Response("unknown dsync route\n", status=404, mimetype="text/plain")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--bucket", action="append", default=[], help="create this S3 bucket at start (SAM's artifact bucket)")
    parser.add_argument("--api-port", type=int, action="append", default=[], help="a port to serve one of the stack's APIs on")
    args = parser.parse_args()
    os.environ.setdefault("MOTO_PORT", str(args.port))
    dsync_emu_gaps.install()
    dsync_emu_bridges.install()
    dsync_emu_cfn.install()
    dsync_emu_lambda.install()
    dsync_emu_gateway.Gateway(args.api_port).start(args.host)
    for bucket in args.bucket:
        from moto.s3.models import s3_backends

        s3_backends[DEFAULT_ACCOUNT_ID]["aws"].create_bucket(bucket, "us-east-1")
    moto_app = DomainDispatcherApplication(create_backend_app)

    def app(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(PREFIX):
            return inspect(path)(environ, start_response)
        if path == GAPS:
            return Response(json.dumps(dsync_emu_gaps.gaps()), mimetype="application/json")(environ, start_response)
        if path == APIS:
            return dsync_emu_gateway.apis_response(args.api_port)(environ, start_response)
        if path.startswith(STREAMS):
            parts = path[len(STREAMS):].split("/")
            found = dsync_emu_gateway.stream_functions(parts[0], parts[1]) if len(parts) == 2 else {}
            return Response(json.dumps(found), mimetype="application/json")(environ, start_response)
        if path.startswith(INVOKE) and environ.get("REQUEST_METHOD") == "POST":
            parts = path[len(INVOKE):].split("/")
            if len(parts) != 3:
                return Response("usage: POST /_dsync/invoke/<region>/<stack>/<logical id>\n", status=400)(environ, start_response)
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length).decode("utf-8", "replace") if length else "{}"
            status, answer = dsync_emu_gateway.invoke_logical(parts[0], parts[1], parts[2], body)
            return Response(json.dumps(answer), status=status, mimetype="application/json")(environ, start_response)
        if environ.get("REQUEST_METHOD") == "DELETE" and path.startswith("/restapis/") and (path.endswith("/cache/data") or path.endswith("/cache/authorizers")):
            return Response("", status=202, mimetype="application/json")(environ, start_response)
        try:
            return moto_app(environ, start_response)
        except AttributeError as error:
            # moto could not tell which service the request is for (an API it does not
            # have, e.g. the Serverless Application Repository; get_backend(None) fails):
            # a clear 400, not an HTML 500 that clients retry four times. Any other
            # AttributeError is moto's own failure and stays a 500.
            if traceback.extract_tb(error.__traceback__)[-1].name != "get_backend":
                raise
            message = f"the emulator (moto) has no API for {environ.get('REQUEST_METHOD')} {path}: {error}"
            body = json.dumps({"__type": "UnsupportedOperation", "message": message, "Message": message})
            return Response(body, status=400, mimetype="application/json")(environ, start_response)

    run_simple(args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
