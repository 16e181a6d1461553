"""The front door: function URLs (served on ports of their own, payload 2.0,
their Cors), CORS preflights of HTTP APIs (CorsConfiguration) and REST APIs
(SAM's Cors: OPTIONS methods with MOCK integrations)."""

import requests
from werkzeug.test import Client

from dsync_emulator import gateway
from support import deploy, outputs, resources, sam_function, sam_template

PORTS = list(range(20000, 20500))


def served(stack_name, api_id):
    api = next(a for a in gateway.list_apis(PORTS) if a["stack"] == stack_name and a["id"] == api_id)
    return api, Client(gateway.Gateway(PORTS).app_for(api["port"]))


PREFLIGHT = {"Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "content-type,x-trace"}


def test_a_function_url_is_listed_and_serves_every_path(emulator, cfn, name, code_uri, runtime):
    url_config = {
        "AuthType": "NONE",
        "Cors": {
            "AllowOrigins": ["https://app.example.com"],
            "AllowMethods": ["GET", "PUT"],
            "AllowHeaders": ["content-type", "x-trace"],
            "MaxAge": 60,
        },
    }
    outputs_ = {"Url": {"Value": {"Fn::GetAtt": ["FnUrl", "FunctionUrl"]}}}
    deploy(cfn, name, sam_template({"Fn": sam_function(code_uri, runtime, FunctionUrlConfig=url_config)}, outputs_))
    assert outputs(cfn, name)["Url"].endswith(".lambda-url.us-east-1.on.aws/")  # a real URL configuration, not a stand-in
    assert [g for g in requests.get(f"{emulator.url}/_dsync/gaps", timeout=10).json() if g["stack"] == name] == []
    api, client = served(name, "FnUrl")
    assert (api["type"], api["authType"], api["invokeMode"], api["function"]) == ("URL", "NONE", "BUFFERED", resources(cfn, name)["Fn"][1])
    answer = client.get("/any/path/here?q=1")
    assert answer.status_code == 200
    assert answer.get_json() == {"path": "/any/path/here", "params": None, "echo": None, "version": "2.0"}
    assert "Access-Control-Allow-Origin" not in answer.headers  # no Origin: no CORS headers
    cross = client.post("/", headers={"Origin": "https://app.example.com"}, json={})
    assert cross.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    preflight = client.options("/x", headers=PREFLIGHT)
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET,PUT"
    assert preflight.headers["Access-Control-Allow-Headers"] == "content-type,x-trace"
    assert preflight.headers["Access-Control-Max-Age"] == "60"
    refused = client.options("/x", headers={**PREFLIGHT, "Origin": "https://evil.example.com"})
    assert "Access-Control-Allow-Origin" not in refused.headers


def test_an_http_api_answers_preflights_from_its_cors_configuration(emulator, cfn, name, code_uri, runtime):
    events_ = {"Put": {"Type": "HttpApi", "Properties": {"Path": "/items/{id}", "Method": "put"}}}
    template = sam_template({"Fn": sam_function(code_uri, runtime, Events=events_)})
    template["Globals"] = {
        "HttpApi": {
            "CorsConfiguration": {
                "AllowOrigins": ["*"],
                "AllowMethods": ["PUT"],
                "AllowHeaders": ["content-type", "x-trace"],
                "ExposeHeaders": ["x-fn"],
            }
        }
    }
    deploy(cfn, name, template)
    _, client = served(name, "ServerlessHttpApi")
    preflight = client.options("/items/1", headers=PREFLIGHT)
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert preflight.headers["Access-Control-Allow-Methods"] == "PUT"
    put = client.put("/items/1", headers={"Origin": "https://app.example.com"}, json={})
    assert put.status_code == 200
    assert (put.headers["Access-Control-Allow-Origin"], put.headers["Access-Control-Expose-Headers"]) == ("*", "x-fn")


def test_a_rest_api_with_cors_answers_its_options_methods(emulator, cfn, name, code_uri, runtime):
    events_ = {"Put": {"Type": "Api", "Properties": {"Path": "/items/{id}", "Method": "put"}}}
    template = sam_template({"Fn": sam_function(code_uri, runtime, Events=events_)})
    template["Globals"] = {
        "Api": {"Cors": {"AllowOrigin": "'https://app.example.com'", "AllowMethods": "'PUT,OPTIONS'", "AllowHeaders": "'content-type'"}}
    }
    deploy(cfn, name, template)
    _, client = served(name, "ServerlessRestApi")
    preflight = client.options("/Prod/items/1", headers=PREFLIGHT)
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert preflight.headers["Access-Control-Allow-Methods"] == "PUT,OPTIONS"
    assert client.put("/Prod/items/1", json={}).status_code == 200


STREAMING = """
const fs = require('fs');
exports.handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
  const stream = awslambda.HttpResponseStream.from(responseStream, { statusCode: 201, headers: { 'content-type': 'text/plain', 'x-fn': context.functionName } });
  stream.write('first\\n');
  // The second part waits for the caller to have read the first: a gateway that buffered would never deliver it.
  while (event.rawPath === '/report' && !fs.existsSync(process.env.GO_FILE)) await new Promise((r) => setTimeout(r, 20));
  stream.write('second\\n');
  stream.end();
});
"""


def test_a_response_stream_url_sends_each_part_as_it_comes(emulator, cfn, s3, name, runtime, tmp_path):
    from support import make_zip, upload

    go = tmp_path / "go"
    uri = upload(s3, f"{name}/stream.zip", make_zip({"index.js": STREAMING}))
    url_config = {"AuthType": "NONE", "InvokeMode": "RESPONSE_STREAM"}
    fn = sam_function(uri, runtime, FunctionUrlConfig=url_config, Timeout=10, Environment={"Variables": {"GO_FILE": str(go)}})
    deploy(cfn, name, sam_template({"Fn": fn}))
    api, client = served(name, "FnUrl")
    assert api["invokeMode"] == "RESPONSE_STREAM"
    answer = client.get("/report", buffered=False)
    chunks = iter(answer.response)
    assert (answer.status_code, answer.headers["content-type"], answer.headers["x-fn"]) == (201, "text/plain", resources(cfn, name)["Fn"][1])
    assert next(chunks) == b"first\n"
    go.touch()
    assert b"".join(chunks) == b"second\n"
    # The same handler through Invoke (not streamed): its chunks joined, as the payload.
    payload = emulator.client("lambda").invoke(FunctionName=resources(cfn, name)["Fn"][1], Payload=b'{"rawPath": "/direct"}')["Payload"].read()
    assert payload == b"first\nsecond\n"


def test_any_method_and_a_catch_all_route_are_served(emulator, cfn, name, code_uri, runtime):
    rest_events = {"Any": {"Type": "Api", "Properties": {"Path": "/items/{proxy+}", "Method": "any"}}}
    deploy(
        cfn,
        name,
        sam_template(
            {"Fn": sam_function(code_uri, runtime, Events=rest_events), "All": sam_function(code_uri, runtime, Events={"All": {"Type": "HttpApi"}})}
        ),
    )
    _, rest = served(name, "ServerlessRestApi")
    assert rest.get("/Prod/items/a/b").get_json()["params"] == {"proxy": "a/b"}
    assert rest.delete("/Prod/items/x").status_code == 200
    _, http = served(name, "ServerlessHttpApi")
    assert http.get("/anything/at/all").get_json()["path"] == "/anything/at/all"
    assert http.post("/", json={}).status_code == 200
