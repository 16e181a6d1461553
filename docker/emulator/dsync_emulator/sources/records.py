"""The records an event source mapping hands a function, shaped as Lambda
shapes them: SQS messages (records for `Records`), DynamoDB stream records
and Kinesis records. moto's own events had fixed attributes (a receive
count of 1, a sent time from 2018, no message attributes) and one record
per invocation whatever the batch size."""

import base64
import json
from datetime import datetime

SQS_SENDER = "AIDAIENQZJOLO23YVJ4VO"


def _sqs_attribute(value):
    kind = value.get("data_type") or value.get("DataType") or "String"
    out = {"stringListValues": [], "binaryListValues": [], "dataType": kind}
    if "binary_value" in value or "BinaryValue" in value:
        raw = value.get("binary_value", value.get("BinaryValue"))
        out["binaryValue"] = raw if isinstance(raw, str) else base64.b64encode(raw).decode()
    else:
        out["stringValue"] = str(value.get("string_value", value.get("StringValue", "")))
    return out


def sqs_record(message, queue_arn, region):
    attributes = {
        "ApproximateReceiveCount": str(message.approximate_receive_count),
        "SentTimestamp": str(message.sent_timestamp),
        "SenderId": getattr(message, "sender_id", None) or SQS_SENDER,
        "ApproximateFirstReceiveTimestamp": str(message.approximate_first_receive_timestamp),
    }
    if queue_arn.endswith(".fifo"):
        attributes.update(
            MessageGroupId=message.group_id or "",
            MessageDeduplicationId=message.deduplication_id or "",
            SequenceNumber=str(getattr(message, "sequence_number", "") or ""),
        )
    record = {
        "messageId": message.id,
        "receiptHandle": message.receipt_handle,
        "body": message.body,
        "attributes": attributes,
        "messageAttributes": {k: _sqs_attribute(v) for k, v in (message.message_attributes or {}).items()},
        "md5OfBody": message.body_md5,
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if message.message_attributes:
        record["md5OfMessageAttributes"] = message.attribute_md5
    return record


def dynamodb_record(stream_record, stream_arn, region):
    record = json.loads(json.dumps(stream_record.to_json(), default=_epoch))
    record["awsRegion"] = region
    record["eventSourceARN"] = stream_arn
    return record


def _epoch(value):
    if isinstance(value, datetime):
        return int(value.timestamp())
    raise TypeError(f"cannot write {type(value).__name__} into a stream record")


def kinesis_record(stream_arn, shard_id, partition_key, sequence_number, data, role, region, arrived):
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": partition_key,
            "sequenceNumber": str(sequence_number),
            "data": data,
            "approximateArrivalTimestamp": round(arrived, 3),
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{shard_id}:{sequence_number}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": role,
        "awsRegion": region,
        "eventSourceARN": stream_arn,
    }


def sequence_of(record):
    """A stream record's sequence number (what ReportBatchItemFailures names)."""
    if "kinesis" in record:
        return record["kinesis"]["sequenceNumber"]
    return record["dynamodb"]["SequenceNumber"]
