"""The warm SAM worker: its request protocol, dsync's helpers run in-process,
and its patches, each checked before it is made. SAM CLI itself is not in
this test environment: a stand-in samcli package (tests only) answers for it."""

import json
import os
import subprocess
import sys
import textwrap

import botocore.loaders
import botocore.session
import pytest

import sam_worker

STAND_IN_SAMCLI = {
    "samcli/__init__.py": "",
    "samcli/cli/__init__.py": "",
    "samcli/lib/__init__.py": "",
    "samcli/lib/providers/__init__.py": "",
    "samcli/cli/main.py": """
        import click

        @click.command()
        @click.argument("words", nargs=-1)
        def cli(words):
            if words == ("fail",):
                raise click.ClickException("it failed")
            print("sam says", " ".join(words))
    """,
    "samcli/cli/global_config.py": """
        class GlobalConfig:
            def is_accelerate_opt_in_stack(self, template, stack):
                return True
    """,
    "samcli/lib/providers/sam_base_provider.py": """
        class SamBaseProvider:
            @staticmethod
            def get_template(template_dict, parameter_overrides=None, **kwargs):
                return template_dict

            @staticmethod
            def get_resolved_template_dict(template_dict, parameter_overrides=None, **kwargs):
                return template_dict
    """,
    "samcli/yamlhelper.py": """
        import json

        def yaml_parse(yamlstr):
            return json.loads(yamlstr)
    """,
}


@pytest.fixture
def stand_in(tmp_path):
    for path, text in STAND_IN_SAMCLI.items():
        target = tmp_path / "site" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text))
    return tmp_path / "site"


def test_requests_run_and_say_when_they_are_done(sam_tools, stand_in, tmp_path):
    (tmp_path / ".aws-sam" / "dsync-artifacts" / "Fn").mkdir(parents=True)
    requests = [
        {"id": 1, "argv": ["sam", "hello", "world"], "cwd": str(tmp_path)},
        {"id": 2, "argv": ["sam", "fail"]},
        {"id": 3, "argv": ["/opt/sam/bin/python", str(sam_tools / "npm_patch.py"), "drop", "Fn"], "cwd": str(tmp_path)},
    ]
    env = {**os.environ, "PYTHONPATH": str(stand_in)}
    stdin = "".join(json.dumps(r) + "\n" for r in requests)
    done = subprocess.run([sys.executable, "-u", str(sam_tools / "sam_worker.py")], input=stdin, env=env, capture_output=True, text=True, timeout=60)
    out = done.stdout.splitlines()
    assert out[0] == "DSYNC_READY"
    assert out[1] == "sam says hello world"
    assert out[2].startswith("DSYNC_DONE 1 0 ")
    assert out[3].startswith("DSYNC_DONE 2 1 ")
    assert out[4] == 'DSYNC_PATCH {"ok": true}'
    assert out[5].startswith("DSYNC_DONE 3 0 ")
    assert done.stderr.splitlines() == ["DSYNC_DONE 1 0", "Error: it failed", "DSYNC_DONE 2 1", "DSYNC_DONE 3 0"]
    assert not (tmp_path / ".aws-sam" / "dsync-artifacts" / "Fn").exists()


def test_which_argv_runs_a_helper():
    assert sam_worker.helper_path(["/opt/sam/bin/python", "/dsync/tools/sam-tools/verify.py", "--stack", "S"]) == "/dsync/tools/sam-tools/verify.py"
    assert sam_worker.helper_path(["python", "/x/npm_patch.py", "drop"]) == "/x/npm_patch.py"
    assert sam_worker.helper_path(["sync", "--code"]) is None
    assert sam_worker.helper_path(["python"]) is None


def test_a_helper_is_loaded_once_by_its_path(tmp_path):
    helper = tmp_path / "verify.py"
    helper.write_text("LOADS = []\nLOADS.append(1)\ndef main(args):\n    return len(args) + len(LOADS) * 10\n")
    assert sam_worker.run_helper(str(helper), ["a"]) == 11
    assert sam_worker.run_helper(str(helper), ["a", "b"]) == 12
    assert sys.modules["dsync_sam_tools_verify"].LOADS == [1]


def test_require_names_a_missing_target():
    with pytest.raises(sam_worker.PatchError, match=r"cannot patch botocore\.loaders\.create_loaders: no such attribute \(botocore "):
        sam_worker.require(botocore.loaders, "create_loaders", distribution="botocore")
    with pytest.raises(sam_worker.PatchError, match="no parameter search_paths"):
        sam_worker.require(botocore.loaders, "create_loader", params=("search_paths",), distribution="botocore")
    assert (
        sam_worker.require(botocore.loaders, "create_loader", params=("search_path_string",), distribution="botocore")
        is botocore.loaders.create_loader
    )


def test_sessions_share_one_loader(monkeypatch):
    monkeypatch.setattr(botocore.loaders, "create_loader", botocore.loaders.create_loader)
    monkeypatch.setattr(botocore.session, "create_loader", botocore.session.create_loader)
    sam_worker.share_botocore_loader()
    assert botocore.session.create_loader() is botocore.loaders.create_loader()
    assert botocore.session.Session().get_component("data_loader") is botocore.session.Session().get_component("data_loader")
