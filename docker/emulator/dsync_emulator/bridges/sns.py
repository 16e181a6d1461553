"""SNS bridge: AWS::SNS::Subscription (what an SNS event of a function
becomes), which moto has no model of."""

import json

from moto.core.common_models import CloudFormationModel
from moto.sns import models as sns

from .. import patching
from .models import BridgeModel

ATTRIBUTES = ("FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy", "DeliveryPolicy")


class CfnSnsSubscription(BridgeModel, CloudFormationModel):
    """AWS::SNS::Subscription (what an SNS event of a function becomes): moto has no model."""

    __module__ = "moto.sns.dsync_bridge"

    CFN_TYPE = "AWS::SNS::Subscription"
    NAME_PROPERTY = ""

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json["Properties"]
        backend = sns.sns_backends[account_id][region_name]
        subscription = backend.subscribe(props["TopicArn"], props["Endpoint"], props["Protocol"])
        for name in ATTRIBUTES:
            if name in props:
                value = props[name]
                backend.set_subscription_attributes(subscription.arn, name, value if isinstance(value, str) else json.dumps(value))
        subscription.physical_resource_id = subscription.arn
        subscription.is_created = lambda: True
        return subscription

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        cls.delete_from_cloudformation_json(original_resource.arn, cloudformation_json, account_id, region_name)
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        sns.sns_backends[account_id][region_name].unsubscribe(resource_name)


def install():
    """What CfnSnsSubscription calls; checked at start-up, as it has no patch of its own."""
    backend = sns.SNSBackend
    patching.require(backend, "subscribe", params=("topic_arn", "endpoint", "protocol"))
    patching.require(backend, "set_subscription_attributes", params=("arn", "name", "value"))
    patching.require(backend, "unsubscribe", params=("subscription_arn",))
