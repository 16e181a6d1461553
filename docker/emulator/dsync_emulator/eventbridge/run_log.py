"""The run log as `dsync up --logs` reads it: each run of the stack's own
triggers since a number, with logical ids in place of physical names (the
queue `Jobs` and the function `Worker`, not `app-Jobs-1X2Y` and
`app-Worker-9ZQ`), waiting a while for the next run so the reader's loop
costs nothing while nothing happens."""

import time

from .. import runs
from .trigger import _stack

MAX_WAIT_S = 25.0


def _names(stack):
    """Physical name (and its last ARN or URL segment) -> logical id, for the stack's resources."""
    out = {}
    for logical, resource in (getattr(stack.resource_map, "_parsed_resources", {}) or {}).items():
        physical = getattr(resource, "physical_resource_id", None)
        if isinstance(physical, str) and physical:
            out[physical] = logical
            out.setdefault(physical.replace(":", "/").rsplit("/", 1)[-1], logical)
        name = getattr(resource, "function_name", None) or getattr(resource, "name", None)
        if isinstance(name, str) and name:
            out.setdefault(name, logical)
    return out


def _mine(entries, names):
    """The entries of the stack's own triggers, with logical ids for names."""
    out = []
    for entry in entries:
        if entry["source"] not in names and entry["target"] not in names:
            continue  # another stack's trigger
        entry["source"] = names.get(entry["source"], entry["source"])
        entry["target"] = names.get(entry["target"], entry["target"])
        out.append(entry)
    return out


def runs_since(region, stack_name, after, wait_s):
    """{"runs": [...], "last": n}: the stack's runs after `after` (None: none, only the newest number),
    waiting up to `wait_s` for one (another stack's runs do not end the wait)."""
    deadline = time.monotonic() + min(max(wait_s, 0.0), MAX_WAIT_S)
    while True:
        entries, last = runs.since(after, max(0.0, deadline - time.monotonic()))
        stack = _stack(region, stack_name)
        mine = _mine(entries, _names(stack) if stack is not None else {})
        if mine or after is None or time.monotonic() >= deadline:
            return {"runs": mine, "last": last}
        after = last
