"""Does the emulator hold what was built? dsync asks this before it prints ✔.

For each resource named: a function's deployed code must equal, file by
file, its folder in SAM's build (.aws-sam/build/<LogicalId>); a layer's
newest version likewise; a state machine's definition must be the template's
(its DefinitionUri file, or its inline Definition), with every
${placeholder} of DefinitionSubstitutions, and every intrinsic, standing for
whatever value the stack gave it. Prints one line:
`DSYNC_VERIFY {"ok": bool, "checked": [...], "mismatches": [{"resource", "what"}]}`.

Runs in the long-lived SAM worker (`sam dsync-verify ...`) or on its own
(`python verify.py ...`), with the endpoint, region and credentials
of the SAM command environment.
"""

import argparse
import hashlib
import io
import json
import os
import re
import sys
import urllib.request
import zipfile

import boto3

BUILD_DIR = ".aws-sam/build"


def stack_resources(cfn, stack):
    """Logical id -> (type, physical id), nested stacks included (their ids prefixed with theirs)."""
    out = {}
    paginator = cfn.get_paginator("list_stack_resources")
    for page in paginator.paginate(StackName=stack):
        for r in page["StackResourceSummaries"]:
            out[r["LogicalResourceId"]] = (r["ResourceType"], r.get("PhysicalResourceId", ""))
    return out


def tree_hashes(root):
    files = {}
    for folder, _dirs, names in os.walk(root):
        for name in names:
            full = os.path.join(folder, name)
            if os.path.islink(full) and not os.path.exists(full):
                continue
            with open(full, "rb") as handle:
                files[os.path.relpath(full, root).replace(os.sep, "/")] = hashlib.sha256(handle.read()).hexdigest()
    return files


def zip_hashes(data):
    files = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if not info.is_dir():
                files[info.filename] = hashlib.sha256(archive.read(info)).hexdigest()
    return files


def compare(built, deployed):
    """What differs between two {path: hash} maps, in a few words."""
    missing = sorted(set(built) - set(deployed))
    extra = sorted(set(deployed) - set(built))
    changed = sorted(p for p in set(built) & set(deployed) if built[p] != deployed[p])
    parts = []
    if changed:
        parts.append("differs: " + ", ".join(changed[:5]) + (" ..." if len(changed) > 5 else ""))
    if missing:
        parts.append("not deployed: " + ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else ""))
    if extra:
        parts.append("deployed but not built: " + ", ".join(extra[:5]) + (" ..." if len(extra) > 5 else ""))
    return "; ".join(parts)


def fetch(endpoint, path):
    with urllib.request.urlopen(endpoint.rstrip("/") + path, timeout=10) as response:
        return response.read()


def like(expected, actual):
    """Whether a deployed definition value matches the template's, placeholders and intrinsics standing for anything."""
    if (
        isinstance(expected, dict)
        and len(expected) == 1
        and (next(iter(expected)) in ("Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::If", "Fn::Select", "Fn::FindInMap"))
    ):
        return True
    if isinstance(expected, dict):
        return isinstance(actual, dict) and set(expected) == set(actual) and all(like(expected[k], actual[k]) for k in expected)
    if isinstance(expected, list):
        return isinstance(actual, list) and len(expected) == len(actual) and all(like(e, a) for e, a in zip(expected, actual, strict=True))
    if isinstance(expected, str) and "${" in expected:
        pattern = "^" + re.sub(r"\\\$\\\{[^}]*\\\}", ".*", re.escape(expected)) + "$"
        return isinstance(actual, str) and re.match(pattern, actual, re.S) is not None
    return expected == actual


def template_definition(template, logical_id, template_dir):
    from samcli.yamlhelper import yaml_parse

    resource = template.get("Resources", {}).get(logical_id, {})
    props = resource.get("Properties", {})
    if "Definition" in props:
        return props["Definition"]
    uri = props.get("DefinitionUri")
    if isinstance(uri, str) and not uri.startswith("s3://"):
        with open(os.path.join(template_dir, uri), encoding="utf-8") as handle:
            return yaml_parse(handle.read())
    return None


def _find(resources, logical_id):
    """(type, physical id) of a resource of the stack, or None."""
    typed = resources.get(logical_id)
    if typed is None:
        # A layer version's logical id carries a hash of its content.
        pattern = re.escape(logical_id) + "[0-9a-f]{10}"
        matches = [k for k, v in resources.items() if v[0] == "AWS::Lambda::LayerVersion" and re.fullmatch(pattern, k)]
        typed = resources.get(matches[0]) if matches else None
    return typed


