"""The emulator runs Lambda functions: moto's Invoke (which would need Docker)
runs the deployed code package here instead, in a warm process per function
version: Node.js through dsync's Node.js runtime (node_runtime.mjs, over
pipes), Python and `provided` runtimes on Lambda's Runtime API, served per
instance (runtime_api.py; Python through dsync's client, python_client.py).
Which runs what: launch.py.

- What runs is what moto holds: the function's zip, unpacked, with its layers
  unpacked in order into a folder that stands for /opt (code.py).
- Node.js of the function's Runtime major: /opt/node (the image's own) or
  /opt/nodeNN (added by dsync for the template's runtimes) (node.py); Python
  of the Runtime's version (python.py). Anything else is one clear error
  naming the runtime, not a crash.
- Environment as Lambda sets it (environment.py); timeout enforced, warm
  instances reused until the code or configuration changes (runtime.py).
- Each invocation writes START / the function's lines / END / REPORT to the
  log group /aws/lambda/<function name>, as Lambda does (logs.py).
- A function being debugged runs with the Node.js inspector behind a
  stable port, its code in one folder for every version (debug.py).
"""

import base64
import threading

from moto.awslambda import models as lam
from moto.core import DEFAULT_ACCOUNT_ID

from .. import patching
from . import debug
from .logs import STREAMS
from .runtime import InvokeResult, Runtime, RuntimeUnavailable

__all__ = ["RUNTIME", "STREAMS", "InvokeResult", "RuntimeUnavailable", "debug", "function_named", "install", "on_event_invocation"]

LOG_TAIL_BYTES = 4096
RUNTIME = Runtime()


def _once_on_a_thread(fn, text):
    threading.Thread(target=RUNTIME.invoke, args=(fn, text), daemon=True).start()


_event_invocations = [_once_on_a_thread]


def on_event_invocation(handler):
    """Who runs an Event invocation: handler(fn, event text), which returns at once (sources/asynchronous.py retries)."""
    _event_invocations[0] = handler


def invoke(self, body, request_headers, response_headers):
    """LambdaFunction.invoke, as moto's Invoke API calls it: run the function here."""
    kind = request_headers.get("x-amz-invocation-type", "RequestResponse")
    if kind == "DryRun":
        return b""
    text = body if isinstance(body, str) else (body or b"").decode("utf-8", "replace") if body is not None else ""
    if kind == "Event":
        _event_invocations[0](self, text)
        return b""
    result = RUNTIME.invoke(self, text)
    if result.function_error:
        response_headers["x-amz-function-error"] = result.function_error
    if request_headers.get("x-amz-log-type") == "Tail":
        response_headers["x-amz-log-result"] = base64.b64encode(result.logs.encode()[-LOG_TAIL_BYTES:]).decode()
    response_headers["x-amz-executed-version"] = str(self.version)
    return result.payload


def install():
    """Make moto's Invoke run the function here."""
    patching.replace(lam.LambdaFunction, "invoke", invoke, params=("body", "request_headers", "response_headers"))


def function_named(name, region, qualifier=None):
    return lam.lambda_backends[DEFAULT_ACCOUNT_ID][region].get_function(name, qualifier)
