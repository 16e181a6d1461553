"""verify.py's pure parts: hashing, comparing, matching a definition with
its placeholders; and its one line of output when a check cannot run.
(Its checks against the emulator's routes run in docker/emulator/tests/test_sam_tools_contract.py.)"""

import io
import json
import types
import zipfile

import pytest
import yaml
from moto import mock_aws

import verify


def test_tree_and_zip_hashes_agree(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "index.js").write_text("a")
    (tmp_path / "lib" / "util.js").write_text("b")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.js", "a")
        archive.writestr("lib/", "")
        archive.writestr("lib/util.js", "b")
    assert verify.tree_hashes(tmp_path) == verify.zip_hashes(buffer.getvalue())
    assert set(verify.tree_hashes(tmp_path)) == {"index.js", "lib/util.js"}


def test_compare_says_what_differs():
    built = {"a": "1", "b": "2", "c": "3"}
    assert verify.compare(built, dict(built)) == ""
    assert verify.compare(built, {"a": "9", "b": "2", "d": "4"}) == "differs: a; not deployed: c; deployed but not built: d"
    many = {f"f{i}": "1" for i in range(7)}
    assert verify.compare(many, {}) == "not deployed: f0, f1, f2, f3, f4 ..."


def test_like_lets_placeholders_and_intrinsics_stand_for_anything():
    expected = {"StartAt": "A", "States": {"A": {"Resource": "${FnArn}", "Next": {"Ref": "X"}, "Items": [1, "arn:${Region}:x"]}}}
    actual = {"StartAt": "A", "States": {"A": {"Resource": "arn:aws:lambda:fn", "Next": "B", "Items": [1, "arn:eu-west-1:x"]}}}
    assert verify.like(expected, actual)
    assert not verify.like(expected, {**actual, "StartAt": "B"})
    assert not verify.like([1, 2], [1])
    assert not verify.like({"a": "${X}y"}, {"a": "z"})


@pytest.fixture
def yaml_parse(monkeypatch):
    """samcli.yamlhelper, which verify.py reads templates with inside SAM's Python."""
    samcli = types.ModuleType("samcli")
    helper = types.ModuleType("samcli.yamlhelper")
    helper.yaml_parse = yaml.safe_load
    monkeypatch.setitem(__import__("sys").modules, "samcli", samcli)
    monkeypatch.setitem(__import__("sys").modules, "samcli.yamlhelper", helper)


def test_template_definition_inline_or_from_its_file(tmp_path, yaml_parse):
    (tmp_path / "machine.asl.yaml").write_text("StartAt: A\n")
    template = {
        "Resources": {
            "Inline": {"Properties": {"Definition": {"StartAt": "B"}}},
            "File": {"Properties": {"DefinitionUri": "machine.asl.yaml"}},
            "Remote": {"Properties": {"DefinitionUri": "s3://bucket/key"}},
        }
    }
    assert verify.template_definition(template, "Inline", str(tmp_path)) == {"StartAt": "B"}
    assert verify.template_definition(template, "File", str(tmp_path)) == {"StartAt": "A"}
    assert verify.template_definition(template, "Remote", str(tmp_path)) is None


@mock_aws
def test_a_check_that_cannot_run_says_so_on_one_line(capsys):
    assert verify.main(["--stack", "nope", "--template", "template.yaml", "Fn"]) == 1
    line = capsys.readouterr().out.strip()
    assert line.startswith("DSYNC_VERIFY ")
    result = json.loads(line.removeprefix("DSYNC_VERIFY "))
    assert result["ok"] is False
    assert result["mismatches"][0]["resource"] == "nope"
    assert result["mismatches"][0]["what"].startswith("could not be checked: ClientError")


@mock_aws
def test_a_resource_not_in_the_stack_is_a_mismatch(capsys):
    import boto3

    boto3.client("cloudformation").create_stack(StackName="S", TemplateBody=json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}))
    assert verify.main(["--stack", "S", "--template", "template.yaml", "Topic", "Missing"]) == 1
    result = json.loads(capsys.readouterr().out.strip().removeprefix("DSYNC_VERIFY "))
    assert result["checked"] == [{"resource": "Topic", "kind": "AWS::SNS::Topic"}]
    assert result["mismatches"] == [{"resource": "Missing", "what": "is not in the stack"}]
