"""A DynamoDB or Kinesis stream's event source mapping, read in order as
Lambda reads a shard.

- Records are handed over as they are written (hooks in __init__.py); with
  StartingPosition TRIM_HORIZON the records already in the stream come
  first. Up to BatchSize per invocation, after MaximumBatchingWindowInSeconds.
- Records no FilterCriteria pattern matches are skipped.
- A failed batch blocks the stream and is retried (back-off from
  RETRY_BASE_S, doubling, at most RETRY_CAP_S) until MaximumRetryAttempts
  (-1: until MaximumRecordAgeInSeconds, by default for ever) is used up.
  BisectBatchOnFunctionError splits a failed batch in two and tries each
  half; ReportBatchItemFailures retries from the first failed record.
  When retries run out, the batch's description goes to
  DestinationConfig.OnFailure (a queue or topic) and the stream moves on.

moto ran the function inside PutItem / PutRecord, with every record the
stream ever had (DynamoDB) or one record per call (Kinesis), and a failure
was dropped.
"""

import json
import time
import uuid
from collections import deque
from datetime import UTC, datetime

from . import filters
from .calls import Outcome, now_iso, run, send
from .poller import Poller
from .records import sequence_of

RETRY_BASE_S = 1.0
RETRY_CAP_S = 30.0


class StreamPoller(Poller):
    def __init__(self, mapping, backlog=()):
        super().__init__(mapping)
        self.pending = deque(backlog)  # (record, arrived at)

    def push(self, record, arrived=None):
        with self.changed:
            self.pending.append((record, arrived or time.time()))
        self.poke()

    def take(self):
        while self.pending:
            size = int(self.mapping.batch_size or 100)
            deadline = time.monotonic() + float(self.mapping.max_batch_window or 0)
            while len(self.pending) < size and time.monotonic() < deadline:
                if not self.wait(deadline - time.monotonic()):
                    break
            with self.changed:
                batch = [self.pending.popleft() for _ in range(min(size, len(self.pending)))]
            patterns = filters.patterns_of(self.mapping.filter_criteria)
            kept = [(r, at) for r, at in batch if filters.passes(patterns, r)]
            if kept:  # a batch the filters emptied is skipped, and the next one looked at
                return kept, None
        return [], None

    def _run(self, part):
        """One try of the batch; the emulator failing to run it counts as a failed try (the stream blocks and retries, as in Lambda)."""
        try:
            return run(self.function(), {"Records": [r for r, _ in part]})
        except Exception as error:  # noqa: BLE001 - a function being replaced, an unreadable package, ...
            return Outcome(json.dumps({"errorType": type(error).__name__, "errorMessage": str(error)}), "Unhandled", "$LATEST")

    def deliver(self, batch):
        parts = deque([(batch, 0)])  # (records, failed tries of exactly these records)
        while parts and self.alive():
            part, attempts = parts.popleft()
            outcome = self._run(part)
            rest = self._unprocessed(outcome, part)
            noun = f"{len(part)} record{'s' if len(part) != 1 else ''}"
            if not rest:
                self.record(None, noun)
                continue
            attempts += 1
            self.record(outcome.error_line or f"{len(rest)} of {len(part)} reported failed", f"{noun}, try {attempts}")
            if self.mapping.bisect_on_error and outcome.function_error and len(rest) > 1:
                # Halves start their own count: bisection is how Lambda finds the bad record, not a retry of it.
                middle = len(rest) // 2
                parts.extendleft([(rest[middle:], 0), (rest[:middle], 0)])
                continue
            condition = self._exhausted(attempts, rest)
            if condition:
                self._on_failure(rest, attempts, outcome, condition)
                continue
            if not self.sleep(min(RETRY_CAP_S, RETRY_BASE_S * 2 ** (attempts - 1))):
                return
            parts.appendleft((rest, attempts))

    def _unprocessed(self, outcome, part):
        """The records still to do after this run: none, all, or those from the first failed one on."""
        sequences = [sequence_of(r) for r, _ in part]
        failed = self.reported_failures(outcome, sequences)
        return part[min(sequences.index(n) for n in failed) :] if failed else []

    def _exhausted(self, attempts, records):
        """Why retrying stops now (Lambda's words for it), or None to retry."""
        limit = self.mapping.max_retry_attempts
        if limit is not None and int(limit) >= 0 and attempts > int(limit):
            return "RetryAttemptsExhausted"
        age = self.mapping.max_record_age
        if age is not None and int(age) >= 0 and time.time() - records[0][1] > int(age):
            return "RecordAgeExceeded"
        return None

    def _on_failure(self, records, attempts, outcome, condition):
        destination = ((self.mapping.destination_config or {}).get("OnFailure") or {}).get("Destination")
        if not destination:
            return
        arn = self.mapping.event_source_arn
        first, last = records[0], records[-1]
        info = {
            "shardId": self._shard(first[0]),
            "startSequenceNumber": sequence_of(first[0]),
            "endSequenceNumber": sequence_of(last[0]),
            "approximateArrivalOfFirstRecord": _iso(first[1]),
            "approximateArrivalOfLastRecord": _iso(last[1]),
            "batchSize": len(records),
            "streamArn": arn,
        }
        document = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": self.mapping.function_arn,
                "condition": condition,
                "approximateInvokeCount": attempts,
            },
            "responseContext": {
                "statusCode": 200,
                "executedVersion": outcome.executed_version,
                "functionError": outcome.function_error or "Unhandled",
            },
            "version": "1.0",
            "timestamp": now_iso(),
            ("KinesisBatchInfo" if ":kinesis:" in arn else "DDBStreamBatchInfo"): info,
        }
        try:
            send(destination, document, self.region, self.account)
        except Exception as error:  # noqa: BLE001 - said in the run log; the stream still moves on
            self.record(error, f"sending {len(records)} failed records to {destination}")

    @staticmethod
    def _shard(record):
        if "kinesis" in record:
            return record["eventID"].split(":", 1)[0]
        return "shardId-00000001"


def _iso(seconds):
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
