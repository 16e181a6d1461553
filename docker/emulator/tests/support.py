"""What the emulator's tests share: paths, names, and a few steps of a deploy."""

import io
import json
import os
import socket
import sys
import zipfile
from pathlib import Path

import boto3

EMULATOR_DIR = Path(__file__).resolve().parent.parent
DOCKER_DIR = EMULATOR_DIR.parent
if str(EMULATOR_DIR) not in sys.path:
    sys.path.insert(0, str(EMULATOR_DIR))

REGION = "us-east-1"
BUCKET = "dsync-artifacts"

for _name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
    os.environ.pop(_name, None)
os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION=REGION, AWS_REGION=REGION)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Emulator:
    """The running emulator: its address, its API ports, and boto3 clients for it."""

    def __init__(self, port, api_ports):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.api_ports = api_ports

    def client(self, service):
        return boto3.client(service, endpoint_url=self.url, region_name=REGION)


def make_zip(files, executable=("bootstrap",)):
    """A zip of {path: text}; the paths in `executable` are mode 755."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, text in files.items():
            info = zipfile.ZipInfo(path)
            info.external_attr = (0o755 if path in executable else 0o644) << 16
            archive.writestr(info, text)
    return buffer.getvalue()


def upload(s3, key, data):
    s3.put_object(Bucket=BUCKET, Key=key, Body=data)
    return f"s3://{BUCKET}/{key}"


CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]


def deploy(cfn, stack, template, parameters=None):
    """CreateStack with a template (a dict, sent as JSON); the stack's description."""
    params = [{"ParameterKey": k, "ParameterValue": v} for k, v in (parameters or {}).items()]
    cfn.create_stack(StackName=stack, TemplateBody=json.dumps(template), Parameters=params, Capabilities=CAPABILITIES)
    return cfn.describe_stacks(StackName=stack)["Stacks"][0]


def update(cfn, stack, template, parameters=None):
    """UpdateStack with a template (a dict) and parameters as the API takes them; the stack's description."""
    cfn.update_stack(StackName=stack, TemplateBody=json.dumps(template), Parameters=parameters or [], Capabilities=CAPABILITIES)
    return cfn.describe_stacks(StackName=stack)["Stacks"][0]


def resources(cfn, stack):
    """Logical id -> (type, physical id)."""
    found = cfn.describe_stack_resources(StackName=stack)["StackResources"]
    return {r["LogicalResourceId"]: (r["ResourceType"], r.get("PhysicalResourceId")) for r in found}


def outputs(cfn, stack):
    described = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}


def sam_function(code_uri, runtime="nodejs20.x", **properties):
    """An AWS::Serverless::Function running index.handler."""
    return {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": code_uri, "Handler": "index.handler", "Runtime": runtime, **properties}}


def sam_template(resources_, outputs_=None, **extra):
    template = {"AWSTemplateFormatVersion": "2010-09-09", "Transform": "AWS::Serverless-2016-10-31", "Resources": resources_, **extra}
    if outputs_:
        template["Outputs"] = outputs_
    return template


# A Node.js handler that echoes what routing gave it, fails or sleeps when asked.
HANDLER = """
exports.handler = async (event, context) => {
  console.log('got', JSON.stringify(event));
  if (event && event.fail) throw new Error('asked to fail');
  if (event && event.sleep) await new Promise((r) => setTimeout(r, event.sleep));
  const body = { path: event.path || event.rawPath || null, params: event.pathParameters || null, echo: event.echo || null, version: event.version || null };
  return { statusCode: 200, headers: { 'x-fn': context.functionName }, body: JSON.stringify(body) };
};
"""


# A Node.js handler that logs the event it got, so a test can read what a trigger delivered.
EVENT_LOGGER = "exports.handler = async (event) => { console.log('EVENT ' + JSON.stringify(event)); return 'ok'; };"


def logged_events(emulator, function, count=1, timeout=15):
    """The events EVENT_LOGGER logged in `function`'s log group, once there are `count` (or at the timeout)."""
    import time

    logs = emulator.client("logs")
    deadline = time.monotonic() + timeout
    found = []
    while time.monotonic() < deadline:
        try:
            messages = [e["message"] for e in logs.filter_log_events(logGroupName=f"/aws/lambda/{function}")["events"]]
        except logs.exceptions.ResourceNotFoundException:
            messages = []
        found = [json.loads(m.split("EVENT ", 1)[1]) for m in messages if "EVENT " in m]
        if len(found) >= count:
            break
        time.sleep(0.1)
    return found