class Check:
    """The checks of one run: what the emulator holds against the build and the template."""

    def __init__(self, args, region, endpoint):
        self.args = args
        self.region = region
        self.endpoint = endpoint
        self.template = None
        self.mismatches = []

    def same_as_build(self, logical_id, path, label):
        """The deployed zip at `path` against the build folder, file by file (code without a build folder is not checked)."""
        build = os.path.join(self.args.build_dir or BUILD_DIR, logical_id)
        if not os.path.isdir(build):
            return
        diff = compare(tree_hashes(build), zip_hashes(fetch(self.endpoint, path)))
        if diff:
            self.mismatches.append({"resource": logical_id, "what": f"{label} {diff}"})

    def function(self, logical_id, physical):
        region = self.region
        self.same_as_build(logical_id, f"/_dsync/lambda/{region}/{physical}/code", "deployed code")
        # AutoPublishAlias: what callers reach is the version behind the alias, which
        # `sam sync --code` publishes and moves; it must hold the build too.
        aliases = boto3.client("lambda", region_name=region).list_aliases(FunctionName=physical).get("Aliases", [])
        for alias in aliases:
            label = f"the code behind alias {alias['Name']} (version {alias.get('FunctionVersion')})"
            self.same_as_build(logical_id, f"/_dsync/lambda/{region}/{physical}/{alias['Name']}/code", label)

    def layer(self, logical_id, physical):
        # `sam sync --code` publishes a new version outside the stack (and deletes the old
        # one): the newest version of the layer is what functions now use.
        name = physical.split(":")[6]
        versions = boto3.client("lambda", region_name=self.region).list_layer_versions(LayerName=name).get("LayerVersions", [])
        version = max((v["Version"] for v in versions), default=physical.split(":")[7])
        self.same_as_build(logical_id, f"/_dsync/lambda/{self.region}/layers/{name}/{version}/code", f"layer version {version}")

    def state_machine(self, logical_id, physical):
        if self.template is None:
            from samcli.yamlhelper import yaml_parse

            with open(self.args.template, encoding="utf-8") as handle:
                self.template = yaml_parse(handle.read())
        expected = template_definition(self.template, logical_id, os.path.dirname(os.path.abspath(self.args.template)))
        client = boto3.client("stepfunctions", region_name=self.region)
        actual_text = client.describe_state_machine(stateMachineArn=physical).get("definition", "")
        if not actual_text.strip():
            self.mismatches.append({"resource": logical_id, "what": "the deployed definition is empty"})
        elif expected is not None and not like(expected, json.loads(actual_text)):
            self.mismatches.append({"resource": logical_id, "what": "the deployed definition is not the template's"})


KINDS = {
    "AWS::Lambda::Function": ("function", Check.function),
    "AWS::Lambda::LayerVersion": ("layer", Check.layer),
    "AWS::StepFunctions::StateMachine": ("state machine", Check.state_machine),
}


def verify(args):
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    check = Check(args, region, os.environ.get("AWS_ENDPOINT_URL", ""))
    resources = stack_resources(boto3.client("cloudformation", region_name=region), args.stack)
    checked = []
    for logical_id in args.resources:
        typed = _find(resources, logical_id)
        if typed is None:
            check.mismatches.append({"resource": logical_id, "what": "is not in the stack"})
            continue
        resource_type, physical = typed
        kind, run = KINDS.get(resource_type, (None, None))
        if run is not None:
            run(check, logical_id, physical)
        checked.append({"resource": logical_id, "kind": kind or resource_type})
    return {"ok": not check.mismatches, "checked": checked, "mismatches": check.mismatches}


def main(argv):
    parser = argparse.ArgumentParser(prog="dsync-verify")
    parser.add_argument("--stack", required=True)
    parser.add_argument("--template", required=True)
    parser.add_argument("--build-dir", help="compare with this folder instead of SAM's build (dsync's npm shortcut keeps its own)")
    parser.add_argument("resources", nargs="*")
    args = parser.parse_args(argv)
    try:
        result = verify(args)
    except Exception as error:  # noqa: BLE001 - a check that cannot run says so, it does not crash the worker
        result = {
            "ok": False,
            "checked": [],
            "mismatches": [{"resource": args.stack, "what": f"could not be checked: {type(error).__name__}: {error}"}],
        }
    print("DSYNC_VERIFY " + json.dumps(result), flush=True)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
