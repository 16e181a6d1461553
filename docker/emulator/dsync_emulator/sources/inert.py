"""Triggers a deployed stack has that the emulator does not run, found when
a stack operation ends and recorded once each as a gap of kind "inert"
(gaps.py), which dsync says once at deploy: the rest of the app still runs.

What runs is in this package and in eventbridge/; this list is what does
not: Kafka, MQ and DocumentDB mappings, rule and schedule targets of other
services than Lambda, SQS, SNS, Step Functions, CloudWatch Logs and event
buses, and Cognito user pool triggers. (Types moto has no model of, IoT
rules and EventBridge Pipes among them, are stand-ins, said as such.)
"""

from .. import gaps

RUNNABLE_SOURCES = {"sqs", "dynamodb", "kinesis"}
SERVICE_OF = {
    "AWS::Lambda::Function": "lambda",
    "AWS::Lambda::Alias": "lambda",
    "AWS::Lambda::Version": "lambda",
    "AWS::SQS::Queue": "sqs",
    "AWS::SNS::Topic": "sns",
    "AWS::StepFunctions::StateMachine": "states",
    "AWS::Logs::LogGroup": "logs",
    "AWS::Events::EventBus": "events",
    "AWS::DynamoDB::Table": "dynamodb",
    "AWS::Kinesis::Stream": "kinesis",
    "AWS::Kinesis::StreamConsumer": "kinesis",
}
DELIVERED = {"lambda", "sqs", "sns", "states", "logs", "events"}


def _service(value, types):
    """The AWS service an ARN, a Ref or a GetAtt in the template names; None when it cannot be told."""
    if isinstance(value, str):
        return value.split(":")[2] if value.startswith("arn:") and value.count(":") >= 5 else None
    if isinstance(value, dict):
        ref = value.get("Ref") or (value.get("Fn::GetAtt") or [None])[0]
        if isinstance(value.get("Fn::GetAtt"), str):
            ref = value["Fn::GetAtt"].split(".")[0]
        kind = types.get(ref)
        return SERVICE_OF.get(kind, kind) if kind else None
    return None


def _mapping(props, types):
    if any(k in props for k in ("SelfManagedEventSource", "Topics", "Queues", "DocumentDBEventSourceConfig", "AmazonManagedKafkaEventSourceConfig")):
        return "Kafka, Amazon MQ and DocumentDB sources are not emulated: its function never runs from it"
    service = _service(props.get("EventSourceArn"), types)
    if service and service not in RUNNABLE_SOURCES:
        return f"{service} event sources are not emulated: its function never runs from it"
    return None


def _targets(targets, types):
    missing = []
    for target in targets:
        service = _service(target.get("Arn"), types)
        if service and service not in DELIVERED:
            missing.append(f"{target.get('Id') or 'a target'} ({service})")
    return f"the emulator delivers nothing to {', '.join(missing)}" if missing else None


def _why(resource_type, props, types):
    if resource_type == "AWS::Lambda::EventSourceMapping":
        return _mapping(props, types)
    if resource_type == "AWS::Events::Rule":
        return _targets(props.get("Targets") or [], types)
    if resource_type == "AWS::Scheduler::Schedule":
        return _targets([props.get("Target") or {}], types)
    if resource_type == "AWS::Cognito::UserPool" and props.get("LambdaConfig"):
        return "Cognito user pool triggers are not run (its other settings are)"
    return None


def check(stack):
    """Record what the stack deploys but the emulator does not run."""
    resources = (getattr(stack, "template_dict", None) or {}).get("Resources") or {}
    types = {logical: r.get("Type") for logical, r in resources.items() if isinstance(r, dict)}
    # A resource moto could not make already has its one line (a stand-in, which does nothing).
    stood_in = {g["logicalId"] for g in gaps.gaps() if g["stack"] == stack.name and g["kind"] != "inert"}
    for logical, resource in resources.items():
        if not isinstance(resource, dict) or logical in stood_in:
            continue
        why = _why(resource.get("Type"), resource.get("Properties") or {}, types)
        if why:
            gaps.inert(stack.name, logical, resource.get("Type"), why)
