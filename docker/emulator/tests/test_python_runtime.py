"""Python functions: the emulator serves Lambda's Runtime API per instance
and dsync's client (python_client.py) runs the handler as Lambda's Python
runtime does. This machine's Python stands in for the image's."""

import base64
import json
import os
import time

import pytest

from dsync_emulator.lambda_runner import launch
from support import make_zip

APP = """
import json, logging, os, time
import helpers.greet as greet
logger = logging.getLogger()
logger.setLevel(logging.INFO)
COLD = time.time()

def handler(event, context):
    print("got", json.dumps(event))
    logger.info("info line")
    if event.get("fail"):
        raise ValueError("asked to fail")
    if event.get("sleep"):
        time.sleep(event["sleep"])
    if event.get("bytes"):
        return b"raw"
    return {
        "greeting": greet.hello(os.environ.get("GREETING")),
        "request": context.aws_request_id,
        "remaining": context.get_remaining_time_in_millis(),
        "name": context.function_name,
        "cold": COLD,
        "layer": __import__("shared").VALUE if event.get("layer") else None,
        "endpoint": os.environ.get("AWS_ENDPOINT_URL"),
    }
"""


@pytest.fixture
def lam(emulator):
    return emulator.client("lambda")


def create(lam, name, role, runtime, files, handler="app.handler", **extra):
    lam.create_function(
        FunctionName=name,
        Runtime=runtime,
        Role=role,
        Handler=handler,
        Code={"ZipFile": make_zip(files)},
        Timeout=2,
        Environment={"Variables": {"GREETING": "hi"}},
        **extra,
    )
    return name


def invoke(lam, name, event, **kwargs):
    answer = lam.invoke(FunctionName=name, Payload=json.dumps(event).encode(), **kwargs)
    return answer, json.loads(answer["Payload"].read())


@pytest.fixture
def function(lam, name, role, python_runtime):
    # A package as SAM builds it from CodeUri: src/ (the handler's folder is the package root).
    files = {"app.py": APP, "helpers/__init__.py": "", "helpers/greet.py": "def hello(who):\n    return 'hello ' + str(who)\n"}
    return create(lam, name, role, python_runtime, files)


def test_a_python_handler_runs_with_lambdas_context_and_environment(lam, function):
    answer, body = invoke(lam, function, {"x": 1}, LogType="Tail")
    assert "FunctionError" not in answer, body
    assert body["greeting"] == "hello hi"
    assert body["name"] == function
    assert 0 < body["remaining"] <= 2000
    assert body["endpoint"].startswith("http://127.0.0.1:")
    tail = base64.b64decode(answer["LogResult"]).decode()
    assert 'got {"x": 1}' in tail
    assert "[INFO]\t" in tail and f"\t{body['request']}\tinfo line" in tail
    assert "Init Duration:" in tail
    again, second = invoke(lam, function, {}, LogType="Tail")
    assert second["cold"] == body["cold"]  # the same warm process
    assert "Init Duration:" not in base64.b64decode(again["LogResult"]).decode()


def test_an_exception_is_answered_and_logged_as_lambda_does(lam, function):
    answer, body = invoke(lam, function, {"fail": True}, LogType="Tail")
    assert answer["FunctionError"] == "Unhandled"
    assert (body["errorType"], body["errorMessage"]) == ("ValueError", "asked to fail")
    assert any("app.py" in frame and "in handler" in frame for frame in body["stackTrace"])
    assert "[ERROR] ValueError: asked to fail" in base64.b64decode(answer["LogResult"]).decode()
    assert "FunctionError" not in invoke(lam, function, {})[0]  # the instance lives on


