"""Deploy a packaged SAM template to an AWS emulator that has no SAM transform.

dsync copies this file into the project's container and runs it with the
Python that runs `sam`, so aws-sam-translator and boto3 come from the SAM CLI
itself. moto skips AWS::Serverless::* resources, so the template is turned
into plain CloudFormation here and the stack is created or updated from that.
The last line printed is `DSYNC_RESULT <json>` for dsync to parse.
"""
import argparse
import json
import re
import sys
import time

import boto3
from botocore.exceptions import ClientError
from samcli.yamlhelper import yaml_parse
from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.translator.managed_policy_translator import ManagedPolicyLoader
from samtranslator.translator.transform import transform

# Real CloudFormation refuses inline bodies above this size; stay within it.
MAX_BODY = 51200


def result(**fields):
    print("DSYNC_RESULT " + json.dumps(fields), flush=True)


def parse_overrides(items):
    values = {}
    for item in items:
        key, sep, value = item.partition("=")
        if sep:
            values[key.strip()] = value.strip().strip('"').strip("'")
    return values


def translate(packaged_path, overrides):
    with open(packaged_path, encoding="utf-8") as handle:
        template = yaml_parse(handle.read())
    if "Transform" not in template:
        return template
    iam = boto3.client("iam")
    return transform(template, overrides, ManagedPolicyLoader(iam))


