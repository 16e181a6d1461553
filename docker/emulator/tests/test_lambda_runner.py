"""The Lambda runner: Invoke runs the deployed code in a warm Node.js
process (this machine's node stands in for the image's), with Lambda's
environment, errors, timeouts and logs."""

import base64
import io
import json
import os
import stat
import time
import zipfile

import pytest
import requests

from dsync_emulator.lambda_runner import code, node, runtime
from support import HANDLER, REGION, deploy, make_zip, resources, sam_function, sam_template


@pytest.fixture
def lam(emulator):
    return emulator.client("lambda")


@pytest.fixture
def function(lam, name, role, runtime):
    lam.create_function(
        FunctionName=name,
        Runtime=runtime,
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": make_zip({"index.js": HANDLER})},
        Timeout=2,
        Environment={"Variables": {"GREETING": "hi"}},
    )
    return name


def invoke(lam, function, event, **kwargs):
    answer = lam.invoke(FunctionName=function, Payload=json.dumps(event).encode(), **kwargs)
    return answer, answer["Payload"].read()


def test_invoke_runs_the_code_and_tails_its_log(lam, function):
    answer, payload = invoke(lam, function, {"echo": "x"}, LogType="Tail")
    assert "FunctionError" not in answer
    assert json.loads(json.loads(payload)["body"])["echo"] == "x"
    assert answer["ExecutedVersion"] == "$LATEST"
    tail = base64.b64decode(answer["LogResult"]).decode()
    assert tail.startswith("START RequestId: ")
    assert 'got {"echo":"x"}' in tail
    assert "\nREPORT RequestId: " in tail and "Init Duration:" in tail  # a cold start
    second, _ = invoke(lam, function, {}, LogType="Tail")
    assert "Init Duration:" not in base64.b64decode(second["LogResult"]).decode()  # the instance stayed warm


def test_the_log_goes_to_cloudwatch_logs(emulator, lam, function):
    invoke(lam, function, {"echo": "logged"})
    logs = emulator.client("logs")
    messages = [e["message"] for e in logs.filter_log_events(logGroupName=f"/aws/lambda/{function}")["events"]]
    assert any('got {"echo":"logged"}' in m for m in messages)
    assert any(m.startswith("END RequestId: ") for m in messages)


def test_a_thrown_error_is_a_function_error(lam, function):
    answer, payload = invoke(lam, function, {"fail": True})
    assert answer["FunctionError"] == "Unhandled"
    error = json.loads(payload)
    assert (error["errorType"], error["errorMessage"]) == ("Error", "asked to fail")


def test_the_timeout_is_enforced(lam, function):
    answer, payload = invoke(lam, function, {"sleep": 5000})
    assert answer["FunctionError"] == "Unhandled"
    assert json.loads(payload)["errorType"] == "Sandbox.Timedout"
    answer, _ = invoke(lam, function, {"echo": "after"})  # a new instance takes over
    assert "FunctionError" not in answer


def test_event_and_dry_run_invocations(emulator, lam, function):
    assert lam.invoke(FunctionName=function, InvocationType="DryRun")["StatusCode"] == 204
    assert lam.invoke(FunctionName=function, InvocationType="Event", Payload=b'{"echo": "async"}')["StatusCode"] == 202
    logs = emulator.client("logs")
    for _ in range(50):
        events = logs.filter_log_events(logGroupName=f"/aws/lambda/{function}")["events"] if _group_exists(logs, function) else []
        if any('got {"echo":"async"}' in e["message"] for e in events):
            return
        time.sleep(0.1)
    pytest.fail("the Event invocation never ran")


