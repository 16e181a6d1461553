"""The pool of warm instances, and one invocation as Lambda runs it.

A warm instance is reused until the function's code or configuration
changes; then the old instances are stopped and the next call starts anew.
At most MAX_INSTANCES run one function at once. Timeouts are enforced (the
instance is killed); every failure is a function error, as Lambda gives it.
"""

import contextlib
import hashlib
import json
import os
import threading
import time
import uuid

from moto.awslambda import models as lam
from moto.core import DEFAULT_ACCOUNT_ID

from . import code, debug, logs
from .launch import RuntimeUnavailable, check, launch

MAX_INSTANCES = 8


def _function(name, region):
    return lam.lambda_backends[DEFAULT_ACCOUNT_ID][region].get_function(name)


class InvokeResult:
    def __init__(self, payload, function_error=None, logs="", init_ms=None, duration_ms=0.0):
        self.payload = payload  # bytes
        self.function_error = function_error  # None, or "Unhandled"
        self.logs = logs
        self.init_ms = init_ms
        self.duration_ms = duration_ms


def error_payload(error_type, message, trace=None):
    body = {"errorType": error_type, "errorMessage": message}
    if trace is not None:
        body["trace"] = trace
    return json.dumps(body).encode()


def version_key(fn):
    """What makes a version: code and configuration. A new key means new instances."""
    layers = [layer.get("Arn") for layer in (fn.layers or [])]
    config = [fn.code_sha_256, fn.handler, fn.run_time, fn.timeout, fn.memory_size, sorted((fn.environment_vars or {}).items()), layers]
    return hashlib.sha256(json.dumps(config, default=str).encode()).hexdigest()[:20]


def _retire(instance):
    """Stop an instance of a version that is done, and drop its unpacked code."""
    instance.kill()
    code.retire(os.path.dirname(instance.task), keep=(debug.STABLE_ROOT,))


class Runtime:
    def __init__(self):
        self.lock = threading.Lock()
        self.instances = {}  # function ARN -> [Instance]
        self.unpacker = code.Unpacker()
        debug.DebugPort.prewarm = self.prewarm
        debug.DebugPort.outdated = self._outdated

    def prewarm(self, name, region):
        """Start an instance of the function's deployed version now, if none runs (a debugger is waiting for it)."""
        fn = _function(name, region)
        port = debug.port_for(fn)
        with port.serial if port else contextlib.nullcontext():
            instance, cold = self._acquire(fn, port)
            if instance is None:
                return
            try:
                instance.start(10.0)
            finally:
                self._release(fn, instance)

    def _outdated(self, name, region, key):
        return version_key(_function(name, region)) != key

    def _drop_stale(self, pool, key):
        # A new code package or configuration: the old instances are done
        # (a busy one is stopped when its invocation ends). So is one that exited.
        for old in [i for i in pool if i.key != key or i.dead or i.proc.poll() is not None]:
            old.stale = True
            if old.busy:
                pass  # stopped when its invocation ends (_release)
            elif old.key != key:
                _retire(old)
            else:
                old.kill()
            pool.remove(old)

    def _acquire(self, fn, port=None):
        key = version_key(fn)
        with self.lock:
            pool = self.instances.setdefault(fn.function_arn, [])
            self._drop_stale(pool, key)
            if port:  # started before debugging was asked for: no inspector for the debugger to reach
                for plain in [i for i in pool if not i.busy and getattr(i, "inspect_port", None) is None]:
                    plain.kill()
                    pool.remove(plain)
            for instance in pool:
                if not instance.busy:
                    instance.busy = True
                    return instance, False
            if len(pool) >= MAX_INSTANCES:
                return None, False
        check(fn.run_time)
        task, opt = self.unpacker.prepare(fn, key, os.path.join(debug.STABLE_ROOT, port.logical) if port else None)
        if port:
            debug.prepare_sources(port.logical, task, key)
        instance = launch(fn, key, task, opt, debug.free_port() if port else None)
        if port:
            port.use(instance.inspect_port, key)
        instance.busy = True
        with self.lock:
            self.instances.setdefault(fn.function_arn, []).append(instance)
        return instance, True

    def _release(self, fn, instance):
        with self.lock:
            instance.busy = False
            if instance.stale:
                if any(i.key == instance.key for i in self.instances.get(fn.function_arn, [])):
                    instance.kill()  # its version lives on in other instances: keep the unpacked code
                else:
                    _retire(instance)
            elif instance.dead:
                pool = self.instances.get(fn.function_arn, [])
                if instance in pool:
                    pool.remove(instance)

    def invoke(self, fn, event_text, invoked_arn=None, on_part=None):
        """Run one invocation; always returns an InvokeResult (errors are function errors, as Lambda gives them).
        A debugged function runs one invocation at a time (debug.py)."""
        port = debug.port_for(fn)
        with port.serial if port else contextlib.nullcontext():
            return self._invoke(fn, event_text, invoked_arn, on_part, port)

    def _invoke(self, fn, event_text, invoked_arn, on_part, port):
        request_id = str(uuid.uuid4())
        started_wall = time.time()
        deadline_s = float(fn.timeout or 3)
        notes = []
        if port and port.attached():
            # Paused at a breakpoint, the function must not be killed under the developer.
            deadline_s = debug.DEBUG_DEADLINE_S
            notes.append(f"{logs.stamp()}\t{request_id}\tINFO\tdsync: a debugger is attached: the Timeout ({fn.timeout or 3} s) is not enforced")
        try:
            event = json.loads(event_text) if event_text else {}
        except ValueError:
            return InvokeResult(error_payload("InvalidRequestContentException", "Could not parse request body into json"), "Unhandled")
        try:
            instance, cold = self._acquire(fn, port)
        except RuntimeUnavailable as error:
            lines = [f"{logs.stamp()}\t{request_id}\tERROR\tdsync: {error}"]
            logs.write(fn, None, request_id, lines, 0.0, None)
            return InvokeResult(error_payload("Runtime.Unavailable", str(error)), "Unhandled", "\n".join(lines))
        if instance is None:
            message = f"more than {MAX_INSTANCES} invocations of {fn.function_name} at once"
            return InvokeResult(error_payload("TooManyRequestsException", message), "Unhandled")
        request = {
            "requestId": request_id,
            "event": event,
            "deadline": int((started_wall + deadline_s) * 1000),
            "invokedFunctionArn": invoked_arn or fn.function_arn,
        }
        try:
            invocation = _Invocation(fn, instance, request, deadline_s, on_part)
            invocation.logs.extend(notes)
            return invocation.run(cold)
        finally:
            self._release(fn, instance)


