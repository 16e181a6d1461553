"""An SQS queue's event source mapping, polled as Lambda polls it.

- Up to BatchSize messages per invocation; with MaximumBatchingWindowInSeconds
  the poller waits that long (or until the batch is full) for more.
- A message is received with the queue's visibility timeout. When the
  function succeeds its messages are deleted; when it fails they stay, come
  back after the visibility timeout and are received again, and the
  queue's RedrivePolicy moves one received maxReceiveCount times to the DLQ
  (moto's ReceiveMessage does that move).
- With ReportBatchItemFailures, only the messages the function names in
  `batchItemFailures` stay; an answer naming a message not in the batch
  fails the whole batch, as Lambda does.
- Messages that no FilterCriteria pattern matches are deleted unseen.

moto ran the function inside SendMessage (the sender waited for it), one
message per invocation, and a failed message was never tried again.
"""

import time

from moto.sqs.models import sqs_backends

from . import filters
from .calls import run
from .poller import Poller
from .records import sqs_record

IDLE_CHECK_S = 30.0


class QueuePoller(Poller):
    def queue(self):
        arn = self.mapping.event_source_arn
        for queue in sqs_backends[self.account][self.region].queues.values():
            if queue.queue_arn == arn:
                return queue
        return None

    def _receive(self, queue, count):
        backend = sqs_backends[self.account][self.region]
        return backend.receive_message(queue.name, count, 0, int(queue.visibility_timeout or 30), ["All"])

    def _wake_in(self, queue):
        """Seconds until a message in flight or delayed can be received again; None when none is."""
        now_ms = time.time() * 1000
        times = [max(m.visible_at, m.delayed_until) for m in getattr(queue, "_messages", []) if max(m.visible_at, m.delayed_until) > now_ms]
        return max(0.01, (min(times) - now_ms) / 1000 + 0.01) if times else IDLE_CHECK_S

    def take(self):
        queue = self.queue()
        if queue is None:
            return [], IDLE_CHECK_S
        size = int(self.mapping.batch_size or 10)
        batch = self._receive(queue, size)
        if not batch:
            return [], self._wake_in(queue)
        window = float(self.mapping.max_batch_window or 0)
        deadline = time.monotonic() + window
        while len(batch) < size and time.monotonic() < deadline:
            if not self.wait(deadline - time.monotonic()):
                break
            batch += self._receive(queue, size - len(batch))
        return (queue, batch), None

    def deliver(self, taken):
        queue, messages = taken
        backend = sqs_backends[self.account][self.region]
        patterns = filters.patterns_of(self.mapping.filter_criteria)
        records = []
        for message in messages:
            record = sqs_record(message, queue.queue_arn, self.region)
            if filters.passes(patterns, record):
                records.append(record)
            else:
                backend.delete_message(queue.name, message.receipt_handle)
        if not records:
            return
        outcome = run(self.function(), {"Records": records})
        failed = set(self.reported_failures(outcome, [r["messageId"] for r in records]))
        for record in records:
            if record["messageId"] not in failed:
                backend.delete_message(queue.name, record["receiptHandle"])
        count = f"{len(records)} message{'s' if len(records) != 1 else ''}"
        if outcome.function_error:
            self.record(outcome.error_line, f"{count}; they come back after the visibility timeout")
        elif failed:
            self.record(f"{len(failed)} of {len(records)} reported failed", f"{count}; the failed come back after the visibility timeout")
        else:
            self.record(None, count)
