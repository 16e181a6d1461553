"""`dsync trigger`: fire one trigger of a stack now, by its logical id, as a
developer does instead of waiting for 2 a.m. or crafting a message:

- a rule (AWS::Events::Rule; SAM names a function's Schedule or
  EventBridgeRule event <Function><Event>): its targets get the given event,
  or its own Scheduled Event for a schedule;
- an EventBridge Scheduler schedule (ScheduleV2): its target gets the given
  payload, or its Input;
- an event source mapping (SQS, streams): its function runs with the given
  event;
- a function: its one schedule, rule or mapping (several: the answer names
  them).

Answers (status, JSON): what was fired and where it went, or why not.
"""

import json

from moto.cloudformation.models import cloudformation_backends
from moto.core import DEFAULT_ACCOUNT_ID
from moto.events import models as events

from .. import lambda_runner
from . import schedules

KINDS = {"AWS::Events::Rule": "rule", "AWS::Scheduler::Schedule": "schedule", "AWS::Lambda::EventSourceMapping": "mapping"}


def _stack(region, name):
    backend = cloudformation_backends[DEFAULT_ACCOUNT_ID][region]
    return next((s for s in backend.stacks.values() if s.name == name and not str(s.status).startswith("DELETE")), None)


def _types(stack):
    return {logical: (declared or {}).get("Type") for logical, declared in ((stack.template_dict or {}).get("Resources") or {}).items()}


def _rule(region, physical):
    backend = events.events_backends[DEFAULT_ACCOUNT_ID][region]
    for bus in backend.event_buses.values():
        if physical in bus.rules:
            return bus.rules[physical]
    return None


def _schedule(physical):
    return next((s for _, s in schedules.schedules() if s.name == physical or s.arn == physical), None)


def _triggers_of(stack, types, function_logical):
    """The logical ids of the rules, schedules and mappings that run this function."""
    declared = (stack.template_dict or {}).get("Resources") or {}
    found = []
    for logical, kind in types.items():
        if kind not in KINDS:
            continue
        text = json.dumps((declared.get(logical) or {}).get("Properties") or {})
        if f'"{function_logical}"' in text:
            found.append(logical)
    return sorted(found)


def _fire(region, stack, logical, kind, body):
    resources = getattr(stack.resource_map, "_parsed_resources", {})
    resource = resources.get(logical)
    physical = getattr(resource, "physical_resource_id", None) or getattr(resource, "name", None)
    if kind == "rule":
        rule = _rule(region, physical)
        if rule is None:
            return 404, {"message": f"{logical}: the rule {physical} is not in the emulator"}
        if body is None and not rule.scheduled_expression:
            return 400, {"message": f"{logical} matches events by a pattern: give the event to send (--event FILE)"}
        event = json.loads(body) if body is not None else schedules.scheduled_event(rule)
        schedules.fire_rule(rule, event)
        return 200, {"fired": logical, "kind": "rule", "targets": [t.get("Arn") for t in rule.targets]}
    if kind == "schedule":
        schedule = _schedule(physical)
        if schedule is None:
            return 404, {"message": f"{logical}: the schedule {physical} is not in the emulator"}
        schedules.fire_schedule(schedule, DEFAULT_ACCOUNT_ID, region, body)
        return 200, {"fired": logical, "kind": "schedule", "targets": [(schedule.target or {}).get("Arn")]}
    if body is None:
        return 400, {"message": f"{logical} is an event source mapping: give the event its function gets (--event FILE)"}
    fn = lambda_runner.function_named(
        resource.function_arn if hasattr(resource, "function_arn") else str(getattr(resource, "function_name", "")), region
    )
    result = lambda_runner.RUNTIME.invoke(fn, body)
    return 200, {"fired": logical, "kind": "mapping", "targets": [fn.function_arn], "functionError": result.function_error}


def trigger(region, stack_name, logical_id, body):
    """Fire the trigger `logical_id` of the stack (or the one trigger of the function it names)."""
    stack = _stack(region, stack_name)
    if stack is None:
        return 404, {"message": f"no stack {stack_name} in the emulator (has `dsync up` deployed it?)"}
    types = _types(stack)
    kind = types.get(logical_id)
    if kind is None:
        triggers = sorted(k for k, t in types.items() if t in KINDS)
        return 404, {"message": f"{logical_id} is not a resource of stack {stack_name}", "triggers": triggers}
    if kind in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
        found = _triggers_of(stack, types, logical_id)
        if len(found) != 1:
            what = ", ".join(found) if found else "none"
            return 400, {"message": f"{logical_id} has {len(found)} triggers ({what}): name the one to fire", "triggers": found}
        logical_id, kind = found[0], types[found[0]]
    if kind not in KINDS:
        return 400, {"message": f"{logical_id} is an {kind}: dsync trigger fires rules, schedules and event source mappings", "triggers": []}
    try:
        return _fire(region, stack, logical_id, KINDS[kind], body)
    except ValueError as error:
        return 400, {"message": f"the event is not JSON: {error}"}
