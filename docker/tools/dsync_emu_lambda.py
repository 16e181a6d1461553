"""The emulator runs Lambda functions: moto's Invoke (which would need Docker)
runs the deployed code package here instead, in a warm Node.js process per
function version (docker/tools/dsync_lambda_runtime.mjs).

- What runs is what moto holds: the function's zip, unpacked, with its layers
  unpacked in order into a folder that stands for /opt.
- Node.js of the function's Runtime major: /opt/node (the image's own) or
  /opt/nodeNN (added by dsync for the template's runtimes). Anything else is
  one clear error, not a crash.
- Environment as Lambda sets it, the function's own variables (references
  already resolved by the stack deploy), AWS_ENDPOINT_URL pointing at this
  emulator, dummy credentials. Timeout enforced (the instance is killed).
- A warm instance is reused until the function's code or configuration
  changes; then the old instances are stopped and the next call starts anew.
- Each invocation writes START / the function's lines / END / REPORT to the
  log group /aws/lambda/<function name>, as Lambda does.
"""
import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import threading
import time
import uuid
import zipfile
from datetime import datetime, timezone

from moto.awslambda import models as lam
from moto.core import DEFAULT_ACCOUNT_ID
from moto.logs.models import logs_backends

HERE = os.path.dirname(os.path.abspath(__file__))
RUNTIME_JS = os.path.join(HERE, "dsync_lambda_runtime.mjs")
WORK_DIR = "/tmp/dsync-lambda"
# The AWS SDK v3 clients Lambda's Node.js runtimes carry, installed in dsync's image (docker/Dockerfile).
SDK_DIR = "/opt/lambda-sdk/node_modules"
MAX_INSTANCES = 8
LOG_TAIL_BYTES = 4096


class InvokeResult:
    def __init__(self, payload, function_error=None, logs="", init_ms=None, duration_ms=0.0):
        self.payload = payload  # bytes
        self.function_error = function_error  # None, or "Unhandled"
        self.logs = logs
        self.init_ms = init_ms
        self.duration_ms = duration_ms


def _error_payload(error_type, message, trace=None):
    body = {"errorType": error_type, "errorMessage": message}
    if trace is not None:
        body["trace"] = trace
    return json.dumps(body).encode()


def node_for(runtime):
    """The node binary for a nodejsNN.x runtime, or (None, why)."""
    if not runtime or not runtime.startswith("nodejs"):
        return None, f"the emulator runs Node.js functions; {runtime or 'this runtime'} is not run yet (Python would come next)"
    major = "".join(ch for ch in runtime[len("nodejs"):] if ch.isdigit())
    for candidate in (f"/opt/node{major}/bin/node", "/opt/node/bin/node"):
        if os.path.exists(candidate) and _major_of(candidate) == major:
            return candidate, None
    return None, f"{runtime}: Node.js {major} is not in the emulator's image (dsync adds the template's Node.js versions when it builds the image; run `dsync up` again after changing Runtime)"


_majors = {}


def _major_of(binary):
    if binary not in _majors:
        try:
            out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
            _majors[binary] = out.lstrip("v").split(".")[0]
        except Exception:  # noqa: BLE001 - an unusable binary is no candidate
            _majors[binary] = None
    return _majors[binary]


# Log stream name -> function name, so `dsync logs` can say which function a line is from.
STREAMS = {}


class Instance:
    """One warm Node.js process for one version of one function."""

    def __init__(self, fn, key, node, task, opt):
        self.key = key
        self.task = task
        self.busy = False
        self.dead = False
        self.stale = False
        self.stream = "{}/[{}]{}".format(datetime.now(timezone.utc).strftime("%Y/%m/%d"), fn.version if str(fn.version) != "$LATEST" else "$LATEST", uuid.uuid4().hex)
        STREAMS[self.stream] = fn.function_name
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
            "AWS_LAMBDA_LOG_STREAM_NAME": self.stream,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{os.environ.get('MOTO_PORT', '5000')}",
            # As Lambda's: the layers' nodejs folders, then the runtime's AWS SDK, then the task.
            "NODE_PATH": ":".join([f"{opt}/nodejs/node{_major_of(node)}/node_modules", f"{opt}/nodejs/node_modules", SDK_DIR, task]),
            "DSYNC_LAYER_ROOT": opt,
        }
        for name, value in (fn.environment_vars or {}).items():
            env[str(name)] = str(value)
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
            line = self.answers.readline()
            result["line"] = line

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
                answer = {"ready": False, "timeout": why == "timeout", "error": {"errorType": "Runtime.ExitError", "errorMessage": "the runtime exited before it was ready: " + " | ".join(self.stderr[-5:])}, "logs": []}
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


