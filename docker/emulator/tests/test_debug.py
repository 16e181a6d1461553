"""A debugged function (what `dsync up --emulator --debug` asks for): a real
debugger client (Chrome DevTools Protocol, as VS Code speaks it) connects to
the function's stable port before any request, sets a breakpoint by the
file's path, the request pauses there past the function's Timeout, resumes
and answers; after a new version is deployed the debugger is let go,
reattaches on the same port and pauses in the new code."""

import json
import threading
import time

import pytest
from cdp import Cdp, targets

from dsync_emulator.lambda_runner import debug
from support import deploy, free_port, make_zip, resources, sam_function, sam_template, upload

SOURCE = """
exports.handler = async (event) => {
  if (event.sleep) await new Promise((resolve) => setTimeout(resolve, event.sleep));
  const greeting = 'hello ' + event.name;
  return { greeting, version: 'VERSION' };
};
"""


def handler(version):
    return make_zip({"index.js": SOURCE.replace("VERSION", version)})


@pytest.fixture
def debugged(tmp_path, monkeypatch, s3, cfn, name, runtime):
    port = free_port()
    logical = f"Fn{name}"  # one per test: a debugged function's folder is named after its logical id
    settings = tmp_path / "debug.json"
    settings.write_text(json.dumps({"stack": name, "functions": {logical: port}}))
    monkeypatch.setattr(debug, "CONFIG", debug._Config(str(settings)))
    debug.sync_ports()  # what the emulator's settings watcher does once a second
    uri = upload(s3, f"{name}/v1.zip", handler("v1"))
    deploy(cfn, name, sam_template({logical: sam_function(uri, runtime, Timeout=1)}))
    return port, resources(cfn, name)[logical][1], f"{debug.STABLE_ROOT}/{logical}/task"


def attach(port):
    [target] = targets(port)
    assert target["webSocketDebuggerUrl"].startswith(f"ws://127.0.0.1:{port}/")  # the stable port, not the instance's
    client = Cdp(target["webSocketDebuggerUrl"])
    client.call("Debugger.enable")
    return client


def pause_and_read(emulator, client, function, task):
    """Break on the `return` line by the file's path, send a request, read `greeting` there, resume; the answer."""
    client.call("Debugger.setBreakpointByUrl", lineNumber=4, url=f"file://{task}/index.js")
    answer = {}
    lam = emulator.client("lambda")
    call = threading.Thread(target=lambda: answer.setdefault("r", lam.invoke(FunctionName=function, Payload=json.dumps({"name": "Ada"}))))
    call.start()
    paused = client.wait_for("Debugger.paused")
    frame = paused["callFrames"][0]
    seen = client.call("Debugger.evaluateOnCallFrame", callFrameId=frame["callFrameId"], expression="greeting")["result"]["value"]
    time.sleep(1.5)  # longer than the function's Timeout: a paused function is not killed
    client.call("Debugger.resume")
    call.join(30)
    return seen, json.loads(answer["r"]["Payload"].read())


def test_a_debugger_pauses_the_request_by_file_path_and_follows_a_new_version(emulator, debugged, s3, name):
    port, function, task = debugged
    client = attach(port)  # before any request: the instance starts for it
    assert pause_and_read(emulator, client, function, task) == ("hello Ada", {"greeting": "hello Ada", "version": "v1"})

    lam = emulator.client("lambda")
    lam.update_function_code(FunctionName=function, ZipFile=handler("v2"))
    with pytest.raises(ConnectionError):  # the old instance's debugger is let go...
        for _ in range(100):
            client.call("Runtime.evaluate", expression="1")
            time.sleep(0.1)
    client = attach(port)  # ...and reattaches, on the same port, to the new code, in the same folder
    assert pause_and_read(emulator, client, function, task) == ("hello Ada", {"greeting": "hello Ada", "version": "v2"})
    client.close()


def test_without_a_debugger_attached_the_timeout_still_holds(emulator, debugged):
    _, function, _ = debugged
    lam = emulator.client("lambda")
    answer = lam.invoke(FunctionName=function, Payload=json.dumps({"name": "Bo", "sleep": 2500}))
    assert answer.get("FunctionError") == "Unhandled"
    assert json.loads(answer["Payload"].read())["errorType"] == "Sandbox.Timedout"


def test_a_debugger_that_attaches_after_a_save_gets_the_new_version(emulator, debugged, name):
    port, function, task = debugged
    attach(port).close()  # an instance of v1 runs; nobody is attached while the save happens
    emulator.client("lambda").update_function_code(FunctionName=function, ZipFile=handler("v2"))
    client = attach(port)
    assert pause_and_read(emulator, client, function, task) == ("hello Ada", {"greeting": "hello Ada", "version": "v2"})
    client.close()
