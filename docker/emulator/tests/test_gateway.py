"""The API gateway: routing and mapping (pure), then REST and HTTP APIs of
deployed stacks served on their ports, each request run by the function."""

import json
import uuid

import requests
from werkzeug.test import Client

from dsync_emulator import gateway
from dsync_emulator.gateway import events, matching, responses
from dsync_emulator.lambda_runner import InvokeResult
from support import REGION, deploy, resources, sam_function, sam_template


def test_match_params_and_proxy():
    assert matching.match("/items/{id}", "/items/42") == {"id": "42"}
    assert matching.match("/items/{id}", "/items/42/x") is None
    assert matching.match("/files/{proxy+}", "/files/a/b") == {"proxy": "a/b"}
    assert matching.match("/files/{proxy+}", "/files") is None
    assert matching.match("/", "/") == {}


def test_literals_beat_params_beat_proxies():
    ranked = sorted(["/{proxy+}", "/items/{id}", "/items/new"], key=matching.specificity, reverse=True)
    assert ranked == ["/items/new", "/items/{id}", "/{proxy+}"]


def test_function_of_an_integration_uri():
    uri = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:fn:live/invocations"
    assert matching.function_of(uri) == ("fn", "live")
    assert matching.function_of("arn:aws:lambda:us-east-1:123456789012:function:fn") == ("fn", None)
    assert matching.function_of("http://example.com") == (None, None)


def answer(value, error=None):
    return InvokeResult(json.dumps(value).encode(), error)


def test_responses_as_api_gateway_maps_them():
    mapped = responses.from_result(
        answer(
            {
                "statusCode": "201",
                "headers": {"A": "1"},
                "multiValueHeaders": {"A": ["0", "1"]},
                "cookies": ["c=1"],
                "body": "aGk=",
                "isBase64Encoded": True,
            }
        ),
        "1.0",
    )
    assert (mapped.status_code, mapped.get_data(), mapped.headers.getlist("A"), mapped.headers["Set-Cookie"]) == (201, b"hi", ["0", "1"], "c=1")
    assert mapped.headers["Content-Type"] == "application/json"
    bare = responses.from_result(answer({"ok": True}), "2.0")  # an HTTP API takes any JSON as a 200 body
    assert (bare.status_code, bare.get_json()) == (200, {"ok": True})
    for malformed, version in (({"ok": True}, "1.0"), ({"statusCode": 200, "body": {"a": 1}}, "1.0"), ({"statusCode": "x"}, "1.0")):
        assert responses.from_result(answer(malformed), version).status_code == 502
    assert responses.from_result(answer({"errorType": "Error"}, "Unhandled"), "2.0").status_code == 502
    assert responses.error(404, "Not Found").headers["x-amzn-ErrorType"] == "NotFoundException"


def test_request_bodies_text_or_base64():
    from werkzeug.test import EnvironBuilder

    text = EnvironBuilder(method="POST", data="{}", content_type="application/json").get_request()
    assert events.request_body(text) == ("{}", False)
    binary = EnvironBuilder(method="POST", data=b"\xff\x00", content_type="image/png").get_request()
    assert events.request_body(binary) == ("/wA=", True)


def served(emulator, stack_name):
    """A client for the gateway's app on the port list_apis gives the stack's first API."""
    ports = list(range(20000, 20500))
    api = next(a for a in gateway.list_apis(ports) if a["stack"] == stack_name)
    return Client(gateway.Gateway(ports).app_for(api["port"]))


def rest_events():
    return {
        "Hello": {"Type": "Api", "Properties": {"Path": "/hello", "Method": "get"}},
        "Item": {"Type": "Api", "Properties": {"Path": "/items/{id}", "Method": "post"}},
        "Files": {"Type": "Api", "Properties": {"Path": "/files/{proxy+}", "Method": "get"}},
    }


def test_a_rest_api_routes_to_its_function(emulator, cfn, name, code_uri, runtime):
    deploy(cfn, name, sam_template({"Fn": sam_function(code_uri, runtime, Events=rest_events())}))
    client = served(emulator, name)
    hello = client.get("/Prod/hello?x=1")
    assert hello.status_code == 200
    assert hello.headers["x-fn"] == resources(cfn, name)["Fn"][1]
    assert hello.get_json() == {"path": "/hello", "params": None, "echo": None, "version": None}
    item = client.post("/Prod/items/42", json={"a": 1})
    assert item.get_json()["params"] == {"id": "42"}
    assert client.get("/Prod/files/a/b.txt").get_json()["params"] == {"proxy": "a/b.txt"}
    assert client.get("/Prod/nothing").status_code == 403
    assert client.get("/Prod/nothing").get_json() == {"message": "Missing Authentication Token"}
    assert client.get("/Nostage/hello").get_json() == {"message": "Forbidden"}


def test_an_http_api_routes_with_payload_2(emulator, cfn, name, code_uri, runtime):
    events_ = {"Hello": {"Type": "HttpApi", "Properties": {"Path": "/hello/{who}", "Method": "get"}}}
    deploy(cfn, name, sam_template({"Fn": sam_function(code_uri, runtime, Events=events_)}))
    client = served(emulator, name)
    hello = client.get("/hello/you")
    assert hello.status_code == 200
    assert hello.get_json() == {"path": "/hello/you", "params": {"who": "you"}, "echo": None, "version": "2.0"}
    assert client.get("/bye").status_code == 404


def test_apis_are_listed_with_their_ports_and_served_on_them(emulator, cfn, code_uri, runtime):
    name = f"a{uuid.uuid4().hex[:10]}"  # sorts before every other test's stacks: the first API port is its
    deploy(cfn, name, sam_template({"Fn": sam_function(code_uri, runtime, Events=rest_events())}))
    listed = requests.get(f"{emulator.url}/_dsync/apis", timeout=10).json()
    [api] = [a for a in listed if a["stack"] == name]
    assert api["id"] == "ServerlessRestApi"
    assert (api["type"], api["region"], api["port"]) == ("REST", REGION, emulator.api_ports[0])
    assert "Prod" in api["stages"]
    hello = requests.get(f"http://127.0.0.1:{api['port']}/Prod/hello", timeout=30)
    assert hello.status_code == 200
    assert hello.json()["path"] == "/hello"


def test_a_port_without_an_api_says_so(emulator):
    answer = Client(gateway.Gateway([]).app_for(4242)).get("/")
    assert answer.status_code == 404
    assert answer.get_json()["message"].startswith("no API is served on this port (the stack has ")