class Runtime:
    def __init__(self):
        self.lock = threading.Lock()
        self.instances = {}  # function ARN -> [Instance]
        self.unpacking = {}  # version folder -> lock

    @staticmethod
    def _key(fn):
        layers = [layer.get("Arn") for layer in (fn.layers or [])]
        config = [fn.code_sha_256, fn.handler, fn.run_time, fn.timeout, fn.memory_size, sorted((fn.environment_vars or {}).items()), layers]
        return hashlib.sha256(json.dumps(config, default=str).encode()).hexdigest()[:20]

    def _prepare(self, fn, key):
        """Unpack the code and the layers once per version; returns (task dir, /opt stand-in).

        One caller at a time per version, into a fresh folder renamed into place:
        two cold starts at once never unpack over each other."""
        base = os.path.join(WORK_DIR, f"{fn.function_name}-{key}")
        task, opt = os.path.join(base, "task"), os.path.join(base, "opt")
        with self.lock:
            guard = self.unpacking.setdefault(base, threading.Lock())
        with guard:
            if os.path.exists(os.path.join(base, ".ready")):
                return task, opt
            fresh = f"{base}.{uuid.uuid4().hex[:8]}"
            os.makedirs(os.path.join(fresh, "task"))
            os.makedirs(os.path.join(fresh, "opt"))
            _unzip(fn.code_bytes, os.path.join(fresh, "task"))
            backend = lam.lambda_backends[fn.account_id][fn.region]
            for layer in fn.layers or []:
                arn = layer.get("Arn", "")
                parts = arn.split(":")
                try:
                    version = backend.get_layer_version(parts[6], parts[7])
                    _unzip(version.code_bytes, os.path.join(fresh, "opt"))
                except Exception:  # noqa: BLE001 - a layer moto cannot give is left out, said in the logs
                    with open(os.path.join(fresh, "missing-layers"), "a") as f:
                        f.write(arn + "\n")
            open(os.path.join(fresh, ".ready"), "w").close()
            shutil.rmtree(base, ignore_errors=True)
            os.rename(fresh, base)
        return task, opt

    @staticmethod
    def _retire(instance):
        """Stop an instance of a version that is done, and drop its unpacked code when nothing else uses it."""
        instance.kill()
        base = os.path.dirname(instance.task)
        threading.Thread(target=shutil.rmtree, args=(base,), kwargs={"ignore_errors": True}, daemon=True).start()

    def _acquire(self, fn):
        key = self._key(fn)
        with self.lock:
            pool = self.instances.setdefault(fn.function_arn, [])
            # A new code package or configuration: the old instances are done
            # (a busy one is stopped when its invocation ends). So is one that exited.
            for old in [i for i in pool if i.key != key or i.dead or i.proc.poll() is not None]:
                old.stale = True
                if old.busy:
                    pass  # stopped when its invocation ends (_release)
                elif old.key != key:
                    self._retire(old)
                else:
                    old.kill()
                pool.remove(old)
            for instance in pool:
                if not instance.busy:
                    instance.busy = True
                    return instance, False
            if len(pool) >= MAX_INSTANCES:
                return None, False
        node, why = node_for(fn.run_time)
        if node is None:
            raise RuntimeUnavailable(why)
        task, opt = self._prepare(fn, key)
        instance = Instance(fn, key, node, task, opt)
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
                    self._retire(instance)
            elif instance.dead:
                pool = self.instances.get(fn.function_arn, [])
                if instance in pool:
                    pool.remove(instance)

    def invoke(self, fn, event_text, invoked_arn=None):
        """Run one invocation; always returns an InvokeResult (errors are function errors, as Lambda gives them)."""
        request_id = str(uuid.uuid4())
        started_wall = time.time()
        deadline_s = float(fn.timeout or 3)
        try:
            event = json.loads(event_text) if event_text else {}
        except ValueError:
            return InvokeResult(_error_payload("InvalidRequestContentException", "Could not parse request body into json"), "Unhandled")
        try:
            instance, cold = self._acquire(fn)
        except RuntimeUnavailable as error:
            lines = [f"{_stamp()}\t{request_id}\tERROR\tdsync: {error}"]
            self._log(fn, None, request_id, lines, 0.0, None)
            return InvokeResult(_error_payload("Runtime.Unavailable", str(error)), "Unhandled", "\n".join(lines))
        if instance is None:
            return InvokeResult(_error_payload("TooManyRequestsException", f"more than {MAX_INSTANCES} invocations of {fn.function_name} at once"), "Unhandled")
        logs = []
        init_ms = None
        try:
            t0 = time.monotonic()
            ready = instance.start(max(deadline_s, 10.0))
            if cold:
                init_ms = ready.get("initMs", (time.monotonic() - t0) * 1000)
            logs.extend(ready.get("logs") or [])
            if not ready.get("ready"):
                instance.kill()
                error = ready.get("error") or {}
                logs.append(f"{_stamp()}\t{request_id}\tERROR\t{json.dumps(error)}")
                return self._finish(fn, instance, request_id, logs, t0, init_ms, _error_payload(error.get("errorType", "Runtime.Error"), error.get("errorMessage", ""), error.get("trace")), "Unhandled")
            request = {"requestId": request_id, "event": event, "deadline": int((started_wall + deadline_s) * 1000), "invokedFunctionArn": invoked_arn or fn.function_arn}
            t0 = time.monotonic()
            answer, why = instance.invoke(request, deadline_s)
            if answer is None:
                instance.kill()
                if why == "timeout":
                    message = f"{_stamp()} {request_id} Task timed out after {deadline_s:.2f} seconds"
                    logs.append(message)
                    return self._finish(fn, instance, request_id, logs, t0, init_ms, _error_payload("Sandbox.Timedout", message), "Unhandled")
                message = "Runtime exited without providing a reason: " + " | ".join(instance.stderr[-5:])
                logs.append(f"{_stamp()}\t{request_id}\tERROR\t{message}")
                return self._finish(fn, instance, request_id, logs, t0, init_ms, _error_payload("Runtime.ExitError", message), "Unhandled")
            logs.extend(answer.get("logs") or [])
            if answer.get("exiting"):
                instance.kill()
            if answer.get("ok"):
                return self._finish(fn, instance, request_id, logs, t0, init_ms, answer.get("result", "null").encode(), None)
            error = answer.get("error") or {}
            return self._finish(fn, instance, request_id, logs, t0, init_ms, _error_payload(error.get("errorType", "Error"), error.get("errorMessage", ""), error.get("trace") or []), "Unhandled")
        finally:
            self._release(fn, instance)

    def _finish(self, fn, instance, request_id, lines, t0, init_ms, payload, function_error):
        duration = (time.monotonic() - t0) * 1000
        text = self._log(fn, instance, request_id, lines, duration, init_ms)
        return InvokeResult(payload, function_error, text, init_ms, duration)

    def _log(self, fn, instance, request_id, lines, duration_ms, init_ms):
        report = f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {int(duration_ms) + 1} ms\tMemory Size: {fn.memory_size} MB\tMax Memory Used: {_rss_mb(instance)} MB"
        if init_ms is not None:
            report += f"\tInit Duration: {init_ms:.2f} ms"
        all_lines = [f"START RequestId: {request_id} Version: {fn.version}", *lines, f"END RequestId: {request_id}", report]
        try:
            backend = logs_backends[fn.account_id][fn.region]
            group = fn.logs_group_name
            if group not in backend.groups:
                backend.create_log_group(group, {})
            stream = instance.stream if instance else f"{datetime.now(timezone.utc).strftime('%Y/%m/%d')}/[$LATEST]{uuid.uuid4().hex}"
            STREAMS[stream] = fn.function_name
            if stream not in backend.groups[group].streams:
                backend.create_log_stream(group, stream)
            now = int(time.time() * 1000)
            backend.put_log_events(group, stream, [{"timestamp": now, "message": line} for line in all_lines])
        except Exception:  # noqa: BLE001 - logs are a convenience; the invocation stands
            pass
        return "\n".join(all_lines) + "\n"


