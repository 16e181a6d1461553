"""SNS delivers to a function asynchronously (so Lambda's retries apply),
with the event Lambda gives: the subscription, the topic, the message id
and attributes of the message published. moto invoked the function inside
Publish, with a fixed topic ("arn:aws:sns:EXAMPLE"), a fixed message id and
two made-up attributes. moto's subscription still decides who gets a
message (its filter policies are kept); this module only shapes and sends
the Lambda event."""

import json
import threading
import uuid

from moto.awslambda import models as lam

from .. import patching
from . import asynchronous
from .calls import now_iso

_current = threading.local()  # the subscription publishing on this thread, with the message's id and attributes


def _publishing(original):
    def publish(self, message, message_id, subject=None, message_attributes=None, group_id=None, deduplication_id=None, message_structure=None):
        _current.delivery = (self, message_id, message_attributes or {})
        try:
            return original(self, message, message_id, subject, message_attributes, group_id, deduplication_id, message_structure)
        finally:
            _current.delivery = None

    return publish


def event_for(subscription, message_id, attributes, message, subject):
    topic = subscription.topic.arn if subscription else "arn:aws:sns:us-east-1:000000000000:unknown"
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": subscription.arn if subscription else f"{topic}:{uuid.uuid4()}",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": message_id,
                    "TopicArn": topic,
                    "Subject": subject,
                    "Message": message,
                    "Timestamp": now_iso(),
                    "SignatureVersion": "1",
                    "Signature": "EXAMPLE",
                    "SigningCertUrl": "EXAMPLE",
                    "UnsubscribeUrl": "EXAMPLE",
                    "MessageAttributes": {k: {"Type": v.get("Type"), "Value": v.get("Value")} for k, v in attributes.items()},
                },
            }
        ]
    }


def send_sns_message(self, function_name, message, subject=None, qualifier=None):
    subscription, message_id, attributes = getattr(_current, "delivery", None) or (None, str(uuid.uuid4()), {})
    fn = self._lambdas.get_function_by_name_or_arn_with_qualifier(function_name, qualifier)
    asynchronous.submit(fn, json.dumps(event_for(subscription, message_id, attributes, message, subject)))


def install(sns):
    patching.wrap(
        sns.Subscription,
        "publish",
        _publishing,
        params=("message", "message_id", "subject", "message_attributes", "group_id", "deduplication_id", "message_structure"),
    )
    patching.replace(lam.LambdaBackend, "send_sns_message", send_sns_message, params=("function_name", "message", "subject", "qualifier"))
