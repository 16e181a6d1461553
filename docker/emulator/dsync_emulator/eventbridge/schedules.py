"""Schedules fire on the emulator's clock: EventBridge rules with a
ScheduleExpression (SAM's `Schedule` events) send their targets a
"Scheduled Event", and EventBridge Scheduler schedules (SAM's `ScheduleV2`)
send their target its Input. moto stores both and never fires either.

One daemon thread looks once a second (TICK_S) at what is due; nothing
runs between ticks, so ten idle schedules cost next to nothing. A rule
counts from when the emulator first saw it (rate(5 minutes) fires five
minutes later, as EventBridge does). `fire_rule` and `fire_schedule` fire
one now (`dsync trigger`); tests move `clock` instead of waiting.
"""

import logging
import threading
import time
import uuid
from datetime import UTC, datetime

from moto.core import DEFAULT_ACCOUNT_ID
from moto.events import models as events
from moto.scheduler import models as scheduler

from . import targets
from .cron import ScheduleError, next_run

LOG = logging.getLogger("dsync.emulator")
TICK_S = 1.0


def clock():
    """Now (aware, UTC): the one clock the schedules read; tests replace it."""
    return datetime.now(UTC)


class _Due:
    """When each schedule (by ARN) fires next, and with which expression that was computed."""

    def __init__(self):
        self.next = {}  # arn -> (expression, next datetime or None)
        self.lock = threading.Lock()

    def is_due(self, arn, expression, timezone, now):
        with self.lock:
            known = self.next.get(arn)
            if known is None or known[0] != expression:
                self.next[arn] = (expression, self._after(expression, timezone, now))
                return False
            if known[1] is None or now < known[1]:
                return False
            self.next[arn] = (expression, self._after(expression, timezone, now))
            return True

    @staticmethod
    def _after(expression, timezone, now):
        try:
            return next_run(expression, now, timezone)
        except (ScheduleError, ValueError) as error:
            LOG.warning("schedule %s never fires: %s", expression, error)
            return None

    def forget(self, live):
        with self.lock:
            for arn in [a for a in self.next if a not in live]:
                del self.next[arn]


DUE = _Due()


def scheduled_event(rule, now=None):
    moment = now or clock()
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": rule.account_id,
        "time": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": rule.region_name,
        "resources": [rule.arn],
        "detail": {},
    }


def fire_rule(rule, event=None):
    """Send the rule's targets its scheduled event (or `event`) now."""
    rule.send_to_targets(event or scheduled_event(rule))


def fire_schedule(schedule, account, region, payload=None):
    """Send a Scheduler schedule's target its Input (or `payload`) now."""
    target = dict(schedule.target or {})
    text = payload if payload is not None else target.get("Input") or "{}"
    holder = _Holder(schedule.arn, schedule.name, account, region)
    try:
        targets.deliver(holder, target, {}, text, {})
        targets.record(holder, target)
    except Exception as error:  # noqa: BLE001 - a schedule that fails is recorded, the others go on
        LOG.warning("schedule %s: delivery to %s failed: %s", schedule.name, target.get("Arn"), error)
        targets.record(holder, target, error)


class _Holder:
    """What targets.deliver needs of a rule, for a Scheduler schedule."""

    def __init__(self, arn, name, account, region):
        self.arn, self.name, self.account_id, self.region_name = arn, name, account, region


def rules(account=DEFAULT_ACCOUNT_ID):
    """(region, rule) of every rule with a ScheduleExpression."""
    for region, backend in list(events.events_backends[account].items()):
        for bus in list(backend.event_buses.values()):
            for rule in list(bus.rules.values()):
                if rule.scheduled_expression:
                    yield region, rule


def schedules(account=DEFAULT_ACCOUNT_ID):
    """(region, schedule) of every EventBridge Scheduler schedule."""
    for region, backend in list(scheduler.scheduler_backends[account].items()):
        for group in list(backend.schedule_groups.values()):
            for schedule in list(group.schedules.values()):
                yield region, schedule


def tick(now=None):
    """Fire what is due; returns the ARNs fired."""
    now = now or clock()
    fired, live = [], set()
    for _, rule in rules():
        live.add(rule.arn)
        if rule.state == "ENABLED" and DUE.is_due(rule.arn, rule.scheduled_expression, None, now):
            fire_rule(rule, scheduled_event(rule, now))
            fired.append(rule.arn)
    for region, schedule in schedules():
        live.add(schedule.arn)
        if schedule.state == "ENABLED" and DUE.is_due(schedule.arn, schedule.schedule_expression, schedule.schedule_expression_timezone, now):
            fire_schedule(schedule, DEFAULT_ACCOUNT_ID, region)
            fired.append(schedule.arn)
    DUE.forget(live)
    return fired


def _run():
    while True:
        time.sleep(TICK_S)
        try:
            tick()
        except Exception as error:  # noqa: BLE001 - the clock thread must outlive one bad schedule
            LOG.warning("schedules: %s", error)


def start():
    threading.Thread(target=_run, name="dsync-schedules", daemon=True).start()