class RuntimeUnavailable(Exception):
    pass


def _rss_mb(instance):
    if instance is None or instance.dead:
        return 0
    try:
        with open(f"/proc/{instance.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def _stamp():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{datetime.now(timezone.utc).microsecond // 1000:03d}Z"


def _unzip(data, target):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            name = info.filename
            if name.startswith("/") or ".." in name.split("/"):
                continue
            archive.extract(info, target)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                os.chmod(os.path.join(target, name), mode | 0o400)


RUNTIME = Runtime()


def install():
    """Make moto's Invoke run the function here."""

    def invoke(self, body, request_headers, response_headers):
        kind = request_headers.get("x-amz-invocation-type", "RequestResponse")
        if kind == "DryRun":
            return b""
        text = body if isinstance(body, str) else (body or b"").decode("utf-8", "replace") if body is not None else ""
        if kind == "Event":
            threading.Thread(target=RUNTIME.invoke, args=(self, text), daemon=True).start()
            return b""
        result = RUNTIME.invoke(self, text)
        if result.function_error:
            response_headers["x-amz-function-error"] = result.function_error
        if request_headers.get("x-amz-log-type") == "Tail":
            response_headers["x-amz-log-result"] = base64.b64encode(result.logs.encode()[-LOG_TAIL_BYTES:]).decode()
        response_headers["x-amz-executed-version"] = str(self.version)
        return result.payload

    lam.LambdaFunction.invoke = invoke


def function_named(name, region, qualifier=None):
    return lam.lambda_backends[DEFAULT_ACCOUNT_ID][region].get_function(name, qualifier)
