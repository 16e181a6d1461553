"""The stack's triggers as `dsync status` lists them: each rule, Scheduler
schedule and event source mapping, what it reacts to, where it goes, and
its last run and error (runs recorded by targets.py)."""

from datetime import UTC, datetime

from moto.awslambda import models as lam
from moto.core import DEFAULT_ACCOUNT_ID

from .. import runs
from . import schedules
from .trigger import KINDS, _rule, _schedule, _stack, _types


def _when(seconds):
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if seconds else None


def _runs(arn, target_ids):
    entries = [e for e in (runs.last((arn, t)) for t in target_ids) if e]
    if not entries:
        return None, None
    last = max(entries, key=lambda e: e["lastRunAt"] or 0)
    return _when(last["lastRunAt"]), last["lastError"]


def _short(arn):
    return str(arn).split(":", 5)[-1] if str(arn).startswith("arn:") else str(arn)


def _describe(region, logical, kind, physical):
    if kind == "rule":
        rule = _rule(region, physical)
        if rule is None:
            return None
        last, error = _runs(rule.arn, [t.get("Id") for t in rule.targets])
        source = rule.scheduled_expression or f"events on {rule.event_bus_name}"
        return {
            "id": logical,
            "kind": kind,
            "source": source,
            "targets": [_short(t.get("Arn")) for t in rule.targets],
            "state": rule.state,
            "lastRunAt": last,
            "lastError": error,
        }
    if kind == "schedule":
        schedule = _schedule(physical)
        if schedule is None:
            return None
        last, error = _runs(schedule.arn, [(schedule.target or {}).get("Id")])
        target = (schedule.target or {}).get("Arn")
        return {
            "id": logical,
            "kind": kind,
            "source": schedule.schedule_expression,
            "targets": [_short(target)],
            "state": schedule.state,
            "lastRunAt": last,
            "lastError": error,
        }
    mapping = next((m for m in lam.lambda_backends[DEFAULT_ACCOUNT_ID][region]._event_source_mappings.values() if m.uuid == physical), None)
    if mapping is None:
        return None
    last = runs.last(mapping.uuid) or {}
    return {
        "id": logical,
        "kind": kind,
        "source": _short(mapping.event_source_arn),
        "targets": [_short(mapping.function_arn)],
        "state": "ENABLED" if getattr(mapping, "enabled", True) else "DISABLED",
        "lastRunAt": _when(last.get("lastRunAt")),
        "lastError": last.get("lastError"),
    }


def triggers(region, stack_name):
    stack = _stack(region, stack_name)
    if stack is None:
        return []
    resources = getattr(stack.resource_map, "_parsed_resources", {})
    out = []
    for logical, kind in _types(stack).items():
        if kind not in KINDS:
            continue
        resource = resources.get(logical)
        physical = getattr(resource, "physical_resource_id", None) or getattr(resource, "name", None) or getattr(resource, "uuid", None)
        found = _describe(region, logical, KINDS[kind], physical)
        if found:
            found["target"] = ", ".join(found["targets"])  # the shape: one text naming where it goes
            out.append(found)
    return out


__all__ = ["schedules", "triggers"]
