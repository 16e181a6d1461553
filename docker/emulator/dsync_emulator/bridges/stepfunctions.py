"""Step Functions bridge: a state machine gets the definition the template
gives, and its executions run.

- moto reads only DefinitionString: DefinitionS3Location (what the transform
  makes of DefinitionUri), an inline Definition and DefinitionSubstitutions
  were ignored, and the machine got an empty definition. StateMachineType
  was ignored too: an EXPRESS machine of a stack was STANDARD (DescribeStateMachine
  said so, and StartSyncExecution refused it).
- moto's StartExecution only records an execution (it stays RUNNING and no
  Task runs) unless its execution engine (moto.stepfunctions.parser, the ASL
  interpreter it took from LocalStack) is switched on. Switched on, the API
  reads another backend dict than the one CloudFormation writes to (the
  stack's machines were not there: StateMachineDoesNotExist), so both names
  are made one dict; and an execution without a name got the ARN
  "...:None" (the second one: ExecutionAlreadyExists), so it gets a UUID as
  AWS gives it; a result that is a string was answered as bare text
  (`small`, where AWS answers the JSON `"small"`). Lambda tasks call Invoke
  on this emulator, which runs the code (lambda_runner).
"""

import json
import uuid

from moto.cloudformation.models import Stack
from moto.core.config import default_user_config
from moto.stepfunctions import models as sfn
from moto.stepfunctions import responses as sfn_responses
from moto.stepfunctions.parser import models as engine
from moto.stepfunctions.parser.backend import execution as execution_module

from .. import patching
from .models import s3_text


def definition_string(props, account_id):
    """Set DefinitionString from whichever form of the definition the properties give, substitutions applied."""
    if "DefinitionString" in props:
        text = props["DefinitionString"]
    elif "DefinitionS3Location" in props:
        location = props["DefinitionS3Location"]
        text = json.dumps(Stack.parse_template(s3_text(account_id, location["Bucket"], location["Key"])))
    elif "Definition" in props:
        text = json.dumps(props["Definition"])
    else:
        return
    for key, value in (props.get("DefinitionSubstitutions") or {}).items():
        text = text.replace(f"${{{key}}}", str(value))
    props["DefinitionString"] = text


def _with_type(machine, props):
    machine.type = props.get("StateMachineType") or "STANDARD"
    return machine


def _create(inner, cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    props = cloudformation_json["Properties"]
    definition_string(props, account_id)
    return _with_type(inner(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs), props)


def _update(inner, cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    props = cloudformation_json.get("Properties", {})
    definition_string(props, account_id)
    machine = inner(
        cls,
        original_resource=original_resource,
        new_resource_name=new_resource_name,
        cloudformation_json=cloudformation_json,
        account_id=account_id,
        region_name=region_name,
    )
    # AWS replaces a machine whose type changes; moto updates it in place, which is the same to its callers.
    return _with_type(machine, props)


def _named(original):
    def start_execution(self, state_machine_arn, name=None, execution_input=None, trace_header=None):
        return original(self, state_machine_arn, name or str(uuid.uuid4()), execution_input, trace_header)

    return start_execution


def _output_as_json(original):
    def reflect(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        execution = self.execution
        # moto's DescribeExecution passes a str output through as JSON text: make every output JSON text.
        if execution.output is not None and not getattr(execution, "dsync_output_json", False):
            execution.output = json.dumps(execution.output, separators=(",", ":"))
            execution.dsync_output_json = True
        return result

    return reflect


def output_text(execution):
    """A finished execution's output as the JSON text AWS answers."""
    if getattr(execution, "dsync_output_json", False):
        return execution.output
    return json.dumps(execution.output, separators=(",", ":"))


def run_executions():
    """Switch moto's execution engine on, over the one backend dict CloudFormation and the API share."""
    patching.require(sfn_responses, "get_backend", params=("account", "region"))
    if "execute_state_machine" not in default_user_config.get("stepfunctions", {}):
        raise patching.PatchError("moto's config has no stepfunctions.execute_state_machine switch any more: Step Functions executions would not run")
    default_user_config["stepfunctions"]["execute_state_machine"] = True
    patching.replace(sfn, "stepfunctions_backends", patching.require(engine, "stepfunctions_parser_backends"))
    patching.wrap(
        engine.StepFunctionsParserBackend, "start_execution", _named, params=("state_machine_arn", "name", "execution_input", "trace_header")
    )
    patching.wrap(execution_module.BaseExecutionWorkerCommunication, "_reflect_execution_status", _output_as_json)


def install():
    run_executions()
    machine = sfn.StateMachine
    create_params = ("resource_name", "cloudformation_json", "account_id", "region_name")
    update_params = ("original_resource", "new_resource_name", "cloudformation_json", "account_id", "region_name")
    patching.wrap_classmethod(machine, "create_from_cloudformation_json", _create, params=create_params)
    patching.wrap_classmethod(machine, "update_from_cloudformation_json", _update, params=update_params)
