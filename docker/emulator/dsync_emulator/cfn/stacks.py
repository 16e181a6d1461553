"""Stack operations as CloudFormation runs them, on moto's backend.

- CreateStack, UpdateStack, CreateChangeSet and ValidateTemplate expand the
  SAM transform first (sam_transform.py) and keep the template as sent, for
  GetTemplate's Original stage (templates.py).
- A resource that fails inside CreateStack/UpdateStack/ExecuteChangeSet makes
  moto answer HTTP 500 and leaves the stack unreadable. Instead the stack
  fails as CloudFormation's would (a *_FAILED event with the reason, a
  ROLLBACK status), and the failure is recorded (gaps.py).
- A stack whose creation failed is deleted and created again by an update
  (moto's UpdateStack would refuse it before its backend sees it).
- UsePreviousValue of a parameter that took its Default resolves to it.
"""

import logging

from moto.cloudformation import models as cfn_models
from moto.cloudformation import responses as cfn_responses
from moto.cloudformation.models import CloudFormationBackend

from .. import gaps, patching
from .sam_transform import expand, parameter_values

LOG = logging.getLogger("dsync.emulator")


def _failure_event(stack, operation, failed):
    return cfn_models.Event(
        stack_id=stack.stack_id,
        stack_name=stack.name,
        logical_resource_id=failed["logicalId"],
        physical_resource_id="",
        resource_type=failed["type"],
        resource_status=f"{operation}_FAILED",
        resource_status_reason=(
            f"the emulator (moto) could not {operation.lower()} it: {failed['error']} at {failed['where']} (an emulator gap, not your template)"
        ),
        resource_properties=None,
    )


def fail_stack(stack, operation, error):
    """Leave `stack` as CloudFormation leaves a failed one: the resource's *_FAILED event with the reason, rolled back."""
    resource_map = stack.resource_map
    resource_map._resource_json_map = {k: v for k, v in resource_map._resource_json_map.items() if k in resource_map._parsed_resources}
    stack.output_map = cfn_models.OutputMap(resource_map, {}, stack.stack_id)
    LOG.error("stack %s: %s failed", stack.name, operation.lower(), exc_info=error)
    failed = gaps.last_failure() or gaps.stack_failure(stack.name, error)
    reason = f"{type(error).__name__}: {error}"
    if failed:
        stack.events.append(_failure_event(stack, operation, failed))
    stack._add_stack_event(f"{operation}_FAILED", resource_status_reason=reason)
    stack.status = "ROLLBACK_COMPLETE" if operation == "CREATE" else "UPDATE_ROLLBACK_COMPLETE"
    stack._add_stack_event(stack.status)


# Called with the stack after each stack operation that succeeded (sources/inert.py registers one).
AFTER_DEPLOY = []


def _deployed(stack):
    if getattr(stack, "status", "").endswith("_COMPLETE") and "ROLLBACK" not in stack.status:
        for callback in AFTER_DEPLOY:
            try:
                callback(stack)
            except Exception as error:  # noqa: BLE001 - a look at what deployed must never fail the deploy
                LOG.warning("after deploying %s: %s", stack.name, error)


def _create_stack(original):
    def create_stack(self, name, template, parameters, *args, **kwargs):
        processed, source = expand(template, self.region_name, parameter_values(parameters))
        gaps.begin(name)
        try:
            stack = original(self, name, processed, parameters, *args, **kwargs)
        except cfn_models.ValidationError:
            raise
        except Exception as error:  # any resource failure: fail the stack, as CloudFormation does
            stack = next((s for s in self.stacks.values() if s.name == name), None)
            if stack is None:
                raise
            fail_stack(stack, "CREATE", error)
        stack.original_template = source or template
        _deployed(stack)
        return stack

    return create_stack


def _recreate(backend, existing, name, template, role_arn, parameters, tags):
    """A stack whose creation failed cannot be updated; on AWS it must be deleted first.
    The emulator is disposable, so it does that itself and creates the stack again."""
    previous = existing.parameters if isinstance(existing.parameters, dict) else {}
    values = {p["ParameterKey"]: previous.get(p["ParameterKey"]) if p.get("UsePreviousValue") else p.get("ParameterValue") for p in parameters or []}
    backend.delete_stack(name)
    return backend.create_stack(name, template, values, tags=tags, role_arn=role_arn)


