"""Delivering what a rule matched to its targets, as EventBridge does:
Lambda functions (invoked asynchronously, InvocationType Event, so the
function's own runtime runs it), SQS queues, SNS topics, Step Functions
state machines, other event buses, CloudWatch Logs groups and archives.
Each target on its own: one that fails is recorded and the others still
get the event. (moto delivered only to queues, log groups, archives and
buses, and raised NotImplementedError for everything else, so PutEvents
answered 500 and the caller's SDK retried.)"""

import json
import time
import uuid

from moto.awslambda import models as lam
from moto.events import models as events
from moto.logs.models import logs_backends
from moto.sns.models import sns_backends
from moto.sqs.models import sqs_backends
from moto.stepfunctions import responses as sfn_responses

from .. import runs

MAX_BUS_HOPS = 5


def _arn(text):
    parts = str(text).split(":", 5)
    return (parts + [""] * 6)[:6]  # arn, partition, service, region, account, resource


def _lambda(region, account, resource, payload):
    _, name, *qualifier = resource.split(":")
    fn = lam.lambda_backends[account][region].get_function(name, qualifier[0] if qualifier else None)
    fn.invoke(payload, {"x-amz-invocation-type": "Event"}, {})


def _sqs(region, account, resource, payload, target):
    group = (target.get("SqsParameters") or {}).get("MessageGroupId")
    dedup = str(uuid.uuid4()) if resource.endswith(".fifo") else None
    sqs_backends[account][region].send_message(resource, payload, group_id=group, deduplication_id=dedup)


def _sns(region, account, arn, payload):
    sns_backends[account][region].publish(payload, arn=arn)


def _states(region, account, arn, payload):
    sfn_responses.get_backend(account, region).start_execution(arn, None, payload)


def _logs(region, account, resource, payload):
    group = resource.split(":", 1)[1] if resource.startswith("log-group:") else resource
    backend = logs_backends[account][region]
    stream = str(uuid.uuid4())
    backend.create_log_stream(group, stream)
    backend.put_log_events(group, stream, [{"timestamp": int(time.time() * 1000), "message": payload}])


def _bus(region, account, resource, event, hops):
    if hops >= MAX_BUS_HOPS:
        raise RuntimeError(f"an event went through {MAX_BUS_HOPS} buses: a loop of rules?")
    entry = {
        "Source": event["source"],
        "DetailType": event["detail-type"],
        "Detail": json.dumps(event.get("detail", {})),
        "EventBusName": resource.split("/", 1)[1],
    }
    entry["Resources"] = event.get("resources", [])
    events.events_backends[account][region].put_events([entry])


def deliver(rule, target, event, payload, original_event, hops=0):
    """Send `payload` (what the target receives) to one target; raises what went wrong."""
    arn = target["Arn"]
    _, _, service, region, account, resource = _arn(arn)
    region, account = region or rule.region_name, account or rule.account_id
    if service == "lambda":
        _lambda(region, account, resource, payload)
    elif service == "sqs":
        _sqs(region, account, resource, payload, target)
    elif service == "sns":
        _sns(region, account, arn, payload)
    elif service == "states":
        _states(region, account, arn, payload)
    elif service == "logs":
        _logs(region, account, resource, payload)
    elif service == "events" and resource.startswith("event-bus/"):
        _bus(region, account, resource, event, hops)
    elif service == "events" and not resource:
        rule._send_to_events_archive(_arn(original_event["archive-arn"])[5], original_event)
    else:
        raise NotImplementedError(f"the emulator does not deliver events to {service} targets ({arn})")


def record(rule, target, error=None):
    """One delivery of a rule or schedule to a target, in the run log (`dsync status`, `up --logs`)."""
    runs.record((rule.arn, target.get("Id")), rule.name, str(target.get("Arn", "")).split(":")[-1], error, "event delivered" if error is None else "")
