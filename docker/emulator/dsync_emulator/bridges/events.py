"""EventBridge bridge: a Ref to an AWS::Events::EventBus is its name.

moto's EventBus has no physical id, so the Ref was the object itself and a
rule on that bus failed: AttributeError: 'EventBus' object has no attribute
'split' (moto/events/models.py _normalize_event_bus_arn).
"""

from moto.cloudformation import parsing as cfn_parsing
from moto.events import models as events

from .. import patching


def install():
    patching.add(events.EventBus, "physical_resource_id", property(lambda self: self.name), called_by=cfn_parsing.clean_json)
