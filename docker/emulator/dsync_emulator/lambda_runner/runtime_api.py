"""Lambda's Runtime API, served for one instance on a loopback port of its own.

A runtime process (dsync's Python client, AWS's runtime interface clients, a
`provided` runtime's `bootstrap`) finds it in AWS_LAMBDA_RUNTIME_API and
polls it as it polls Lambda:

- GET  /2018-06-01/runtime/invocation/next          waits for the next event
- POST /2018-06-01/runtime/invocation/ID/response   the handler's answer
- POST /2018-06-01/runtime/invocation/ID/error      the handler failed
- POST /2018-06-01/runtime/init/error               the handler could not load

Everything the runtime says is put, in order, on `messages` as a tuple:
("next",), ("response", id, body), ("error", id, body), ("init-error", body).
The instance reads them from there (api_instance.py).
"""

import json
import queue
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/2018-06-01/runtime"


class RuntimeApi:
    def __init__(self):
        self.events = queue.Queue()  # requests waiting for a /next (None: closing)
        self.messages = queue.Queue()
        self.current = None  # the request id handed out and not answered yet
        self.lock = threading.Lock()
        self.server = _Server(("127.0.0.1", 0), _handler_for(self))
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()

    def send(self, request):
        """Hand one invocation to the runtime's next /next."""
        self.events.put(request)

    def close(self):
        self.events.put(None)
        threading.Thread(target=self._stop, daemon=True).start()

    def _stop(self):
        self.server.shutdown()
        self.server.server_close()

    def take(self, request_id):
        """Whether `request_id` is the one being answered (then it is answered)."""
        with self.lock:
            if self.current != request_id:
                return False
            self.current = None
            return True


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a runtime killed mid-request (a timeout, a new version) is no news


def next_headers(request):
    trace = f"Root=1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]};Parent={uuid.uuid4().hex[:16]};Sampled=0"
    headers = {
        "Lambda-Runtime-Aws-Request-Id": request["requestId"],
        "Lambda-Runtime-Deadline-Ms": str(request["deadline"]),
        "Lambda-Runtime-Invoked-Function-Arn": request["invokedFunctionArn"],
        "Lambda-Runtime-Trace-Id": trace,
    }
    if request.get("clientContext"):
        headers["Lambda-Runtime-Client-Context"] = json.dumps(request["clientContext"])
    if request.get("cognitoIdentity"):
        headers["Lambda-Runtime-Cognito-Identity"] = json.dumps(request["cognitoIdentity"])
    return headers


def read_body(headers, stream):
    """A request's body: Content-Length bytes, or chunks (a runtime that streams its answer)."""
    if "chunked" not in headers.get("Transfer-Encoding", "").lower():
        length = int(headers.get("Content-Length") or 0)
        return stream.read(length) if length else b""
    parts = []
    while True:
        size = int(stream.readline().split(b";")[0].strip() or b"0", 16)
        if size == 0:
            while stream.readline().strip():  # trailers, up to the empty line
                pass
            return b"".join(parts)
        parts.append(stream.read(size))
        stream.readline()  # the CRLF after each chunk


def _handler_for(api):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # small answers, at once: no 40 ms wait for a delayed ACK

        def log_message(self, *args):
            pass

        def _reply(self, status, body, headers=None):
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path != f"{PREFIX}/invocation/next":
                return self._reply(404, {"errorType": "InvalidRequest", "errorMessage": f"no such route: GET {self.path}"})
            api.messages.put(("next",))
            request = api.events.get()
            if request is None:
                api.events.put(None)  # for any other poller
                return self._reply(410, {"errorType": "Runtime.Closing", "errorMessage": "this instance is stopping"})
            with api.lock:
                api.current = request["requestId"]
            body = request.get("payload")
            return self._reply(200, body if isinstance(body, bytes) else json.dumps(request["event"]).encode(), next_headers(request))

        def do_POST(self):
            body = read_body(self.headers, self.rfile)
            parts = self.path[len(PREFIX) :].strip("/").split("/") if self.path.startswith(PREFIX) else []
            if parts == ["init", "error"]:
                api.messages.put(("init-error", body))
                return self._reply(202, {"status": "OK"})
            if len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error"):
                if not api.take(parts[1]):
                    return self._reply(400, {"errorType": "InvalidRequestID", "errorMessage": f"{parts[1]} is not the invocation in flight"})
                api.messages.put((parts[2], parts[1], body))
                return self._reply(202, {"status": "OK"})
            return self._reply(404, {"errorType": "InvalidRequest", "errorMessage": f"no such route: POST {self.path}"})

    return Handler
