"""Asynchronous invocations (InvocationType Event: what EventBridge, SNS,
S3 and a caller's `InvocationType: 'Event'` make), run as Lambda runs them.

- A failed run is tried again up to MaximumRetryAttempts times (the
  function's EventInvokeConfig; 2 when it has none), until the event is
  older than MaximumEventAgeInSeconds (6 hours when not set). A throttle
  (more invocations at once than the emulator runs) is retried without
  counting, as Lambda retries throttles.
- Lambda waits about a minute, then two, between tries; the emulator waits
  RETRY_DELAYS_S (1 s, then 2 s; DSYNC_ASYNC_RETRY_DELAYS="60,120" restores
  Lambda's), so a developer sees the retries while still looking.
- Then the invocation record goes to the OnSuccess or OnFailure
  destination (a queue, a topic, a function or a bus), and a failed event
  to the function's DeadLetterConfig target (the event itself, with
  RequestID, ErrorCode and ErrorMessage attributes), as Lambda sends them.
- Each retry runs the code deployed at that moment: a fix saved between
  tries is what the retry runs.

Before, an Event invocation ran once on a thread and its failure was lost.
"""

import json
import logging
import os
import threading
import time
import uuid

from .. import runs
from .calls import Outcome, function_of, now_iso, run, send

LOG = logging.getLogger("dsync.emulator")
DEFAULT_RETRIES = 2
DEFAULT_MAX_AGE_S = 21600
THROTTLE_WAIT_S = 0.2


def retry_delays(env=os.environ):
    text = env.get("DSYNC_ASYNC_RETRY_DELAYS", "")
    try:
        delays = tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError:
        delays = ()
    return delays or (1.0, 2.0)


RETRY_DELAYS_S = retry_delays()


def _config(fn):
    configs = getattr(fn, "event_invoke_config", None) or []
    return configs[-1].config if configs else {}


def _throttled(outcome):
    try:
        return bool(outcome.function_error) and json.loads(outcome.payload).get("errorType") == "TooManyRequestsException"
    except (ValueError, AttributeError):
        return False


def _json(text):
    try:
        return json.loads(text) if text else None
    except ValueError:
        return text


class Invocation:
    """One asynchronous event and its tries."""

    def __init__(self, fn, text):
        self.arn, self.region, self.account = fn.function_arn, fn.region, fn.account_id
        self.name = fn.function_name
        self.text = text
        self.request_id = str(uuid.uuid4())
        self.received = time.monotonic()

    def start(self):
        threading.Thread(target=self._tries, name=f"dsync-async-{self.name}", daemon=True).start()

    def _try(self):
        """One run of the code deployed now; (fn, its config, the outcome). The emulator failing to run it is a failed try."""
        fn = function_of(self.arn, self.region, self.account)
        try:
            return fn, _config(fn), run(fn, self.text)
        except Exception as error:  # noqa: BLE001 - the event must still reach its retries and destinations
            return fn, _config(fn), Outcome(json.dumps({"errorType": type(error).__name__, "errorMessage": str(error)}), "Unhandled", "$LATEST")

    def _tries(self):
        try:
            self._retry_loop()
        except Exception as error:  # noqa: BLE001 - the function itself is gone: said once in the run log
            runs.record(("async", self.arn), "asynchronous invocation", self.name, error, "the event was dropped")

    def _retry_loop(self):
        attempts, condition = 0, "RetriesExhausted"
        while True:
            fn, config, outcome = self._try()
            max_age = int(config.get("MaximumEventAgeInSeconds", DEFAULT_MAX_AGE_S))
            if _throttled(outcome):
                # Lambda retries throttles for as long as the event may live, without counting them as tries.
                if time.monotonic() - self.received + THROTTLE_WAIT_S > max_age:
                    condition = "EventAgeExceeded"
                    break
                time.sleep(THROTTLE_WAIT_S)
                continue
            retries = int(config.get("MaximumRetryAttempts", DEFAULT_RETRIES))
            attempts += 1
            if not outcome.function_error:
                runs.record(("async", self.arn), "asynchronous invocation", self.name, None, f"attempt {attempts}")
                return self._finish(fn, config, attempts, outcome, "Success")
            runs.record(("async", self.arn), "asynchronous invocation", self.name, outcome.error_line, f"attempt {attempts} of {retries + 1}")
            if attempts > retries:
                break
            delay = RETRY_DELAYS_S[min(attempts - 1, len(RETRY_DELAYS_S) - 1)]
            if time.monotonic() - self.received + delay > max_age:
                condition = "EventAgeExceeded"
                break
            time.sleep(delay)
        self._finish(fn, config, attempts, outcome, condition)

    def _finish(self, fn, config, attempts, outcome, condition):
        ok = condition == "Success"
        destination = ((config.get("DestinationConfig") or {}).get("OnSuccess" if ok else "OnFailure") or {}).get("Destination")
        try:
            if destination:
                send(
                    destination,
                    self._record(attempts, outcome, condition),
                    self.region,
                    self.account,
                    detail_type=f"Lambda Function Invocation Result - {'Success' if ok else 'Failure'}",
                )
            dead_letter = (getattr(fn, "dsync_dead_letter_config", None) or {}).get("TargetArn")
            if not ok and dead_letter:
                send(dead_letter, self.text, self.region, self.account, attributes=self._dlq_attributes(outcome))
        except Exception as error:  # noqa: BLE001 - said in the run log, as Lambda would drop it
            runs.record(("async", self.arn), "asynchronous invocation", self.name, error, "sending to its destination")

    def _record(self, attempts, outcome, condition):
        response = {"statusCode": 200, "executedVersion": outcome.executed_version}
        if outcome.function_error:
            response["functionError"] = outcome.function_error
        return {
            "version": "1.0",
            "timestamp": now_iso(),
            "requestContext": {
                "requestId": self.request_id,
                "functionArn": f"{self.arn}:$LATEST",
                "condition": condition,
                "approximateInvokeCount": attempts,
            },
            "requestPayload": _json(self.text),
            "responseContext": response,
            "responsePayload": _json(outcome.payload),
        }

    def _dlq_attributes(self, outcome):
        body = _json(outcome.payload)
        message = body.get("errorMessage", "") if isinstance(body, dict) else str(outcome.payload)[:256]
        return {
            "RequestID": {"DataType": "String", "StringValue": self.request_id},
            "ErrorCode": {"DataType": "Number", "StringValue": "200"},
            "ErrorMessage": {"DataType": "String", "StringValue": message or "Unhandled"},
        }


def submit(fn, text):
    """Queue an Event invocation of `fn` (moto's function) with the event text; returns at once."""
    Invocation(fn, text).start()
