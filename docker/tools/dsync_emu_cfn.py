"""dsync's emulator, CloudFormation: what AWS does server-side and moto does not.

- The SAM transform. CloudFormation expands `Transform: AWS::Serverless-2016-10-31`
  itself when a template arrives through CreateStack, UpdateStack,
  CreateChangeSet, ValidateTemplate or GetTemplateSummary; moto skips
  AWS::Serverless::* resources. Here the template is expanded with the same
  aws-sam-translator that SAM CLI pins, before moto sees it, so the
  unmodified real-AWS flow of `sam sync` and `sam deploy` works.
- GetTemplate answers TemplateStage=Original with the template as sent, and
  Processed with the expanded one (SAM compares the original to decide
  whether an infrastructure sync can be skipped).
- TemplateURL: moto reads it path-style only for hosts named localhost; the
  emulator reads any non-AWS host path-style from its own S3.
- A resource that fails inside CreateStack/UpdateStack/ExecuteChangeSet makes
  moto answer HTTP 500 and leaves the stack unreadable. Instead the stack
  fails as CloudFormation's would (a *_FAILED event with the reason, a
  ROLLBACK status), and the failure is recorded (dsync_emu_gaps).
"""
import copy
import json
import logging
import urllib.parse

import boto3
from moto.cloudformation import models as cfn_models
from moto.cloudformation import responses as cfn_responses
from moto.cloudformation.models import CloudFormationBackend, Stack
from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

import dsync_emu_gaps

LOG = logging.getLogger("dsync.emulator")
SAM_TRANSFORM = "AWS::Serverless-2016-10-31"


class TemplateError(cfn_models.ValidationError):
    """An invalid SAM template: CloudFormation answers 400 with the translator's reasons."""


def declares_sam(template):
    transform = template.get("Transform") if isinstance(template, dict) else None
    return SAM_TRANSFORM in (transform if isinstance(transform, list) else [transform])


def read_s3_url(url, account_id, partition="aws"):
    """A TemplateURL's body, from the emulator's own S3 (path-style for any host but *.amazonaws.com)."""
    from moto.s3.models import s3_backends

    parsed = urllib.parse.urlparse(url)
    host, path = parsed.netloc.split(":")[0], parsed.path.lstrip("/")
    if host.endswith("amazonaws.com") and not host.startswith("s3"):
        bucket, key = host.split(".s3")[0], path
    else:
        bucket, _, key = path.partition("/")
    return s3_backends[account_id][partition].get_object(bucket, urllib.parse.unquote(key)).value.decode("utf-8")


def expand(body, region, parameters=None):
    """(processed body, original body or None when there was nothing to expand)."""
    if body is None or isinstance(body, dict):
        return body, None
    template = Stack.parse_template(body)
    if not declares_sam(template):
        return body, None
    for logical_id, resource in (template.get("Resources") or {}).items():
        if resource.get("Type") == "AWS::Serverless::Application" and isinstance((resource.get("Properties") or {}).get("Location"), dict):
            raise TemplateError(
                f"{logical_id} (AWS::Serverless::Application) comes from the Serverless Application Repository, "
                "which the emulator cannot reach: deploy it to AWS, or use a local template as its Location"
            )
    session = boto3.Session(region_name=region, aws_access_key_id="emulator", aws_secret_access_key="emulator")
    translator = Translator(None, Parser(), boto_session=session)
    try:
        processed = translator.translate(
            copy.deepcopy(template),
            parameter_values=dict(parameters or {}),
            # The translator's bundled policy map: no IAM calls.
            get_managed_policy_map=lambda: {},
        )
    except InvalidDocumentException as error:
        causes = "; ".join(str(c) for c in getattr(error, "causes", [])) or str(error)
        raise TemplateError(f"Transform {SAM_TRANSFORM} failed with: {causes}")
    return json.dumps(processed), body


def parameter_values(parameters):
    if isinstance(parameters, dict):
        return parameters
    return {p["ParameterKey"]: p.get("ParameterValue") for p in parameters or [] if "ParameterValue" in p}


def fail_stack(stack, operation, error):
    """Leave `stack` as CloudFormation leaves a failed one: the resource's *_FAILED event with the reason, rolled back."""
    resource_map = stack.resource_map
    resource_map._resource_json_map = {k: v for k, v in resource_map._resource_json_map.items() if k in resource_map._parsed_resources}
    stack.output_map = cfn_models.OutputMap(resource_map, {}, stack.stack_id)
    LOG.error("stack %s: %s failed", stack.name, operation.lower(), exc_info=error)
    failed = dsync_emu_gaps.last_failure() or dsync_emu_gaps.stack_failure(stack.name, error)
    reason = f"{type(error).__name__}: {error}"
    if failed:
        event = cfn_models.Event(
            stack_id=stack.stack_id,
            stack_name=stack.name,
            logical_resource_id=failed["logicalId"],
            physical_resource_id="",
            resource_type=failed["type"],
            resource_status=f"{operation}_FAILED",
            resource_status_reason=f"the emulator (moto) could not {operation.lower()} it: {failed['error']} at {failed['where']} (an emulator gap, not your template)",
            resource_properties=None,
        )
        stack.events.append(event)
    stack._add_stack_event(f"{operation}_FAILED", resource_status_reason=reason)
    stack.status = "ROLLBACK_COMPLETE" if operation == "CREATE" else "UPDATE_ROLLBACK_COMPLETE"
    stack._add_stack_event(stack.status)


