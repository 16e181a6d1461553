"""One warm instance of a function whose runtime polls Lambda's Runtime API
(Python through dsync's client, a `provided` runtime's own `bootstrap`).

The process gets AWS_LAMBDA_RUNTIME_API pointing at a Runtime API of its own
(runtime_api.py); what it writes on stdout and stderr is its log, as in
Lambda, collected per invocation. A runtime that flushes its output before it
posts an answer (dsync's Python client does) has every line in that
invocation's log: the pipe is drained when the answer arrives.

Same surface as the Node.js instance (instance.py): start, invoke, kill.
"""

import fcntl
import json
import os
import queue
import select
import subprocess
import threading
import time

from . import logs
from .process import kill_group
from .runtime_api import RuntimeApi

TAIL_LINES = 50


class OutputLog:
    """The lines a process writes on one pipe, read as they come and on demand."""

    def __init__(self, fd):
        self.fd = fd
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_NONBLOCK)
        self.lock = threading.Lock()
        self.partial = b""
        self.lines = []
        self.tail = []
        self.closed = False
        threading.Thread(target=self._follow, daemon=True).start()

    def _follow(self):
        while not self.closed:
            try:
                ready, _, _ = select.select([self.fd], [], [], 0.5)
            except (OSError, ValueError):
                return
            if ready:
                self.read_available()

    def read_available(self):
        with self.lock:
            while not self.closed:
                try:
                    data = os.read(self.fd, 65536)
                except BlockingIOError:
                    return
                except OSError:
                    data = b""
                if not data:
                    self.closed = True
                    os.close(self.fd)
                    return
                *complete, self.partial = (self.partial + data).split(b"\n")
                for raw in complete:
                    line = raw.decode("utf-8", "replace").rstrip("\r")
                    self.lines.append(line)
                    self.tail.append(line)
                del self.tail[:-TAIL_LINES]

    def take(self):
        """Every line written so far (a last unfinished one too), and forget them."""
        self.read_available()
        with self.lock:
            out, self.lines = self.lines, []
            if self.partial:
                out.append(self.partial.decode("utf-8", "replace"))
                self.partial = b""
            return out


def _error_of(body):
    try:
        error = json.loads(body or b"{}")
    except ValueError:
        error = None
    if not isinstance(error, dict):
        error = {"errorType": "Runtime.Error", "errorMessage": (body or b"").decode("utf-8", "replace")}
    return error


class ApiInstance:
    """One warm process of one function version, polling a Runtime API of its own."""

    def __init__(self, fn, key, command, env, task):
        self.key = key
        self.inspect_port = None  # debugpy's port, when debugged (launch.py)
        self.task = task
        self.busy = False
        self.dead = False
        self.stale = False
        self.stream = env["AWS_LAMBDA_LOG_STREAM_NAME"]
        logs.STREAMS[self.stream] = fn.function_name
        self.api = RuntimeApi()
        read_fd, write_fd = os.pipe()
        self.started = time.monotonic()
        try:
            self.proc = subprocess.Popen(
                command,
                cwd=task,
                env={**env, "AWS_LAMBDA_RUNTIME_API": self.api.address},
                stdin=subprocess.DEVNULL,
                stdout=write_fd,
                stderr=write_fd,
                start_new_session=True,
            )
        except OSError:
            os.close(read_fd)
            self.api.close()
            raise
        finally:
            os.close(write_fd)
        self.output = OutputLog(read_fd)
        threading.Thread(target=self._watch_exit, daemon=True).start()
        self.ready = None
        self.orphan_logs = []

    @property
    def stderr(self):
        return self.output.tail

    def _watch_exit(self):
        self.proc.wait()
        self.api.messages.put(("exited",))

    def _message(self, deadline, wanted):
        """The next message of a kind in `wanted` (or "exited"), or None at the deadline."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                message = self.api.messages.get(timeout=left)
            except queue.Empty:
                return None
            if message[0] in wanted or message[0] == "exited":
                return message

    def start(self, timeout):
        """Wait until the runtime asks for its first event (it has loaded the handler)."""
        if self.ready is None:
            message = self._message(time.monotonic() + timeout, ("next", "init-error"))
            lines = self.output.take()
            if message and message[0] == "next":
                self.ready = {"ready": True, "initMs": (time.monotonic() - self.started) * 1000, "logs": lines}
            else:
                self.kill()
                if message and message[0] == "init-error":
                    error = _error_of(message[1])
                else:
                    tail = " | ".join(self.stderr[-5:])
                    why = "did not ask for an event in time" if message is None else "exited before it asked for an event"
                    error = {"errorType": "Runtime.ExitError", "errorMessage": f"the runtime {why}: {tail}".rstrip(": ")}
                self.ready = {"ready": False, "timeout": message is None, "error": error, "logs": lines}
                if message and message[0] == "init-error":
                    self.ready["raw"] = message[1]
        return self.ready

    def invoke(self, request, timeout, on_part=None):
        """The answer (or None and why). Response streaming is Node.js's alone in Lambda: `on_part` is never called."""
        self.api.send(request)
        message = self._message(time.monotonic() + timeout, ("response", "error"))
        lines = self.output.take()
        if message is None or message[0] == "exited":
            self.orphan_logs = lines  # what it wrote before it stopped answering: still its log
            return None, "timeout" if message is None else "exited"
        if message[0] == "response":
            return {"ok": True, "result": message[2], "logs": lines}, None
        return {"ok": False, "error": _error_of(message[2]), "raw": message[2], "logs": lines}, None

    def kill(self):
        self.dead = True
        kill_group(self.proc)
        self.api.close()
