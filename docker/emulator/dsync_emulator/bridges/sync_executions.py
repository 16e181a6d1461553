"""StartSyncExecution: an Express machine's execution runs to its end, then
the call answers with its outcome, as AWS does.

moto 5.2.5's server has no StartSyncExecution (a 500: "The
start_sync_execution action has not been implemented"). Its execution engine
(moto.stepfunctions.parser, switched on in stepfunctions.py) has what runs a
program in the caller's thread (SyncExecution), but only the LocalStack
provider moto took it from calls it, and that provider is not usable in moto.
This module answers the action with it, with AWS's rules:

- only an EXPRESS machine (a STANDARD one: StateMachineTypeNotSupported);
- HTTP 200 whatever the outcome: status SUCCEEDED (with output), FAILED or
  TIMED_OUT (with error and cause);
- the execution ARN is an Express one (`...:express:<machine>:<name>:<id>`),
  so names need not be unique, and the execution is not kept: AWS's
  DescribeExecution, GetExecutionHistory and ListExecutions do not serve
  Express executions either.

The SDKs send this one action to the host `sync-<endpoint host>` (the
operation's hostPrefix in AWS's model), an IP address too: botocore unless
`inject_host_prefix=False` (or AWS_DISABLE_HOST_PREFIX_INJECTION=true), the
JavaScript SDK unless `disableHostPrefix: true`. Whatever the Host header, the
request reaches this handler (moto routes by the credential scope); the name
only has to resolve: in emulator mode dsync's container resolves
sync-localhost and sync-127.0.0.1 to itself (EMULATOR_HOST_ALIASES in
src/sam/target.ts).
"""

import copy
import datetime
import json
import math
import uuid

from moto.core.exceptions import AWSError
from moto.core.responses import ActionResult
from moto.stepfunctions import responses as sfn_responses
from moto.stepfunctions.exceptions import InvalidExecutionInput
from moto.stepfunctions.parser.api import StateMachineType
from moto.stepfunctions.parser.backend import execution as execution_module

from .. import patching
from .stepfunctions import output_text

# The parameters this module passes to moto's SyncExecution, by name.
_EXECUTION_PARAMS = (
    "name",
    "sm_type",
    "role_arn",
    "exec_arn",
    "account_id",
    "region_name",
    "state_machine",
    "start_date",
    "cloud_watch_logging_session",
    "activity_store",
    "input_data",
    "trace_header",
)

# Express executions are billed in 64 MB steps of memory and by duration rounded up to 100 ms;
# the emulator measures no memory, so it reports the first step.
BILLED_MEMORY_MB = 64
BILLING_STEP_MS = 100


class StateMachineTypeNotSupported(AWSError):
    TYPE = "StateMachineTypeNotSupported"


def express_arn(machine, name):
    """arn:aws:states:REGION:ACCOUNT:express:MACHINE:NAME:ID, the ARN AWS gives an Express execution."""
    prefix = machine.arn.split(":stateMachine:")[0]
    return f"{prefix}:express:{machine.name}:{name}:{uuid.uuid4()}"


def run_to_end(backend, machine_arn, name=None, execution_input=None, trace_header=None):
    """Run an execution of an Express machine in this thread; the finished execution."""
    machine = backend.describe_state_machine(machine_arn)
    if machine.type != StateMachineType.EXPRESS.value:
        raise StateMachineTypeNotSupported(f"This operation is not supported by this type of state machine: {machine.arn} is {machine.type}")
    text = "{}" if execution_input is None else execution_input
    try:
        json.loads(text)
    except ValueError as error:
        raise InvalidExecutionInput(f"Invalid State Machine Execution Input: '{error}'") from error
    name = name or str(uuid.uuid4())
    # A snapshot, as an update of the machine while it runs must not change this execution;
    # moto's model says STANDARD for every machine (its sm_type), the snapshot says what it is.
    snapshot = copy.copy(machine)
    snapshot.sm_type = StateMachineType.EXPRESS
    execution = execution_module.SyncExecution(
        name=name,
        sm_type=snapshot.sm_type,
        role_arn=machine.roleArn,
        exec_arn=express_arn(machine, name),
        account_id=backend.account_id,
        region_name=backend.region_name,
        state_machine=snapshot,
        start_date=datetime.datetime.now(tz=datetime.UTC),
        cloud_watch_logging_session=None,
        activity_store={},
        input_data=text,
        trace_header=trace_header,
    )
    execution.start()
    return execution


def billing(execution):
    elapsed_ms = (execution.stop_date - execution.start_date).total_seconds() * 1000
    steps = max(1, math.ceil(elapsed_ms / BILLING_STEP_MS))
    return {"billedMemoryUsedInMB": BILLED_MEMORY_MB, "billedDurationInMilliseconds": steps * BILLING_STEP_MS}


def answer(execution):
    """StartSyncExecution's answer for a finished execution."""
    status = execution.sync_execution_status.value
    out = {
        "executionArn": execution.exec_arn,
        "stateMachineArn": execution.state_machine.arn,
        "name": execution.name,
        "startDate": execution.start_date,
        "stopDate": execution.stop_date,
        "status": status,
        "input": execution.execution_input,
        "inputDetails": {"included": True},
        "billingDetails": billing(execution),
    }
    if status == "SUCCEEDED":
        out["output"] = output_text(execution)
        out["outputDetails"] = {"included": True}
    for key in ("error", "cause"):
        if getattr(execution, key) is not None:
            out[key] = getattr(execution, key)
    if execution.trace_header:
        out["traceHeader"] = execution.trace_header
    return out


def start_sync_execution(self):
    execution = run_to_end(
        self.stepfunction_backend,
        self._get_param("stateMachineArn"),
        name=self._get_param("name"),
        execution_input=self._get_param("input"),
        trace_header=self._get_param("traceHeader"),
    )
    return ActionResult(answer(execution))


def install():
    patching.require(execution_module.SyncExecution, "__init__", params=_EXECUTION_PARAMS)
    patching.require(execution_module.SyncExecution, "start")
    patching.require(sfn_responses.StepFunctionResponse, "stepfunction_backend")
    patching.add_action(sfn_responses.StepFunctionResponse, "stepfunctions", "StartSyncExecution", start_sync_execution)
