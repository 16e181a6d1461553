"""How events reach functions in the emulator, with Lambda's semantics:

- event source mappings (SQS queues, DynamoDB and Kinesis streams) are
  polled by a thread each (sqs.py, streams.py), with batch sizes and
  windows, FilterCriteria (filters.py), partial batch failures, retries,
  bisection, DLQs and OnFailure destinations;
- asynchronous invocations are retried and sent to their destinations
  (asynchronous.py); SNS and S3 invoke functions asynchronously, with the
  event Lambda gives (SNS's had a fixed topic, message id and attributes);
- each run is recorded (../runs.py) for `dsync status` and `up --logs`;
- a trigger it does not run is said once at deploy (inert.py).

moto delivered to functions inside the call that produced the event
(SendMessage, PutItem, PutRecord, Publish waited for the function) and
kept none of these semantics; its own delivery is switched off here by
taking each mapping out of the queue, table or stream it was attached to.
"""

import json
import threading
import time

from moto.awslambda import models as lam
from moto.core.exceptions import JsonRESTError
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models import table as ddb_table
from moto.kinesis import models as kinesis
from moto.s3 import notifications as s3_notifications
from moto.sns import models as sns
from moto.sqs import models as sqs_models

from .. import lambda_runner, patching
from ..cfn import stacks
from . import asynchronous, filters, inert, sns_events
from .records import dynamodb_record, kinesis_record
from .sqs import QueuePoller
from .streams import StreamPoller

__all__ = ["POLLERS", "install"]

POLLERS = {}  # mapping uuid -> its poller
_lock = threading.Lock()


def _table_name(stream_arn):
    return stream_arn.split(":table/", 1)[1].split("/", 1)[0] if ":table/" in stream_arn else None


def _detach(mapping):
    """Take the mapping out of moto's own delivery."""
    arn, region, account = mapping.event_source_arn, mapping.region, mapping.account_id
    for queue in sqs_models.sqs_backends[account][region].queues.values():
        if queue.queue_arn == arn:
            queue.lambda_event_source_mappings.pop(mapping.function_arn, None)
    name = _table_name(arn)
    table = dynamodb_backends[account][region].tables.get(name) if name else None
    if table is not None:
        table.lambda_event_source_mappings.pop(mapping.function_arn, None)
    for stream in kinesis.kinesis_backends[account][region].streams.values():
        if stream.arn == arn:
            stream.lambda_event_source_mappings.pop(arn, None)


def _backlog(mapping):
    """The records already in the stream, for StartingPosition TRIM_HORIZON."""
    if mapping.starting_position != "TRIM_HORIZON":
        return []
    arn, region, account = mapping.event_source_arn, mapping.region, mapping.account_id
    name = _table_name(arn)
    if name:
        table = dynamodb_backends[account][region].tables.get(name)
        shard = getattr(table, "stream_shard", None)
        return [
            (dynamodb_record(r, arn, region), r.record["dynamodb"]["ApproximateCreationDateTime"].timestamp()) for r in (shard.items if shard else [])
        ]
    for stream in kinesis.kinesis_backends[account][region].streams.values():
        if stream.arn == arn:
            role = lambda_runner.function_named(mapping.function_arn, region).role
            return [
                (kinesis_record(arn, shard.shard_id, r.partition_key, r.sequence_number, r.data, role, region, r.created_at), r.created_at)
                for shard in stream.shards.values()
                for r in shard.records.values()
            ]
    return []


def _start(mapping):
    service = mapping.event_source_arn.split(":")[2]
    poller = QueuePoller(mapping) if service == "sqs" else StreamPoller(mapping, _backlog(mapping))
    with _lock:
        old = POLLERS.pop(mapping.uuid, None)
        POLLERS[mapping.uuid] = poller
    if old:
        old.stop()
    poller.start()


def _pollers_of(arn):
    with _lock:
        return [p for p in POLLERS.values() if p.mapping.event_source_arn == arn]


def _created(original):
    def create_event_source_mapping(self, spec):
        mapping = original(self, spec)
        _detach(mapping)
        try:
            filters.patterns_of(mapping.filter_criteria)
        except filters.FilterError as error:
            # Lambda refuses such a mapping when it is created; so does the emulator.
            self._event_source_mappings.pop(mapping.uuid, None)
            raise JsonRESTError("InvalidParameterValueException", str(error)) from error
        _start(mapping)
        return mapping

    return create_event_source_mapping


def _deleted(original):
    def delete_event_source_mapping(self, uuid):
        mapping = original(self, uuid)
        with _lock:
            poller = POLLERS.pop(uuid, None)
        if poller:
            poller.stop()
        return mapping

    return delete_event_source_mapping


def _updated(original):
    def update_event_source_mapping(self, uuid, spec):
        if "FilterCriteria" in spec:
            try:
                filters.patterns_of(spec["FilterCriteria"])
            except filters.FilterError as error:
                raise JsonRESTError("InvalidParameterValueException", str(error)) from error
        mapping = original(self, uuid, spec)
        poller = POLLERS.get(uuid)
        if poller:
            poller.poke()
        return mapping

    return update_event_source_mapping


def _message_added(original):
    def add_message(self, message):
        result = original(self, message)
        for poller in _pollers_of(self.queue_arn):
            poller.poke()
        return result

    return add_message


def _stream_record_added(original):
    def add(self, old, new):
        before = len(self.items)
        result = original(self, old, new)
        added = self.items[before:]
        with _lock:
            pollers = [p for p in POLLERS.values() if _table_name(p.mapping.event_source_arn) == self.table.name]
        for poller in pollers:
            for record in added:
                poller.push(dynamodb_record(record, poller.mapping.event_source_arn, poller.region))
        return result

    return add


def _kinesis_record_added(original):
    def put_record(self, partition_key, explicit_hash_key, data):
        sequence, shard_id = original(self, partition_key, explicit_hash_key, data)
        for poller in _pollers_of(self.arn):
            try:
                role = poller.function().role
            except Exception:  # noqa: BLE001 - the function is being replaced: PutRecord must not fail for it
                role = None
            poller.push(kinesis_record(self.arn, shard_id, partition_key, sequence, data, role, poller.region, time.time()))
        return sequence, shard_id

    return put_record


def _s3_invokes_asynchronously(account_id, event_body, fn_arn, region_name):
    """S3 invokes a function asynchronously (moto waited for it inside PutObject)."""
    try:
        fn = lam.lambda_backends[account_id][region_name].get_function(fn_arn)
    except Exception:  # noqa: BLE001 - as in S3: a missing function does not fail the upload
        return
    asynchronous.submit(fn, json.dumps(event_body))


def install():
    backend = lam.LambdaBackend
    patching.wrap(backend, "create_event_source_mapping", _created, params=("spec",))
    patching.wrap(backend, "delete_event_source_mapping", _deleted, params=("uuid",))
    patching.wrap(backend, "update_event_source_mapping", _updated, params=("uuid", "spec"))
    patching.wrap(sqs_models.Queue, "add_message", _message_added, params=("message",))
    patching.wrap(ddb_table.StreamShard, "add", _stream_record_added, params=("old", "new"))
    patching.wrap(kinesis.Stream, "put_record", _kinesis_record_added, params=("partition_key", "explicit_hash_key", "data"))
    patching.replace(s3_notifications, "_invoke_awslambda", _s3_invokes_asynchronously, params=("account_id", "event_body", "fn_arn", "region_name"))
    sns_events.install(sns)
    lambda_runner.on_event_invocation(asynchronous.submit)
    stacks.AFTER_DEPLOY.append(inert.check)
