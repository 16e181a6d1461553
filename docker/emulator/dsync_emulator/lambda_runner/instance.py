"""One warm Node.js process for one version of one function (node_runtime.mjs).

Environment as Lambda sets it, the function's own variables (references
already resolved by the stack deploy), AWS_ENDPOINT_URL pointing at this
emulator, dummy credentials. Requests go in on stdin; answers come back on a
pipe of their own, so nothing the function prints can be taken for one.
"""

import json
import os
import subprocess
import threading
import time

from . import logs
from .node import major_of

HERE = os.path.dirname(os.path.abspath(__file__))
RUNTIME_JS = os.path.join(HERE, "node_runtime.mjs")
# The AWS SDK v3 clients Lambda's Node.js runtimes carry, installed in dsync's image (docker/Dockerfile).
SDK_DIR = "/opt/lambda-sdk/node_modules"


def _environment(fn, node, task, opt, stream):
    env = {
        "PATH": f"{os.path.dirname(node)}:/usr/local/bin:/usr/bin:/bin",
        "LANG": "en_US.UTF-8",
        "TZ": "UTC",
        "HOME": "/tmp",
        "LAMBDA_TASK_ROOT": task,
        "LAMBDA_RUNTIME_DIR": HERE,
        "_HANDLER": fn.handler or "",
        "AWS_REGION": fn.region,
        "AWS_DEFAULT_REGION": fn.region,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{fn.run_time}",
        "AWS_LAMBDA_FUNCTION_NAME": fn.function_name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory_size),
        "AWS_LAMBDA_FUNCTION_VERSION": str(fn.version),
        "AWS_LAMBDA_LOG_GROUP_NAME": fn.logs_group_name,
        "AWS_LAMBDA_LOG_STREAM_NAME": stream,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{os.environ.get('MOTO_PORT', '5000')}",
        # As Lambda's: the layers' nodejs folders, then the runtime's AWS SDK, then the task.
        "NODE_PATH": ":".join([f"{opt}/nodejs/node{major_of(node)}/node_modules", f"{opt}/nodejs/node_modules", SDK_DIR, task]),
        "DSYNC_LAYER_ROOT": opt,
    }
    for name, value in (fn.environment_vars or {}).items():
        env[str(name)] = str(value)
    return env


class Instance:
    """One warm Node.js process for one version of one function."""

    def __init__(self, fn, key, node, task, opt):
        self.key = key
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
            [node, RUNTIME_JS],
            cwd=task,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            pass_fds=(write_fd,),
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

    def invoke(self, request, timeout):
        try:
            self.proc.stdin.write((json.dumps(request) + "\n").encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            self.kill()
            return None, "exited"
        return self._read_answer(timeout)

    def kill(self):
        self.dead = True
        try:
            self.proc.kill()
        except OSError:
            pass
