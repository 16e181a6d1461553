"""dsync's Runtime API client for Python functions: what Lambda's Python
runtime does, in the standard library only, for every Python from 3.9 on
(so no syntax newer than 3.9 here).

It loads the handler as _HANDLER names it (`module.function`,
`pkg/module.function`, `pkg.module.function`) from LAMBDA_TASK_ROOT, with
the layers' folders (DSYNC_LAYER_ROOT stands for /opt: python/ and
python/lib/pythonX.Y/site-packages) after it and the runtime's boto3 last;
then polls the Runtime API in AWS_LAMBDA_RUNTIME_API: each event is passed
to the handler with a context object, and the answer (JSON) or the error
(errorMessage, errorType, stackTrace) is posted back. What the function
prints, and what the `logging` module logs in Lambda's format, is its log.
"""

import sys

sys.path.pop(0)  # this script's folder: never let it shadow the function's modules

import decimal
import http.client
import importlib
import json
import logging
import os
import time
import traceback

API = "/2018-06-01/runtime"


class RuntimeClient:
    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self.connection = http.client.HTTPConnection(host, int(port))

    def call(self, method, path, body=None, headers=None):
        for attempt in (1, 2):
            try:
                self.connection.request(method, API + path, body=body, headers=headers or {})
                response = self.connection.getresponse()
                return response, response.read()
            except (http.client.HTTPException, ConnectionError):
                self.connection.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def next(self):
        response, body = self.call("GET", "/invocation/next")
        if response.status != 200:
            sys.exit(0)  # the instance is stopping
        return response.headers, body

    def post(self, path, payload, error_type=None):
        flush()
        headers = {"Content-Type": "application/json"}
        if error_type:
            headers["Lambda-Runtime-Function-Error-Type"] = error_type
        self.call("POST", path, body=payload, headers=headers)


def flush():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - a closed stream has nothing to flush
            pass


class FunctionError(Exception):
    def __init__(self, error_type, message, trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.trace = trace or []


# --- logging, as Lambda's Python runtime formats it ------------------------------
class RequestIdFilter(logging.Filter):
    request_id = None

    def filter(self, record):
        record.aws_request_id = RequestIdFilter.request_id or ""
        return True


class LambdaFormatter(logging.Formatter):
    def formatTime(self, record, datefmt=None):
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z"


def install_logging():
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(LambdaFormatter("[%(levelname)s]\t%(asctime)s\t%(aws_request_id)s\t%(message)s"))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers = [handler]


# --- the handler ---------------------------------------------------------------
def set_path():
    task = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    opt = os.environ.get("DSYNC_LAYER_ROOT", "/opt")
    version = "python{}.{}".format(*sys.version_info[:2])
    front = [task, os.path.join(opt, "python", "lib", version, "site-packages"), os.path.join(opt, "python")]
    rest = [p for p in sys.path if p not in front]
    sdk = os.environ.pop("DSYNC_PYTHON_SDK", None)
    sys.path[:] = front + rest + ([sdk] if sdk else [])
    os.environ.pop("DSYNC_LAYER_ROOT", None)


def load_handler(name):
    try:
        module_name, function_name = name.rsplit(".", 1)
    except ValueError as error:
        raise FunctionError("Runtime.MalformedHandlerName", f"Bad handler '{name}': {error}") from None
    module_name = module_name.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise FunctionError("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {error}") from None
    except SyntaxError as error:
        raise FunctionError("Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {error}", frames(error)) from None
    except Exception as error:  # noqa: BLE001 - the module's own code failed while loading
        raise FunctionError(type(error).__name__, str(error), frames(error)) from None
    handler = getattr(module, function_name, None)
    if handler is None:
        raise FunctionError("Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_name}'")
    return handler


def frames(error):
    return traceback.format_list(traceback.extract_tb(error.__traceback__))


def error_body(error_type, message, trace, request_id=None):
    body = {"errorMessage": message, "errorType": error_type, "stackTrace": trace}
    if request_id:
        body["requestId"] = request_id
    return json.dumps(body).encode()


def log_error(error_type, message, trace):
    """The error in the function's log, as Lambda's Python runtime writes it."""
    text = f"[ERROR] {error_type}: {message}"
    if trace:
        text += "\nTraceback (most recent call last):\n" + "".join(trace).rstrip("\n")
    print(text, file=sys.stdout)


class Context:
    def __init__(self, headers):
        self.aws_request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms") or 0)
        self.identity = _json_or_none(headers.get("Lambda-Runtime-Cognito-Identity"))
        self.client_context = _json_or_none(headers.get("Lambda-Runtime-Client-Context"))

    def get_remaining_time_in_millis(self):
        return max(0, self.deadline_ms - int(time.time() * 1000))


def _json_or_none(text):
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def _plain(value):
    if isinstance(value, decimal.Decimal):
        return int(value) if value.is_finite() and value == value.to_integral_value() else float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def serve(client, handler):
    while True:
        headers, body = client.next()
        context = Context(headers)
        request_id = context.aws_request_id
        RequestIdFilter.request_id = request_id
        os.environ["_X_AMZN_TRACE_ID"] = headers.get("Lambda-Runtime-Trace-Id") or ""
        try:
            event = json.loads(body) if body else {}
            result = handler(event, context)
            try:
                payload = json.dumps(result, default=_plain).encode()
            except (TypeError, ValueError) as error:
                raise FunctionError("Runtime.MarshalError", f"Unable to marshal response: {error}") from None
        except FunctionError as error:
            log_error(error.error_type, str(error), error.trace)
            client.post(f"/invocation/{request_id}/error", error_body(error.error_type, str(error), error.trace, request_id), error.error_type)
        except Exception as error:  # noqa: BLE001 - the handler's failure is the invocation's answer
            error_type, trace = type(error).__name__, frames(error)[1:]  # from the handler's frame on
            log_error(error_type, str(error), trace)
            client.post(f"/invocation/{request_id}/error", error_body(error_type, str(error), trace, request_id), "Unhandled")
        else:
            client.post(f"/invocation/{request_id}/response", payload)


def listen_for_debugger():
    """`dsync up --emulator --debug`: debugpy listens (dsync's emulator relays the function's debug port to it)."""
    port = os.environ.pop("DSYNC_DEBUGPY_PORT", None)
    folder = os.environ.pop("DSYNC_DEBUGPY_DIR", None)
    if not port or not folder:
        return
    os.environ.setdefault("PYDEVD_USE_CYTHON", "NO")  # the pure-Python debugpy runs on every version
    sys.path.append(folder)
    try:
        import debugpy  # noqa: T100 - on purpose: `dsync up --emulator --debug`

        debugpy.listen(("127.0.0.1", int(port)))  # noqa: T100
    except Exception as error:  # noqa: BLE001 - the function still runs, without a debugger
        print(f"dsync: debugpy could not listen: {error}", file=sys.stderr)


def main():
    client = RuntimeClient(os.environ["AWS_LAMBDA_RUNTIME_API"])
    set_path()
    listen_for_debugger()
    install_logging()
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except FunctionError as error:
        log_error(error.error_type, str(error), error.trace)
        client.post("/init/error", error_body(error.error_type, str(error), error.trace), error.error_type)
        sys.exit(1)
    serve(client, handler)


if __name__ == "__main__":
    main()