def _validate_status(original):
    """moto's UpdateStack refuses a ROLLBACK_COMPLETE stack in its response layer,
    before the backend's update_stack can recreate it (_recreate): let that one through."""

    def validate_status(self, stack):
        if stack.status == "ROLLBACK_COMPLETE":
            return None
        return original(self, stack)

    return validate_status


def _update_stack(original):
    def update_stack(self, name, template, role_arn, parameters, tags):
        existing = self.get_stack(name)
        if existing.status == "ROLLBACK_COMPLETE":
            return _recreate(self, existing, name, template, role_arn, parameters, tags)
        processed, source = expand(template, self.region_name, parameter_values(parameters))
        gaps.begin(name)
        try:
            stack = original(self, name, processed, role_arn, parameters, tags)
        except cfn_models.ValidationError:
            raise
        except Exception as error:  # noqa: BLE001
            stack = self.get_stack(name)
            fail_stack(stack, "UPDATE", error)
        stack.original_template = source or template
        _deployed(stack)
        return stack

    return update_stack


def _create_change_set(original):
    def create_change_set(self, stack_name, change_set_name, template, parameters, *args, **kwargs):
        processed, source = expand(template, self.region_name, parameter_values(parameters))
        change_set_id, stack_id = original(self, stack_name, change_set_name, processed, parameters, *args, **kwargs)
        self.change_sets[change_set_id].original_template = source or template
        return change_set_id, stack_id

    return create_change_set


def _execute_change_set(original):
    def execute_change_set(self, change_set_name, stack_name=None):
        change_set = self.describe_change_set(change_set_name)
        gaps.begin(stack_name or change_set.stack_name)
        try:
            original(self, change_set_name, stack_name)
        except cfn_models.ValidationError:
            raise
        except Exception as error:  # noqa: BLE001
            fail_stack(self.stacks[change_set.stack_id], change_set.change_set_type, error)
            return
        stack = self.stacks[change_set.stack_id]
        stack.original_template = getattr(change_set, "original_template", change_set.template)
        # moto leaves the template and outputs of a stack made by a CREATE change set empty.
        stack._parse_template()
        stack.output_map = stack._create_output_map()
        stack.description = stack.template_dict.get("Description")
        _deployed(stack)

    return execute_change_set


def _validate_template(original):
    def validate_template(self, template):
        processed, _ = expand(template, self.region_name)
        return original(self, processed)

    return validate_template


def _resolve_update_parameters(original):
    """SAM updates a stack with UsePreviousValue for every parameter it does not
    override; moto looks those up only among the values given explicitly at
    creation, so a parameter that took its Default raises KeyError. AWS uses
    the value the stack resolved (the Default)."""

    def resolve_update_parameters(self, instance, incoming_params):
        given = instance.parameters if isinstance(instance.parameters, dict) else {}
        resolved = getattr(instance.resource_map, "resolved_parameters", {}) or {}
        fixed = []
        for parameter in incoming_params or []:
            key = parameter.get("ParameterKey")
            if parameter.get("UsePreviousValue") and key not in given:
                if key in resolved:
                    fixed.append({"ParameterKey": key, "ParameterValue": resolved[key]})
                continue  # not known at all: the template's Default applies
            fixed.append(parameter)
        return original(self, instance, fixed)

    return resolve_update_parameters


def install():
    backend = CloudFormationBackend
    patching.require(cfn_models, "Event")
    patching.require(cfn_models.OutputMap, "__init__", params=("resources", "template", "stack_id"))
    patching.require(cfn_models.Stack, "_add_stack_event", params=("resource_status", "resource_status_reason"))
    patching.require(cfn_models.Stack, "_parse_template")
    patching.require(cfn_models.Stack, "_create_output_map")
    patching.require(backend, "delete_stack", params=("name_or_stack_id",))
    patching.require(backend, "describe_change_set", params=("change_set_name",))
    patching.wrap(backend, "_resolve_update_parameters", _resolve_update_parameters, params=("instance", "incoming_params"))
    patching.wrap(backend, "create_stack", _create_stack, params=("name", "template", "parameters"))
    patching.wrap(backend, "update_stack", _update_stack, params=("name", "template", "role_arn", "parameters", "tags"))
    patching.wrap(cfn_responses.CloudFormationResponse, "_validate_status", _validate_status, params=("stack",))
    patching.wrap(backend, "create_change_set", _create_change_set, params=("stack_name", "change_set_name", "template", "parameters"))
    patching.wrap(backend, "execute_change_set", _execute_change_set, params=("change_set_name", "stack_name"))
    patching.wrap(backend, "validate_template", _validate_template, params=("template",))
