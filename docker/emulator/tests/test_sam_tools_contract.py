"""The contract between docker/sam-tools/verify.py and the emulator: the
check dsync runs before it prints ✔ reads the deployed code through the
emulator's /_dsync/lambda routes, and a state machine's definition."""

import importlib.util
import json
import sys
import types

import pytest
import yaml

from support import DOCKER_DIR, deploy, make_zip, sam_function, sam_template, upload


@pytest.fixture
def verify(monkeypatch, emulator):
    spec = importlib.util.spec_from_file_location("dsync_sam_tools_verify_contract", DOCKER_DIR / "sam-tools" / "verify.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    helper = types.ModuleType("samcli.yamlhelper")  # SAM's YAML reader, inside SAM's Python
    helper.yaml_parse = yaml.safe_load
    monkeypatch.setitem(sys.modules, "samcli", types.ModuleType("samcli"))
    monkeypatch.setitem(sys.modules, "samcli.yamlhelper", helper)
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator.url)
    return module


def build_folder(root, logical_id, files):
    for path, text in files.items():
        target = root / logical_id / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


def test_verify_holds_what_was_built_and_says_what_differs(verify, cfn, s3, name, tmp_path, capsys):
    code = {"index.js": "exports.handler = async () => 1;", "lib/a.js": "a"}
    layer = {"nodejs/lib.js": "l"}
    definition = {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "${FnArn}", "End": True}}}
    template = sam_template(
        {
            "Fn": sam_function(upload(s3, f"{name}/fn.zip", make_zip(code)), AutoPublishAlias="live"),
            "Lib": {
                "Type": "AWS::Serverless::LayerVersion",
                "Properties": {"LayerName": f"{name}-lib", "ContentUri": upload(s3, f"{name}/l.zip", make_zip(layer))},
            },
            "Machine": {
                "Type": "AWS::Serverless::StateMachine",
                "Properties": {
                    "Definition": definition,
                    "DefinitionSubstitutions": {"FnArn": {"Fn::GetAtt": ["Fn", "Arn"]}},
                    "Role": "arn:aws:iam::123456789012:role/x",
                },
            },
        }
    )
    deploy(cfn, name, template)
    (tmp_path / "template.json").write_text(json.dumps(template))
    build = tmp_path / "build"
    build_folder(build, "Fn", code)
    build_folder(build, "Lib", layer)
    argv = ["--stack", name, "--template", str(tmp_path / "template.json"), "--build-dir", str(build), "Fn", "Lib", "Machine"]
    assert verify.main(argv) == 0
    result = json.loads(capsys.readouterr().out.strip().removeprefix("DSYNC_VERIFY "))
    assert result == {
        "ok": True,
        "checked": [{"resource": "Fn", "kind": "function"}, {"resource": "Lib", "kind": "layer"}, {"resource": "Machine", "kind": "state machine"}],
        "mismatches": [],
    }
    (build / "Fn" / "index.js").write_text("changed")
    assert verify.main(argv) == 1
    mismatches = json.loads(capsys.readouterr().out.strip().removeprefix("DSYNC_VERIFY "))["mismatches"]
    assert mismatches == [
        {"resource": "Fn", "what": "deployed code differs: index.js"},
        {"resource": "Fn", "what": "the code behind alias live (version 1) differs: index.js"},
    ]
