"""EventBridge in the emulator: rules deliver what they match to every kind
of target SAM apps use (targets.py), with EventBridge's pattern semantics
(patterns.py) and inputs (inputs.py); schedules fire (schedules.py); S3
sends its object events to the default bus (s3_events.py).

moto's Rule.send_to_targets is replaced: a disabled rule sends nothing; a
rule with only a ScheduleExpression takes only its own scheduled events (in
moto it matched every event on the bus); the event a target gets has
`account` and an ISO `time`, as EventBridge's has.
"""

import json
import logging
from datetime import UTC, datetime

from moto.events import models as events

from .. import patching
from . import listing, patterns, run_log, s3_events, schedules, targets, trigger
from .inputs import payload_for

LOG = logging.getLogger("dsync.emulator")


def as_sent(event, rule):
    """The event as EventBridge delivers it: ISO time, the account, no moto-only fields."""
    sent = {k: v for k, v in event.items() if k not in ("ingestion-time", "archive-arn")}
    sent.setdefault("version", "0")
    sent["account"] = sent.get("account") or rule.account_id
    if isinstance(sent.get("time"), (int, float)):
        sent["time"] = datetime.fromtimestamp(sent["time"], UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return sent


def takes(rule, event):
    """Whether the rule takes this event."""
    if rule.state != "ENABLED":
        return False
    pattern = rule.event_pattern.get_pattern()
    if not pattern:
        # A schedule-only rule takes only its own scheduled events.
        return bool(rule.scheduled_expression) and event.get("detail-type") == "Scheduled Event" and rule.arn in (event.get("resources") or [])
    return patterns.matches(pattern, event)


def send_to_targets(self, original_event, transform_input=True):
    event = as_sent(original_event, self)
    if not takes(self, event):
        return
    for target in list(self.targets):
        try:
            payload = payload_for(target, event, self.arn, self.name) if transform_input else json.dumps(event)
            targets.deliver(self, target, event, payload, original_event)
            targets.record(self, target)
        except Exception as error:  # noqa: BLE001 - one target's failure must not stop the others, nor PutEvents
            LOG.warning("rule %s: delivery to %s failed: %s", self.name, target.get("Arn"), error)
            targets.record(self, target, error)


__all__ = ["install", "listing", "run_log", "schedules", "takes", "trigger"]


def install():
    patching.replace(events.Rule, "send_to_targets", send_to_targets, params=("original_event", "transform_input"))
    s3_events.install()
