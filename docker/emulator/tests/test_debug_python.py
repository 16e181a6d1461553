"""A debugged Python function (debugpy, which dsync installs in the
container): a Debug Adapter Protocol client, as VS Code's Python debugger,
attaches on the function's stable port before any request, sets a
breakpoint by file path, the invocation stops there with the local's
value, continues and answers."""

import json
import subprocess
import sys
import threading

import pytest
from dap import Dap

from dsync_emulator.lambda_runner import debug
from support import deploy, free_port, make_zip, resources, sam_function, sam_template, upload

DEBUGPY = "debugpy==1.8.21"
SOURCE = """import json


def handler(event, context):
    greeting = "hello " + event["name"]
    return {"greeting": greeting}
"""


@pytest.fixture(scope="session")
def debugpy_folder(tmp_path_factory):
    """debugpy's pure-Python wheel, installed as dsync installs it in the container."""
    folder = tmp_path_factory.mktemp("debugpy")
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--only-binary=:all:", "--platform", "any"]
    subprocess.run([*pip, "--python-version", "3.9", "--implementation", "py", "--target", str(folder), DEBUGPY], check=True, timeout=300)
    return str(folder)


def test_a_python_function_stops_at_a_breakpoint_by_file_path(emulator, tmp_path, monkeypatch, s3, cfn, name, python_runtime, debugpy_folder):
    port = free_port()
    settings = tmp_path / "debug.json"
    settings.write_text(json.dumps({"stack": name, "functions": {"Fn": port}, "debugpy": debugpy_folder}))
    monkeypatch.setattr(debug, "CONFIG", debug._Config(str(settings)))
    debug.sync_ports()
    uri = upload(s3, f"{name}/app.zip", make_zip({"app.py": SOURCE}))
    deploy(cfn, name, sam_template({"Fn": sam_function(uri, python_runtime, Handler="app.handler", Timeout=1)}))
    function = resources(cfn, name)["Fn"][1]
    task = f"{debug.STABLE_ROOT}/Fn/task"

    dap = Dap(port)  # before any request: the instance starts for it
    dap.call("initialize", adapterID="debugpy", clientID="dsync-test", pathFormat="path", linesStartAt1=True, columnsStartAt1=True)
    attach = dap.send("attach", justMyCode=True)
    dap.event("initialized")
    verified = dap.call("setBreakpoints", source={"path": f"{task}/app.py"}, breakpoints=[{"line": 6}])
    assert verified["breakpoints"][0]["verified"]
    dap.call("configurationDone")
    dap.response(attach)

    answer = {}
    lam = emulator.client("lambda")
    call = threading.Thread(target=lambda: answer.setdefault("r", lam.invoke(FunctionName=function, Payload=json.dumps({"name": "Ada"}))))
    call.start()
    stopped = dap.event("stopped")
    [frame, *_] = dap.call("stackTrace", threadId=stopped["threadId"])["stackFrames"]
    assert frame["source"]["path"] == f"{task}/app.py" and frame["line"] == 6
    scope = dap.call("scopes", frameId=frame["id"])["scopes"][0]
    local = {v["name"]: v["value"] for v in dap.call("variables", variablesReference=scope["variablesReference"])["variables"]}
    assert local["greeting"] == "'hello Ada'"
    threading.Event().wait(1.5)  # longer than the Timeout: a stopped function is not killed
    dap.call("continue", threadId=stopped["threadId"])
    call.join(30)
    assert json.loads(answer["r"]["Payload"].read()) == {"greeting": "hello Ada"}
    dap.close()
