"""S3 buckets with EventBridge notifications on send their object events to
the default bus, shaped as S3 sends them. moto sent them to the rules of
every bus, all with one fixed id, without the targets' inputs, said
"ObjectCreated" where S3 says "PutObject", swallowed every error, and sent
an "Object Tags Added" event for each PutObject, tags or not."""

import logging
import uuid
from datetime import UTC, datetime

from moto.events import models as events
from moto.s3 import notifications
from moto.s3.models import s3_backends

from .. import patching

LOG = logging.getLogger("dsync.emulator")

# What S3 puts in detail.reason for each notification event.
REASONS = {
    "s3:ObjectCreated:Put": "PutObject",
    "s3:ObjectCreated:Post": "PostObject",
    "s3:ObjectCreated:Copy": "CopyObject",
    "s3:ObjectCreated:CompleteMultipartUpload": "CompleteMultipartUpload",
    "s3:ObjectRemoved:Delete": "DeleteObject",
    "s3:ObjectRemoved:DeleteMarkerCreated": "DeleteObject",
}


def _has_tags(account_id, key):
    try:
        return bool(s3_backends[account_id]["aws"].tagger.list_tags_for_resource(key.arn)["Tags"])
    except Exception:  # noqa: BLE001 - no tagger entry: no tags
        return False


def send(account_id, bucket, event_name, key):
    if "ObjectTagging" in event_name and not _has_tags(account_id, key):
        return
    event = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": notifications._detail_type(event_name),
        "source": "aws.s3",
        "account": account_id,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": bucket.region_name,
        "resources": [bucket.arn],
        "detail": {
            "version": "0",
            "bucket": {"name": bucket.name},
            "object": {
                "key": key.name,
                "size": key.size,
                "etag": str(key.etag).replace('"', ""),
                "version-id": key.version_id,
                "sequencer": uuid.uuid4().hex[:16].upper(),
            },
            "request-id": uuid.uuid4().hex[:16].upper(),
            "requester": account_id,
            "source-ip-address": "127.0.0.1",
            "reason": REASONS.get(event_name, event_name.split(":")[-1]),
        },
    }
    backend = events.events_backends[account_id][bucket.region_name]
    for rule in list(backend.describe_event_bus("default").rules.values()):
        try:
            rule.send_to_targets(event)
        except Exception as error:  # noqa: BLE001 - S3 sends asynchronously: the upload stands
            LOG.warning("S3 event to rule %s failed: %s", rule.name, error)


def install():
    patching.require(notifications, "_detail_type", params=("event_name",))
    patching.replace(notifications, "_send_event_bridge_message", send, params=("account_id", "bucket", "event_name", "key"))
