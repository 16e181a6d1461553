"""One warm Node.js process for one version of one function (node_runtime.mjs).

Environment as Lambda sets it (environment.py), with the layers' and the
runtime SDK's folders on NODE_PATH. Requests go in on stdin; answers come back on a
pipe of their own, so nothing the function prints can be taken for one.
"""

import base64
import json
import os
import subprocess
import threading
import time

from . import logs
from .environment import lambda_environment, prepend_path
from .node import major_of
from .process import kill_group

HERE = os.path.dirname(os.path.abspath(__file__))
RUNTIME_JS = os.path.join(HERE, "node_runtime.mjs")
# The AWS SDK v3 clients Lambda's Node.js runtimes carry, installed in dsync's image (docker/Dockerfile).
SDK_DIR = "/opt/lambda-sdk/node_modules"


def _environment(fn, node, task, opt, stream):
    env = prepend_path(lambda_environment(fn, task, stream), os.path.dirname(node))
    # As Lambda's: the layers' nodejs folders, then the runtime's AWS SDK, then the task.
    env["NODE_PATH"] = ":".join([f"{opt}/nodejs/node{major_of(node)}/node_modules", f"{opt}/nodejs/node_modules", SDK_DIR, task])
    env["DSYNC_LAYER_ROOT"] = opt
    return env


class Instance:
    """One warm Node.js process for one version of one function."""

    def __init__(self, fn, key, node, task, opt, inspect_port=None):
        self.key = key
        self.inspect_port = inspect_port
        self.task = task
        self.busy = False
        self.dead = False
        self.stale = False
        self.stream = logs.new_stream_name(fn.version)
        logs.STREAMS[self.stream] = fn.function_name
        env = _environment(fn, node, task, opt, self.stream)
        read_fd, write_fd = os.pipe()
        env["DSYNC_ANSWER_FD"] = str(write_fd)
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [node, *([f"--inspect=127.0.0.1:{inspect_port}"] if inspect_port else []), RUNTIME_JS],
            cwd=task,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            pass_fds=(write_fd,),
            start_new_session=True,
        )
        os.close(write_fd)
        self.answers = os.fdopen(read_fd, "r", encoding="utf-8")
        self.stderr = []
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        self.ready = None  # the first answer, read on first use

    def _drain_stderr(self):
        for line in self.proc.stderr:
            self.stderr.append(line.decode("utf-8", "replace").rstrip("\n"))
            del self.stderr[:-50]

    def _read_answer(self, timeout):
        result = {}

        def read():
            result["line"] = self.answers.readline()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(timeout)
        if reader.is_alive():
            return None, "timeout"
        line = result.get("line")
        if not line:
            return None, "exited"
        return json.loads(line), None

    def start(self, timeout):
        """Wait for the handler to load; returns the ready message (or an error one)."""
        if self.ready is None:
            answer, why = self._read_answer(timeout)
            if answer is None:
                self.kill()
                message = "the runtime exited before it was ready: " + " | ".join(self.stderr[-5:])
                error = {"errorType": "Runtime.ExitError", "errorMessage": message}
                answer = {"ready": False, "timeout": why == "timeout", "error": error, "logs": []}
            self.ready = answer
        return self.ready

    def invoke(self, request, timeout, on_part=None):
        """The answer (or None and why). A streaming handler's parts ({prelude}, {chunk}) go to
        `on_part` as they come; without one, its chunks are joined into the result."""
        try:
            self.proc.stdin.write((json.dumps(request) + "\n").encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            self.kill()
            return None, "exited"
        deadline = time.monotonic() + timeout
        parts = []
        while True:
            answer, why = self._read_answer(max(0.0, deadline - time.monotonic()))
            if answer is None:
                return None, why
            if "chunk" in answer or "prelude" in answer:
                (on_part or parts.append)(answer)
                continue
            if answer.get("streamed") and on_part is None:
                answer["result"] = b"".join(base64.b64decode(part["chunk"]) for part in parts if "chunk" in part)
            return answer, None

    def kill(self):
        self.dead = True
        kill_group(self.proc)