def install():
    original = {
        "create_stack": CloudFormationBackend.create_stack,
        "update_stack": CloudFormationBackend.update_stack,
        "create_change_set": CloudFormationBackend.create_change_set,
        "execute_change_set": CloudFormationBackend.execute_change_set,
        "validate_template": CloudFormationBackend.validate_template,
    }

    cfn_responses.get_stack_from_s3_url = read_s3_url
    cfn_models.get_stack_from_s3_url = read_s3_url

    def create_stack(self, name, template, parameters, *args, **kwargs):
        processed, source = expand(template, self.region_name, parameter_values(parameters))
        dsync_emu_gaps.begin(name)
        try:
            stack = original["create_stack"](self, name, processed, parameters, *args, **kwargs)
        except cfn_models.ValidationError:
            raise
        except Exception as error:  # noqa: BLE001 - any resource failure: fail the stack, as CloudFormation does
            stack = next((s for s in self.stacks.values() if s.name == name), None)
            if stack is None:
                raise
            fail_stack(stack, "CREATE", error)
        stack.original_template = source or template
        return stack

    def update_stack(self, name, template, role_arn, parameters, tags):
        existing = self.get_stack(name)
        if existing.status == "ROLLBACK_COMPLETE":
            # A stack whose creation failed cannot be updated; on AWS it must be deleted first.
            # The emulator is disposable, so it does that itself and creates the stack again.
            previous = existing.parameters if isinstance(existing.parameters, dict) else {}
            values = {
                p["ParameterKey"]: previous.get(p["ParameterKey"]) if p.get("UsePreviousValue") else p.get("ParameterValue")
                for p in parameters or []
            }
            self.delete_stack(name)
            return create_stack(self, name, template, values, tags=tags, role_arn=role_arn)
        processed, source = expand(template, self.region_name, parameter_values(parameters))
        dsync_emu_gaps.begin(name)
        try:
            stack = original["update_stack"](self, name, processed, role_arn, parameters, tags)
        except cfn_models.ValidationError:
            raise
        except Exception as error:  # noqa: BLE001
            stack = self.get_stack(name)
            fail_stack(stack, "UPDATE", error)
        stack.original_template = source or template
        return stack

    def create_change_set(self, stack_name, change_set_name, template, parameters, *args, **kwargs):
        processed, source = expand(template, self.region_name, parameter_values(parameters))
        change_set_id, stack_id = original["create_change_set"](self, stack_name, change_set_name, processed, parameters, *args, **kwargs)
        self.change_sets[change_set_id].original_template = source or template
        return change_set_id, stack_id

    def execute_change_set(self, change_set_name, stack_name=None):
        change_set = self.describe_change_set(change_set_name)
        dsync_emu_gaps.begin(stack_name or change_set.stack_name)
        try:
            original["execute_change_set"](self, change_set_name, stack_name)
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

    def validate_template(self, template):
        processed, _ = expand(template, self.region_name)
        return original["validate_template"](self, processed)

    # SAM updates a stack with UsePreviousValue for every parameter it does not
    # override; moto looks those up only among the values given explicitly at
    # creation, so a parameter that took its Default raises KeyError. AWS uses
    # the value the stack resolved (the Default).
    original_resolve = CloudFormationBackend._resolve_update_parameters

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
        return original_resolve(self, instance, fixed)

    CloudFormationBackend._resolve_update_parameters = resolve_update_parameters
    CloudFormationBackend.create_stack = create_stack
    CloudFormationBackend.update_stack = update_stack
    CloudFormationBackend.create_change_set = create_change_set
    CloudFormationBackend.execute_change_set = execute_change_set
    CloudFormationBackend.validate_template = validate_template

    responses = cfn_responses.CloudFormationResponse
    original_summary = responses.get_template_summary

    def get_template(self):
        stage = self._get_param("TemplateStage") or "Original"
        stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
        body = stack.template if stage == "Processed" else getattr(stack, "original_template", stack.template)
        return cfn_responses.ActionResult({"TemplateBody": body, "StagesAvailable": ["Original", "Processed"]})

    def get_template_summary(self):
        body = self._get_param("TemplateBody")
        url = self._get_param("TemplateURL")
        if self._get_param("StackName") or not (body or url):
            return original_summary(self)
        if url:
            body = read_s3_url(url, self.current_account)
        summary = cfn_responses.get_template_summary_response_from_template(body)
        if declares_sam(Stack.parse_template(body)):
            summary["DeclaredTransforms"] = [SAM_TRANSFORM]
        return cfn_responses.ActionResult(summary)

    responses.get_template = get_template
    responses.get_template_summary = get_template_summary
