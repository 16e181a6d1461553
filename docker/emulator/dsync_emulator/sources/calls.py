"""Running a function for a trigger, and sending what Lambda sends to a
destination (OnSuccess / OnFailure, a dead-letter queue, a mapping's
OnFailure): an SQS queue, an SNS topic, another function or an event bus."""

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from moto.awslambda import models as lam
from moto.events import models as events
from moto.sns.models import sns_backends
from moto.sqs.models import sqs_backends


@dataclass
class Outcome:
    """What one synchronous run of a function gave: its payload (text) and its error, if any."""

    payload: str
    function_error: str | None
    executed_version: str

    @property
    def error_line(self):
        """The function's error as one line ("Error: boom"), for the run log."""
        if not self.function_error:
            return None
        try:
            body = json.loads(self.payload)
            return f"{body.get('errorType', 'Error')}: {body.get('errorMessage', '')}".rstrip(": ")
        except (ValueError, AttributeError):
            return f"{self.function_error} error: {self.payload[:200]}"


def function_of(arn_or_name, region, account):
    """The function an ARN (maybe with a version or alias) or name names, as moto holds it now."""
    return lam.lambda_backends[account][region]._lambdas.get_function_by_name_or_arn_with_qualifier(arn_or_name)


def run(fn, event):
    """Run `fn` with `event` (an object, or text sent as it is) and wait for it, as a poller or a retry does."""
    headers = {}
    body = fn.invoke(event if isinstance(event, str) else json.dumps(event), {"x-amz-invocation-type": "RequestResponse"}, headers)
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
    return Outcome(text, headers.get("x-amz-function-error"), headers.get("x-amz-executed-version", "$LATEST"))


def now_iso():
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _parts(arn):
    parts = str(arn).split(":", 5)
    return (parts + [""] * 6)[:6]


def send(destination_arn, document, region, account, attributes=None, detail_type="Lambda Function Invocation Result"):
    """Send `document` (an object, sent as JSON; text as it is) to a destination ARN; raises what went wrong."""
    _, _, service, dest_region, dest_account, resource = _parts(destination_arn)
    region, account = dest_region or region, dest_account or account
    text = document if isinstance(document, str) else json.dumps(document)
    if service == "sqs":
        queue = sqs_backends[account][region]
        group = "dsync" if resource.endswith(".fifo") else None
        dedup = str(uuid.uuid4()) if group else None
        queue.send_message(resource, text, message_attributes=attributes or {}, group_id=group, deduplication_id=dedup)
    elif service == "sns":
        sns_backends[account][region].publish(text, arn=destination_arn)
    elif service == "lambda":
        function_of(destination_arn, region, account).invoke(text, {"x-amz-invocation-type": "Event"}, {})
    elif service == "events":
        bus = resource.split("/", 1)[1] if "/" in resource else "default"
        entry = {"Source": "lambda", "DetailType": detail_type, "Detail": text, "EventBusName": bus}
        events.events_backends[account][region].put_events([entry])
    else:
        raise ValueError(f"the emulator does not send to {service} destinations ({destination_arn})")