class _Invocation:
    """One call on one acquired instance: wait for it to be ready, send the event, read the answer."""

    def __init__(self, fn, instance, request, deadline_s, on_part=None):
        self.on_part = on_part
        self.fn = fn
        self.instance = instance
        self.request = request
        self.request_id = request["requestId"]
        self.deadline_s = deadline_s
        self.logs = []
        self.init_ms = None
        self.t0 = time.monotonic()

    def run(self, cold):
        ready = self.instance.start(max(self.deadline_s, 10.0))
        if cold:  # what the instance logged while it loaded belongs to its first invocation only
            self.init_ms = ready.get("initMs", (time.monotonic() - self.t0) * 1000)
            self.logs.extend(ready.get("logs") or [])
        if not ready.get("ready"):
            self.instance.kill()
            error = ready.get("error") or {}
            self.logs.append(f"{logs.stamp()}\t{self.request_id}\tERROR\t{json.dumps(error)}")
            payload = ready.get("raw") or error_payload(error.get("errorType", "Runtime.Error"), error.get("errorMessage", ""), error.get("trace"))
            return self._finish(payload, "Unhandled")
        self.t0 = time.monotonic()
        answer, why = self.instance.invoke(self.request, self.deadline_s, self.on_part)
        if answer is None:
            return self._lost(why)
        self.logs.extend(answer.get("logs") or [])
        if answer.get("exiting"):
            self.instance.kill()
        if answer.get("ok"):
            result = answer.get("result", "null")
            return self._finish(result if isinstance(result, bytes) else result.encode(), None)
        error = answer.get("error") or {}
        if answer.get("raw") is not None:  # a Runtime API runtime posts the very payload Lambda answers
            return self._finish(answer["raw"], "Unhandled")
        return self._finish(error_payload(error.get("errorType", "Error"), error.get("errorMessage", ""), error.get("trace") or []), "Unhandled")

    def _lost(self, why):
        """No answer: the deadline passed, or the process exited."""
        self.instance.kill()
        if why == "timeout":
            self.logs.extend(getattr(self.instance, "orphan_logs", []))
            message = f"{logs.stamp()} {self.request_id} Task timed out after {self.deadline_s:.2f} seconds"
            self.logs.append(message)
            return self._finish(error_payload("Sandbox.Timedout", message), "Unhandled")
        self.logs.extend(getattr(self.instance, "orphan_logs", []))
        message = "Runtime exited without providing a reason: " + " | ".join(self.instance.stderr[-5:])
        self.logs.append(f"{logs.stamp()}\t{self.request_id}\tERROR\t{message}")
        return self._finish(error_payload("Runtime.ExitError", message), "Unhandled")

    def _finish(self, payload, function_error):
        duration = (time.monotonic() - self.t0) * 1000
        text = logs.write(self.fn, self.instance, self.request_id, self.logs, duration, self.init_ms)
        return InvokeResult(payload, function_error, text, self.init_ms, duration)