def _group_exists(logs, function):
    return bool(logs.describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{function}")["logGroups"])


def test_new_code_gets_a_new_instance(lam, function):
    invoke(lam, function, {})
    lam.update_function_code(FunctionName=function, ZipFile=make_zip({"index.js": "exports.handler = async () => 'new';"}))
    _, payload = invoke(lam, function, {})
    assert json.loads(payload) == "new"


def test_environment_is_lambdas(lam, name, role, runtime, emulator):
    source = "exports.handler = async () => ({ greeting: process.env.GREETING, endpoint: process.env.AWS_ENDPOINT_URL, name: process.env.AWS_LAMBDA_FUNCTION_NAME });"
    lam.create_function(
        FunctionName=name,
        Runtime=runtime,
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": make_zip({"index.js": source})},
        Environment={"Variables": {"GREETING": "hi"}},
    )
    _, payload = invoke(lam, name, {})
    assert json.loads(payload) == {"greeting": "hi", "endpoint": f"http://127.0.0.1:{emulator.port}", "name": name}


def test_a_runtime_nothing_here_runs_is_one_clear_error(lam, name, role, runtime):
    lam.create_function(FunctionName=name, Runtime="ruby3.3", Role=role, Handler="app.handler", Code={"ZipFile": make_zip({"app.rb": ""})})
    answer, payload = invoke(lam, name, {})
    assert answer["FunctionError"] == "Unhandled"
    error = json.loads(payload)
    assert error["errorType"] == "Runtime.Unavailable"
    assert error["errorMessage"] == "ruby3.3: the emulator runs Node.js, Python and provided (bootstrap) functions, not this runtime"


def test_invoke_by_logical_id_and_streams(emulator, cfn, name, code_uri, runtime):
    deploy(cfn, name, sam_template({"Fn": sam_function(code_uri, runtime)}))
    answer = requests.post(f"{emulator.url}/_dsync/invoke/{REGION}/{name}/Fn", data=json.dumps({"echo": "by-id"}), timeout=30)
    assert answer.status_code == 200
    body = answer.json()
    assert body["logicalId"] == "Fn"
    assert body["functionName"] == resources(cfn, name)["Fn"][1]
    assert json.loads(json.loads(body["payload"])["body"])["echo"] == "by-id"
    assert body["functionError"] is None
    assert body["initMs"] is not None
    streams = requests.get(f"{emulator.url}/_dsync/streams/{REGION}/{name}", timeout=10).json()
    assert set(streams.values()) == {"Fn"}
    missing = requests.post(f"{emulator.url}/_dsync/invoke/{REGION}/{name}/FnRole", data="{}", timeout=10)
    assert missing.status_code == 404
    assert missing.json() == {"message": f"FnRole is not a function of stack {name}", "functions": ["Fn"]}


def test_node_for_names_what_is_missing(monkeypatch, tmp_path):
    assert node.node_for("python3.12")[1] == "python3.12 is not a Node.js runtime"
    monkeypatch.setattr(node, "NODE_CANDIDATES", (str(tmp_path / "node{major}" / "bin" / "node"),))
    binary, why = node.node_for("nodejs99.x")
    assert binary is None
    assert why.startswith("nodejs99.x: Node.js 99 is not in the emulator's image")


def test_unzip_keeps_modes_and_stays_inside(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        script = zipfile.ZipInfo("bin/run.sh")
        script.external_attr = (stat.S_IFREG | 0o755) << 16
        archive.writestr(script, "#!/bin/sh\n")
        archive.writestr("../escape.txt", "no")
        archive.writestr("/absolute.txt", "no")
    code.unzip(buffer.getvalue(), str(tmp_path / "out"))
    assert os.stat(tmp_path / "out" / "bin" / "run.sh").st_mode & 0o777 == 0o755
    assert not (tmp_path / "escape.txt").exists()
    assert sorted(os.listdir(tmp_path / "out")) == ["bin"]


class _Fn:
    code_sha_256 = "abc"
    handler = "index.handler"
    run_time = "nodejs20.x"
    timeout = 3
    memory_size = 128
    environment_vars = {"A": "1"}
    layers = []


def test_a_version_key_changes_with_code_and_configuration():
    first = runtime.version_key(_Fn())
    changed = _Fn()
    changed.environment_vars = {"A": "2"}
    assert runtime.version_key(changed) != first
    assert runtime.version_key(_Fn()) == first