def test_an_answer_that_is_not_json_is_a_marshal_error(lam, function):
    answer, body = invoke(lam, function, {"bytes": True})
    assert answer["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.MarshalError"


def test_the_timeout_is_enforced_and_a_new_instance_takes_over(lam, function):
    answer, body = invoke(lam, function, {"sleep": 5})
    assert answer["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Sandbox.Timedout"
    assert "FunctionError" not in invoke(lam, function, {})[0]


def test_layers_are_on_the_path_as_in_lambda(emulator, lam, name, role, python_runtime):
    layer = lam.publish_layer_version(LayerName=f"{name}-l", Content={"ZipFile": make_zip({"python/shared.py": "VALUE = 'from the layer'\n"})})
    files = {"app.py": APP, "helpers/__init__.py": "", "helpers/greet.py": "def hello(who):\n    return who\n"}
    create(lam, name, role, python_runtime, files, Layers=[layer["LayerVersionArn"]])
    answer, body = invoke(lam, name, {"layer": True})
    assert body["layer"] == "from the layer", body


@pytest.mark.parametrize("handler", ["functions/orders/app.handler", "functions.orders.app.handler"])
def test_nested_handlers_resolve_as_in_lambda(lam, name, role, python_runtime, handler):
    files = {
        "functions/__init__.py": "",
        "functions/orders/__init__.py": "",
        "functions/orders/app.py": "from functions.orders import util\ndef handler(e, c):\n    return util.ANSWER\n",
        "functions/orders/util.py": "ANSWER = {'nested': True}\n",
    }
    create(lam, name, role, python_runtime, files, handler=handler)
    assert invoke(lam, name, {})[1] == {"nested": True}


@pytest.mark.parametrize(
    ("handler", "files", "error_type", "words"),
    [
        ("app.nothere", {"app.py": "x = 1\n"}, "Runtime.HandlerNotFound", "Handler 'nothere' missing on module 'app'"),
        ("missing.handler", {"app.py": ""}, "Runtime.ImportModuleError", "Unable to import module 'missing'"),
        ("app.handler", {"app.py": "import not_installed_anywhere\n"}, "Runtime.ImportModuleError", "not_installed_anywhere"),
        ("app.handler", {"app.py": "def handler(:\n"}, "Runtime.UserCodeSyntaxError", "Syntax error in module 'app'"),
        ("nodot", {"app.py": ""}, "Runtime.MalformedHandlerName", "Bad handler 'nodot'"),
    ],
)
def test_a_handler_that_cannot_load_says_why(lam, name, role, python_runtime, handler, files, error_type, words):
    create(lam, name, role, python_runtime, files, handler=handler)
    answer, body = invoke(lam, name, {})
    assert answer["FunctionError"] == "Unhandled"
    assert body["errorType"] == error_type and words in body["errorMessage"], body


def test_boto3_reaches_the_emulator(emulator, lam, name, role, python_runtime):
    ddb = emulator.client("dynamodb")
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    code = (
        "import boto3, os\n"
        "table = boto3.resource('dynamodb').Table(os.environ['TABLE'])\n"
        "def handler(event, context):\n"
        "    table.put_item(Item={'id': event['id'], 'n': 7})\n"
        "    return table.get_item(Key={'id': event['id']})['Item']\n"
    )
    lam.create_function(
        FunctionName=name,
        Runtime=python_runtime,
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": code})},
        Timeout=10,
        Environment={"Variables": {"TABLE": name}},
    )
    answer, body = invoke(lam, name, {"id": "a"})
    assert body == {"id": "a", "n": 7}, body  # a DynamoDB Decimal answers as a number, as in Lambda
    assert ddb.get_item(TableName=name, Key={"id": {"S": "a"}})["Item"]["n"] == {"N": "7"}


def test_a_runtime_that_cannot_run_says_so_with_its_runtime(lam, name, role, python_runtime):
    create(lam, name, role, "python3.99", {"app.py": ""}, handler="app.handler")
    answer, body = invoke(lam, name, {})
    assert body["errorType"] == "Runtime.Unavailable"
    assert "python3.99" in body["errorMessage"] and "Python 3.99 is not in the emulator's image" in body["errorMessage"]
    with pytest.raises(launch.RuntimeUnavailable, match="java21: the emulator runs Node.js, Python and provided"):
        launch.check("java21")


def test_a_provided_runtime_runs_its_own_bootstrap(lam, name, role, tmp_path):
    # A custom runtime's bootstrap (a script here; a compiled binary in real apps) polls the Runtime API itself.
    bootstrap = (
        "#!/usr/bin/env python3\n"
        "import http.client, json, os\n"
        "host, port = os.environ['AWS_LAMBDA_RUNTIME_API'].split(':')\n"
        "c = http.client.HTTPConnection(host, int(port))\n"
        "while True:\n"
        "    c.request('GET', '/2018-06-01/runtime/invocation/next'); r = c.getresponse(); body = r.read()\n"
        "    rid = r.headers['Lambda-Runtime-Aws-Request-Id']\n"
        "    print('custom runtime got', body.decode(), flush=True)\n"
        "    c.request('POST', f'/2018-06-01/runtime/invocation/{rid}/response', body=json.dumps({'echo': json.loads(body), 'handler': os.environ['_HANDLER']}))\n"
        "    c.getresponse().read()\n"
    )
    create(lam, name, role, "provided.al2023", {"bootstrap": bootstrap}, handler="my.handler")
    answer, body = invoke(lam, name, {"a": 1}, LogType="Tail")
    assert body == {"echo": {"a": 1}, "handler": "my.handler"}, body
    assert 'custom runtime got {"a": 1}' in base64.b64decode(answer["LogResult"]).decode()


def test_a_bootstrap_that_cannot_be_started_is_one_clear_error(lam, name, role):
    create(lam, name, role, "provided.al2023", {"bootstrap": "no interpreter line here\n"}, handler="x.y")
    answer, body = invoke(lam, name, {})
    assert answer["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.Unavailable"
    assert body["errorMessage"].startswith("provided.al2023: bootstrap cannot be started: ")


def test_what_the_module_logs_while_loading_is_in_the_first_invocations_log_only(lam, name, role, python_runtime):
    create(lam, name, role, python_runtime, {"app.py": "print('loading the module')\ndef handler(e, c):\n    print('handling')\n    return 1\n"})
    first, _ = invoke(lam, name, {}, LogType="Tail")
    second, _ = invoke(lam, name, {}, LogType="Tail")
    assert "loading the module" in base64.b64decode(first["LogResult"]).decode()
    assert "loading the module" not in base64.b64decode(second["LogResult"]).decode()
    assert "handling" in base64.b64decode(second["LogResult"]).decode()


def test_stopping_an_instance_stops_what_it_started(lam, name, role, tmp_path):
    pid_file = tmp_path / "helper.pid"
    bootstrap = (
        "#!/usr/bin/env python3\n"
        "import http.client, os, subprocess, time\n"
        f"helper = subprocess.Popen(['sleep', '300'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(helper.pid))\n"
        "host, port = os.environ['AWS_LAMBDA_RUNTIME_API'].split(':')\n"
        "c = http.client.HTTPConnection(host, int(port))\n"
        "c.request('GET', '/2018-06-01/runtime/invocation/next'); c.getresponse().read()\n"
        "time.sleep(60)\n"
    )
    lam.create_function(
        FunctionName=name, Runtime="provided.al2023", Role=role, Handler="x.y", Code={"ZipFile": make_zip({"bootstrap": bootstrap})}, Timeout=1
    )
    answer, body = invoke(lam, name, {})
    assert body["errorType"] == "Sandbox.Timedout"
    helper = int(pid_file.read_text())
    for _ in range(50):  # the kill is immediate; the zombie is reaped by its new parent
        try:
            os.kill(helper, 0)
        except ProcessLookupError:
            break
        with open(f"/proc/{helper}/stat") as f:
            if f.read().split(")")[1].split()[0] == "Z":
                break
        time.sleep(0.05)
    else:
        raise AssertionError(f"the bootstrap's helper {helper} outlived its instance")


def test_the_runtime_api_takes_a_chunked_answer():
    import http.client
    import threading

    from dsync_emulator.lambda_runner.runtime_api import RuntimeApi

    api = RuntimeApi()
    try:
        api.send({"requestId": "r1", "deadline": 0, "invokedFunctionArn": "arn", "event": {"a": 1}})
        host, port = api.address.split(":")
        connection = http.client.HTTPConnection(host, int(port))
        connection.request("GET", "/2018-06-01/runtime/invocation/next")
        assert connection.getresponse().read() == b'{"a": 1}'
        connection.request("POST", "/2018-06-01/runtime/invocation/r1/response", body=iter([b'{"ok":', b" true}"]), encode_chunked=True)
        answered = connection.getresponse()
        assert (answered.status, answered.read()) == (202, b'{"status": "OK"}')
        messages = [api.messages.get(timeout=5) for _ in range(2)]
        assert messages == [("next",), ("response", "r1", b'{"ok": true}')]
        # The connection is still good for the next poll.
        threading.Timer(0.2, api.send, [{"requestId": "r2", "deadline": 0, "invokedFunctionArn": "arn", "event": {}}]).start()
        connection.request("GET", "/2018-06-01/runtime/invocation/next")
        assert connection.getresponse().getheader("Lambda-Runtime-Aws-Request-Id") == "r2"
    finally:
        api.close()
