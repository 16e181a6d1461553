"""What every event source mapping's poller shares: a daemon thread that
sleeps on a condition until it is told something changed (a message sent,
a record written, the mapping updated or deleted) or until a time it asked
for, so an idle mapping costs nothing."""

import json
import logging
import threading
import time

from moto.awslambda import models as lam

from .. import runs
from .calls import function_of

LOG = logging.getLogger("dsync.emulator")


class Poller:
    """One mapping's delivery loop; subclasses say how to take a batch (`take`) and deliver it (`deliver`)."""

    def __init__(self, mapping):
        self.mapping = mapping
        self.region, self.account = mapping.region, mapping.account_id
        self.changed = threading.Condition()
        self.dirty = True
        self.stopped = False
        self.thread = threading.Thread(target=self._loop, name=f"dsync-mapping-{mapping.uuid[:8]}", daemon=True)

    def start(self):
        self.thread.start()
        return self

    def poke(self):
        """Something changed: look again."""
        with self.changed:
            self.dirty = True
            self.changed.notify_all()

    def stop(self):
        with self.changed:
            self.stopped = True
            self.changed.notify_all()

    def wait(self, seconds=None):
        """Sleep until poked, stopped or `seconds` passed; True unless stopped."""
        with self.changed:
            if not self.dirty and not self.stopped:
                self.changed.wait(seconds)
            self.dirty = False
            return not self.stopped

    def sleep(self, seconds):
        """Sleep `seconds` whatever pokes come (a retry's back-off); True unless stopped."""
        deadline = time.monotonic() + seconds
        with self.changed:
            while not self.stopped and time.monotonic() < deadline:
                self.changed.wait(deadline - time.monotonic())
            return not self.stopped

    def alive(self):
        backend = lam.lambda_backends[self.account][self.region]
        return not self.stopped and self.mapping.uuid in backend._event_source_mappings

    def function(self):
        return function_of(self.mapping.function_arn, self.region, self.account)

    def reported_failures(self, outcome, ids):
        """The identifiers (of `ids`) a run failed, as Lambda reads its answer: all of them on an error, an
        answer that is not JSON or one naming an identifier not in the batch; with ReportBatchItemFailures
        those its batchItemFailures names; else none."""
        if outcome.function_error:
            return list(ids)
        if "ReportBatchItemFailures" not in (self.mapping.function_response_types or []):
            return []
        try:
            answer = json.loads(outcome.payload) if outcome.payload else None
        except ValueError:
            return list(ids)
        failures = answer.get("batchItemFailures") if isinstance(answer, dict) else None
        named = [f.get("itemIdentifier") if isinstance(f, dict) else None for f in failures or []]
        return list(ids) if any(n not in ids for n in named) else named

    def record(self, error, detail):
        source = str(self.mapping.event_source_arn).split(":")[-1]
        runs.record(self.mapping.uuid, source, self.mapping.function_arn.split(":")[6], error, detail)

    def _loop(self):
        while self.alive():
            try:
                if not self.mapping.enabled:
                    self.wait()
                    continue
                batch, wake_in = self.take()
                if batch:
                    self.deliver(batch)
                elif not self.wait(wake_in):
                    return
            except Exception as error:  # noqa: BLE001 - a poller must outlive one bad batch
                LOG.warning("event source mapping %s: %s", self.mapping.uuid, error)
                self.record(error, "the emulator could not deliver")
                self.sleep(1.0)
