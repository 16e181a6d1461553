"""The npm shortcut: snapshot, drop, and patch of the last artifact, with
every case it cannot decide falling back to SAM."""

import io
import json
import os
import zipfile

import boto3
import pytest
from moto import mock_aws

import npm_patch


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def last_line(capsys):
    return capsys.readouterr().out.strip().splitlines()[-1]


@pytest.fixture
def built(project):
    """SAM built function Fn from src/ (index.js, lib/util.js) and dsync took its snapshot."""
    write(project / "src" / "index.js", "v1")
    write(project / "src" / "lib" / "util.js", "u1")
    write(project / "src" / "package.json", json.dumps({"name": "fn", "scripts": {"test": "x"}}))
    write(project / ".aws-sam" / "build" / "Fn" / "index.js", "v1")
    write(project / ".aws-sam" / "build" / "Fn" / "lib" / "util.js", "u1")
    write(project / ".aws-sam" / "build" / "Fn" / "node_modules" / "dep" / "index.js", "dep")
    assert npm_patch.main(["snapshot", "Fn", "Gone"]) == 0
    return project


def test_snapshot_keeps_hard_links_of_the_build(built, capsys):
    assert npm_patch.main(["snapshot", "Fn", "Gone"]) == 0  # again: a second snapshot replaces the first
    copy = built / ".aws-sam" / "dsync-artifacts" / "Fn" / "index.js"
    assert os.stat(copy).st_ino == os.stat(built / ".aws-sam" / "build" / "Fn" / "index.js").st_ino
    assert not (built / ".aws-sam" / "dsync-artifacts" / "Gone").exists()
    assert last_line(capsys) == 'DSYNC_PATCH {"ok": true}'


def test_drop_forgets_artifacts(built, capsys):
    assert npm_patch.main(["drop", "Fn"]) == 0
    assert not (built / ".aws-sam" / "dsync-artifacts" / "Fn").exists()
    assert last_line(capsys) == 'DSYNC_PATCH {"ok": true}'


def test_the_patch_arguments():
    args = npm_patch.parse_patch_args(["--stack", "S", "--function", "Fn", "--code-dir", "src", "--changed", "a.js", "--b.js"])
    assert args == {"stack": "S", "function": "Fn", "code_dir": "src", "changed": ["a.js", "--b.js"]}


@pytest.mark.parametrize(
    ("setup", "changed", "why"),
    [
        (lambda p: None, ["new.js"], "new.js is new: whether SAM's builder includes it is SAM's to decide"),
        (lambda p: None, ["../outside.js"], "../outside.js is not inside src"),
        (lambda p: None, ["lib"], "lib is a folder or a link"),
        (
            lambda p: write(p / "src" / "package.json", '{"scripts": {"prepare": "tsc"}}'),
            ["index.js"],
            "package.json has prepare scripts, which npm pack runs",
        ),
    ],
)
def test_what_it_cannot_decide_falls_back(built, capsys, setup, changed, why):
    write(built / "src" / "new.js", "new")
    setup(built)
    assert npm_patch.main(["patch", "--stack", "S", "--function", "Fn", "--code-dir", "src", "--changed", *changed]) == 0
    assert json.loads(last_line(capsys).removeprefix("DSYNC_PATCH ")) == {"fallback": why}


def test_no_artifact_falls_back(project, capsys):
    npm_patch.main(["patch", "--stack", "S", "--function", "Fn", "--code-dir", ".", "--changed", "a.js"])
    assert last_line(capsys) == 'DSYNC_PATCH {"fallback": "no earlier artifact of Fn"}'


def test_usage():
    assert npm_patch.main(["nothing"]) == 2


@mock_aws
def test_patch_updates_the_function_code(built, capsys):
    function = deploy_function()
    write(built / ".aws-sam" / "sync.toml", '[resource_sync_states."Fn:Fn"]\nhash = "1"\n\n[resource_sync_states."Other"]\nhash = "2"\n')
    write(built / "src" / "index.js", "v2")
    os.unlink(built / "src" / "lib" / "util.js")
    assert npm_patch.main(["patch", "--stack", "S", "--function", "Fn", "--code-dir", "src", "--changed", "index.js", "lib/util.js"]) == 0
    out = capsys.readouterr().out
    assert " Running DsyncPatch:CopySource (2 file(s) into the last artifact" in out
    assert out.strip().endswith('Finished syncing Lambda Function Fn.\nDSYNC_PATCH {"ok": true}')
    from moto.awslambda.models import lambda_backends

    deployed = zipfile.ZipFile(io.BytesIO(lambda_backends["123456789012"]["us-east-1"].get_function(function).code_bytes))
    assert sorted(deployed.namelist()) == ["index.js", "node_modules/dep/index.js"]
    assert deployed.read("index.js") == b"v2"
    assert (built / ".aws-sam" / "build" / "Fn" / "index.js").read_text() == "v1"  # SAM's build folder is untouched
    assert (built / ".aws-sam" / "sync.toml").read_text() == '[resource_sync_states."Other"]\nhash = "2"\n'


def deploy_function():
    """Stack S with function Fn, in moto; the function's name."""
    iam = boto3.client("iam")
    trust = '{"Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
    role = iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    template = {
        "Resources": {
            "Fn": {
                "Type": "AWS::Lambda::Function",
                "Properties": {"Code": {"ZipFile": "x"}, "Handler": "index.handler", "Runtime": "nodejs20.x", "Role": role},
            }
        }
    }
    cfn = boto3.client("cloudformation")
    cfn.create_stack(StackName="S", TemplateBody=json.dumps(template))
    return cfn.describe_stack_resource(StackName="S", LogicalResourceId="Fn")["StackResourceDetail"]["PhysicalResourceId"]
