"""dsync's AWS emulator: moto's server, made to accept what AWS accepts.

Start-up: the command line, every patch of moto (each checked, see
patching.py), the API ports (gateway), the artifact bucket, then one
werkzeug server: the emulator's own routes (routes.py) first, moto's app for
everything else.
"""

import argparse
import json
import os
import traceback

from moto.core import DEFAULT_ACCOUNT_ID
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple
from werkzeug.wrappers import Response

from . import bridges, cfn, eventbridge, gateway, lambda_runner, routes, sources, standins

_installed = False


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m dsync_emulator")
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--bucket", action="append", default=[], help="create this S3 bucket at start (SAM's artifact bucket)")
    parser.add_argument("--api-port", type=int, action="append", default=[], help="a port to serve one of the stack's APIs on")
    return parser.parse_args(argv)


def install_patches():
    """Every patch of moto, once per process; raises patching.PatchError when a target is missing or changed."""
    global _installed
    if _installed:
        return
    standins.install()
    bridges.install()
    cfn.install()
    lambda_runner.install()
    eventbridge.install()
    sources.install()
    _installed = True


def create_buckets(names):
    from moto.s3.models import s3_backends

    for bucket in names:
        s3_backends[DEFAULT_ACCOUNT_ID]["aws"].create_bucket(bucket, "us-east-1")


def _unsupported(environ, error):
    """moto could not tell which service a request is for (an API it does not have, e.g. the
    Serverless Application Repository; get_backend(None) fails): a clear 400, not an HTML 500
    that clients retry four times."""
    message = f"the emulator (moto) has no API for {environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO', '')}: {error}"
    body = json.dumps({"__type": "UnsupportedOperation", "message": message, "Message": message})
    return Response(body, status=400, mimetype="application/json")


def build_app(api_ports):
    """The emulator's WSGI app: its own routes, then moto's."""
    table = routes.table(api_ports)
    moto_app = DomainDispatcherApplication(create_backend_app)

    def app(environ, start_response):
        found = routes.find(table, environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", ""))
        if found is not None:
            route, params = found
            return route.handler(environ, **params)(environ, start_response)
        try:
            return moto_app(environ, start_response)
        except AttributeError as error:
            # Any other AttributeError is moto's own failure and stays a 500.
            if traceback.extract_tb(error.__traceback__)[-1].name != "get_backend":
                raise
            return _unsupported(environ, error)(environ, start_response)

    return app


def main(argv=None):
    args = parse_args(argv)
    os.environ.setdefault("MOTO_PORT", str(args.port))
    # moto's own calls back into this emulator (Step Functions tasks) go to localhost: never through a proxy.
    for name in ("NO_PROXY", "no_proxy"):
        os.environ[name] = ",".join(filter(None, [os.environ.get(name), "localhost", "127.0.0.1"]))
    install_patches()
    eventbridge.schedules.start()
    lambda_runner.debug.watch_settings()
    gateway.Gateway(args.api_port).start(args.host)
    create_buckets(args.bucket)
    run_simple(args.host, args.port, build_app(args.api_port), threaded=True, request_handler=MotoRequestHandler)
