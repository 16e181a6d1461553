"""EventBridge Scheduler bridge: AWS::Scheduler::Schedule (SAM's ScheduleV2
events) becomes a schedule in moto's scheduler, which the emulator's clock
fires (eventbridge/schedules.py). moto has no CloudFormation model for it,
so it was a stand-in and a ScheduleV2 function never ran."""

import uuid

from moto.core.common_models import CloudFormationModel
from moto.scheduler import models as scheduler

from .models import BridgeModel, Created


def _backend(account_id, region_name):
    return scheduler.scheduler_backends[account_id][region_name]


class CfnSchedule(BridgeModel, CloudFormationModel):
    """AWS::Scheduler::Schedule: Ref is its name; GetAtt Arn."""

    __module__ = "moto.scheduler.dsync_bridge"

    CFN_TYPE = "AWS::Scheduler::Schedule"
    NAME_PROPERTY = "Name"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json.get("Properties") or {}
        backend = _backend(account_id, region_name)
        group = props.get("GroupName") or "default"
        # Without a Name, CloudFormation makes one unique to the stack (moto would use the bare logical id: two stacks would clash).
        name = props.get("Name") or f"{resource_name}-{uuid.uuid4().hex[:12].upper()}"
        schedule = backend.create_schedule(
            description=props.get("Description"),
            end_date=props.get("EndDate"),
            flexible_time_window=props.get("FlexibleTimeWindow") or {"Mode": "OFF"},
            group_name=group,
            kms_key_arn=props.get("KmsKeyArn"),
            name=name,
            schedule_expression=props["ScheduleExpression"],
            schedule_expression_timezone=props.get("ScheduleExpressionTimezone"),
            start_date=props.get("StartDate"),
            state=props.get("State"),
            target=props["Target"],
            action_after_completion=None,
        )
        return Created(schedule.name, {"Arn": schedule.arn})

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        props = cloudformation_json.get("Properties") or {}
        try:
            _backend(account_id, region_name).delete_schedule(props.get("GroupName") or "default", props.get("Name") or resource_name)
        except Exception:  # noqa: BLE001 - gone already
            pass


def install():
    """The model registers itself by subclassing (bridges.register_models checks)."""
