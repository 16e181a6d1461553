"""dsync's emulator, gaps: what moto cannot create, said plainly.

moto lacks some resource types and fails on some properties of others (a
bucket whose encryption rule has only BucketKeyEnabled). For a resource that
is not code (buckets, queues, topics, tables, roles, alarms, ...) the
emulator records the gap, puts a stand-in in its place (standins.py) and goes
on: the app's functions still deploy. Functions, layers, state machines and
APIs stay exact (EXACT_TYPES): a failure there fails the stack, with moto's
own error recorded so dsync can say it is the emulator's gap and not the
user's template.

Gaps are served at GET /_dsync/gaps (routes.py) as a JSON list.
"""

import threading
import time
import traceback

# Failures of these are real failures: what the developer deploys and runs.
EXACT_TYPES = {
    "AWS::Lambda::Function",
    "AWS::Lambda::LayerVersion",
    "AWS::Lambda::Version",
    "AWS::Lambda::Alias",
    "AWS::StepFunctions::StateMachine",
    "AWS::ApiGateway::RestApi",
    "AWS::ApiGateway::Deployment",
    "AWS::ApiGateway::Stage",
    "AWS::ApiGatewayV2::Api",
    "AWS::ApiGatewayV2::Stage",
    "AWS::CloudFormation::Stack",
}

_lock = threading.Lock()
_gaps = []
_current = threading.local()


def begin(stack_name):
    """A stack operation starts on this thread: gaps found now belong to `stack_name`."""
    _current.stack = stack_name
    _current.failure = None


def last_failure():
    """The gap that failed this thread's stack operation, if one did."""
    return getattr(_current, "failure", None)


def stack_failure(stack_name, error):
    """A failure of the stack operation itself, outside any one resource (moto's template handling)."""
    return record(stack_name, "AWS::CloudFormation::Stack", "failed", error)


def gaps():
    with _lock:
        return list(_gaps)


def _where(error):
    """The innermost moto frame of a traceback: the line to look at."""
    frames = traceback.extract_tb(error.__traceback__)
    inner = [f for f in frames if "/moto/" in f.filename] or frames
    if not inner:
        return "?"
    frame = inner[-1]
    path = frame.filename[frame.filename.find("moto/") :] if "moto/" in frame.filename else frame.filename
    return f"{path}:{frame.lineno} in {frame.name}"


def inert(stack_name, logical_id, resource_type, why):
    """A trigger that deployed but that the emulator does not run (said once at deploy, never a failure)."""
    entry = {
        "stack": stack_name,
        "logicalId": logical_id,
        "type": resource_type,
        "kind": "inert",
        "error": why,
        "where": "",
        "standIn": True,
        "time": time.time(),
    }
    with _lock:
        if not any(g["kind"] == "inert" and g["stack"] == stack_name and g["logicalId"] == logical_id and g["error"] == why for g in _gaps):
            _gaps.append(entry)
    return entry


def record(logical_id, resource_type, kind, error=None, stand_in=False):
    """Record a gap of the current stack operation; one without a stand-in is the operation's failure."""
    entry = {
        "stack": getattr(_current, "stack", None),
        "logicalId": logical_id,
        "type": resource_type,
        "kind": kind,  # "unsupported": no moto model; "failed": moto raised
        "error": f"{type(error).__name__}: {error}" if error else f"moto has no CloudFormation support for {resource_type}",
        "where": _where(error) if error else "moto/cloudformation/parsing.py",
        "standIn": stand_in,
        "time": time.time(),
    }
    with _lock:
        _gaps.append(entry)
    if not stand_in:
        _current.failure = entry
    return entry
