"""An invocation's log, as Lambda writes it: START / the function's lines /
END / REPORT in the log group /aws/lambda/<function name>."""

import time
import uuid
from datetime import UTC, datetime

from moto.logs.models import logs_backends

# Log stream name -> function name, so `dsync logs` can say which function a line is from.
STREAMS = {}


def stamp():
    """Now, as Lambda's runtime stamps a log line."""
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def new_stream_name(version):
    return "{}/[{}]{}".format(datetime.now(UTC).strftime("%Y/%m/%d"), version, uuid.uuid4().hex)


def rss_mb(instance):
    """The peak memory of an instance's process, in MB (0 when unknown)."""
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


def write(fn, instance, request_id, lines, duration_ms, init_ms):
    """Write one invocation's log to CloudWatch Logs; returns its text."""
    report = (
        f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {int(duration_ms) + 1} ms"
        f"\tMemory Size: {fn.memory_size} MB\tMax Memory Used: {rss_mb(instance)} MB"
    )
    if init_ms is not None:
        report += f"\tInit Duration: {init_ms:.2f} ms"
    all_lines = [f"START RequestId: {request_id} Version: {fn.version}", *lines, f"END RequestId: {request_id}", report]
    try:
        backend = logs_backends[fn.account_id][fn.region]
        group = fn.logs_group_name
        if group not in backend.groups:
            backend.create_log_group(group, {})
        stream = instance.stream if instance else new_stream_name("$LATEST")
        STREAMS[stream] = fn.function_name
        if stream not in backend.groups[group].streams:
            backend.create_log_stream(group, stream)
        now = int(time.time() * 1000)
        backend.put_log_events(group, stream, [{"timestamp": now, "message": line} for line in all_lines])
    except Exception:  # noqa: BLE001 - logs are a convenience; the invocation stands
        pass
    return "\n".join(all_lines) + "\n"