def resolve_text(value, names):
    """A string property's value, resolving Ref and simple Fn::Sub; None if it needs the stack."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Ref" in value:
        return names.get(value["Ref"])
    if isinstance(value, dict) and "Fn::Sub" in value:
        text, extra = (value["Fn::Sub"], {}) if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"]
        lookup = {**names, **{k: resolve_text(v, names) for k, v in extra.items()}}
        out = re.sub(r"\$\{([^}!]+)\}", lambda m: str(lookup.get(m.group(1), m.group(0))), text)
        return None if "${" in out else out
    return None


def publish_layers(plain, stack_name, overrides):
    """Publish each AWS::Lambda::LayerVersion directly and replace its Refs by the ARN.

    moto's stacks give layer versions no physical id and fail to update a
    function whose Layers hold a Ref to one, so in the emulator dsync makes
    the layer versions itself, as CloudFormation would on a content change.
    """
    resources = plain.get("Resources", {})
    session = boto3.session.Session()
    names = {
        "AWS::StackName": stack_name,
        "AWS::Region": session.region_name,
        "AWS::AccountId": "123456789012",
        "AWS::Partition": "aws",
    }
    for key, spec in plain.get("Parameters", {}).items():
        names[key] = overrides.get(key, spec.get("Default"))
    lam = boto3.client("lambda")
    published = {}
    for logical_id, resource in list(resources.items()):
        if resource.get("Type") != "AWS::Lambda::LayerVersion":
            continue
        props = resource.get("Properties", {})
        content = props.get("Content", {})
        name = resolve_text(props.get("LayerName"), names) or f"{stack_name}-{logical_id}"
        kwargs = dict(LayerName=name, Content={"S3Bucket": content.get("S3Bucket"), "S3Key": content.get("S3Key")})
        for prop in ("Description", "CompatibleRuntimes", "CompatibleArchitectures", "LicenseInfo"):
            if prop in props:
                kwargs[prop] = props[prop]
        version = lam.publish_layer_version(**kwargs)
        published[logical_id] = {"name": name, "arn": version["LayerVersionArn"], "version": version["Version"]}
        del resources[logical_id]

    def replace(node):
        if isinstance(node, dict):
            if set(node) == {"Ref"} and node["Ref"] in published:
                return published[node["Ref"]]["arn"]
            return {k: replace(v) for k, v in node.items()}
        if isinstance(node, list):
            return [replace(v) for v in node]
        return node

    plain["Resources"] = replace(resources)
    plain["Outputs"] = replace(plain.get("Outputs", {}))
    return published


def sync_function_layers(plain, cfn, stack_name):
    """moto creates functions from a stack without their Layers; set them as CloudFormation would."""
    lam = boto3.client("lambda")
    physical = {
        r["LogicalResourceId"]: r.get("PhysicalResourceId")
        for r in cfn.describe_stack_resources(StackName=stack_name)["StackResources"]
        if "LogicalResourceId" in r
    }
    for logical_id, resource in plain.get("Resources", {}).items():
        if resource.get("Type") != "AWS::Lambda::Function" or not physical.get(logical_id):
            continue
        wanted = [l for l in resource.get("Properties", {}).get("Layers", []) if isinstance(l, str)]
        current = [l["Arn"] for l in lam.get_function_configuration(FunctionName=physical[logical_id]).get("Layers", [])]
        if wanted != current:
            lam.update_function_configuration(FunctionName=physical[logical_id], Layers=wanted)


def stack_status(cfn, name):
    try:
        stacks = cfn.describe_stacks(StackName=name)["Stacks"]
    except ClientError as error:
        if "does not exist" in str(error):
            return None
        raise
    return stacks[0]["StackStatus"] if stacks else None


def failure_reasons(cfn, name):
    reasons = []
    try:
        for event in cfn.describe_stack_events(StackName=name)["StackEvents"][:20]:
            if event.get("ResourceStatus", "").endswith("FAILED") and event.get("ResourceStatusReason"):
                reasons.append(f"{event['LogicalResourceId']}: {event['ResourceStatusReason']}")
    except ClientError:
        pass
    return reasons


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--template")
    parser.add_argument("--ensure-bucket-only", action="store_true")
    parser.add_argument("--stack-name", required=True)
    parser.add_argument("--bucket", required=True)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--parameter-overrides", nargs="*", default=[])
    parser.add_argument("--capabilities", nargs="*", default=[])
    parser.add_argument("--tags", nargs="*", default=[])
    args = parser.parse_args()

    overrides = parse_overrides(args.parameter_overrides)
    s3 = boto3.client("s3")
    try:
        s3.head_bucket(Bucket=args.bucket)
    except ClientError:
        s3.create_bucket(Bucket=args.bucket)
    if args.ensure_bucket_only:
        return 0
    try:
        plain = translate(args.template, dict(overrides))
    except InvalidDocumentException as error:
        causes = "; ".join(str(cause) for cause in getattr(error, "causes", [])) or str(error)
        result(ok=False, stage="translate", message=f"the SAM template is invalid: {causes}")
        return 1

    layers = publish_layers(plain, args.stack_name, overrides)
    cfn = boto3.client("cloudformation")
    body = json.dumps(plain)
    source = {"TemplateBody": body}
    if len(body) > MAX_BODY:
        key = f"dsync/{args.stack_name}/template-{int(time.time() * 1000)}.json"
        boto3.client("s3").put_object(Bucket=args.bucket, Key=key, Body=body.encode("utf-8"))
        # moto reads TemplateURL path-style only when the host name contains "localhost".
        source = {"TemplateURL": f"{args.endpoint.rstrip('/')}/{args.bucket}/{key}"}

    declared = plain.get("Parameters", {})
    parameters = [{"ParameterKey": k, "ParameterValue": v} for k, v in overrides.items() if k in declared]
    tags = [dict(zip(("Key", "Value"), t.split("=", 1))) for t in args.tags if "=" in t]
    common = dict(StackName=args.stack_name, Parameters=parameters, Capabilities=args.capabilities, Tags=tags, **source)

    status = stack_status(cfn, args.stack_name)
    if status in ("ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "DELETE_FAILED"):
        cfn.delete_stack(StackName=args.stack_name)
        status = None
    action = "create" if status is None else "update"
    try:
        if action == "create":
            cfn.create_stack(**common)
        else:
            cfn.update_stack(**common)
    except ClientError as error:
        text = str(error)
        if "No updates are to be performed" in text:
            action = "unchanged"
        else:
            result(ok=False, stage=action, message=text)
            return 1

    deadline = time.time() + 300
    status = stack_status(cfn, args.stack_name)
    while status and status.endswith("_IN_PROGRESS") and time.time() < deadline:
        time.sleep(0.2)
        status = stack_status(cfn, args.stack_name)
    if status is None or "FAILED" in status or "ROLLBACK" in status:
        result(ok=False, stage=action, status=status, message="; ".join(failure_reasons(cfn, args.stack_name)) or f"stack is {status}")
        return 1

    sync_function_layers(plain, cfn, args.stack_name)
    resources = [
        {"logicalId": r["LogicalResourceId"], "physicalId": r.get("PhysicalResourceId"), "type": r["ResourceType"]}
        for r in cfn.describe_stack_resources(StackName=args.stack_name)["StackResources"]
        if "LogicalResourceId" in r
    ]
    result(ok=True, action=action, status=status, resources=resources, layers=layers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
