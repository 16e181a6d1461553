"""dsync's embedded AWS emulator: moto's server, plus one read-only route.

`GET /_dsync/lambda/<region>/<function>/code` returns the zip that is deployed
for a function, and `GET /_dsync/lambda/<region>/layers/<name>/<version>/code`
the content of a layer version. moto keeps code in memory and its
GetFunction gives a download address that does not resolve, so without this
nobody could look at what was really deployed. Everything else is moto.
"""
import argparse
import os

from werkzeug.serving import run_simple
from werkzeug.wrappers import Response

from moto.awslambda.models import lambda_backends
from moto.core import DEFAULT_ACCOUNT_ID
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

PREFIX = "/_dsync/lambda/"


def inspect(path):
    parts = path[len(PREFIX):].strip("/").split("/")
    try:
        if len(parts) == 3 and parts[2] == "code":
            region, name = parts[0], parts[1]
            fn = lambda_backends[DEFAULT_ACCOUNT_ID][region].get_function(name)
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
    args = parser.parse_args()
    os.environ.setdefault("MOTO_PORT", str(args.port))
    moto_app = DomainDispatcherApplication(create_backend_app)

    def app(environ, start_response):
        if environ.get("PATH_INFO", "").startswith(PREFIX):
            return inspect(environ["PATH_INFO"])(environ, start_response)
        return moto_app(environ, start_response)

    run_simple(args.host, args.port, app, threaded=True)


if __name__ == "__main__":
    main()
