"""The emulator's own routes: the table (pure), then each route over HTTP."""

import io
import json
import zipfile

import pytest
import requests

from dsync_emulator import routes
from support import REGION, make_zip


def test_patterns_match_segments_and_rest():
    regex = routes.compile_pattern("/_dsync/lambda/<region>/<function>/code")
    assert regex.fullmatch("/_dsync/lambda/us-east-1/fn/code").groupdict() == {"region": "us-east-1", "function": "fn"}
    assert regex.fullmatch("/_dsync/lambda/us-east-1/fn/1/code") is None
    rest = routes.compile_pattern("/_dsync/lambda/<rest:path>")
    assert rest.fullmatch("/_dsync/lambda/").groupdict() == {"rest": ""}
    assert rest.fullmatch("/_dsync/lambda/a/b/c").groupdict() == {"rest": "a/b/c"}
    assert routes.compile_pattern("/a.b/<x>").fullmatch("/aXb/1") is None  # literals are literal


@pytest.mark.parametrize(
    ("method", "path", "handler", "params"),
    [
        ("GET", "/_dsync/lambda/r/fn/code", routes.function_code, {"region": "r", "function": "fn"}),
        ("HEAD", "/_dsync/lambda/r/fn/live/code", routes.function_code, {"region": "r", "function": "fn", "qualifier": "live"}),
        ("GET", "/_dsync/lambda/r/layers/lib/3/code", routes.layer_code, {"region": "r", "name": "lib", "version": "3"}),
        # A function named "layers" with a qualifier stays a function, as before the table.
        ("GET", "/_dsync/lambda/r/layers/2/code", routes.function_code, {"region": "r", "function": "layers", "qualifier": "2"}),
        ("GET", "/_dsync/lambda/r/fn", routes.unknown, {"rest": "r/fn"}),
        ("POST", "/_dsync/gaps", routes.gap_list, {}),
        ("GET", "/_dsync/streams/r/s", routes.streams, {"region": "r", "stack": "s"}),
        ("GET", "/_dsync/streams/r", routes.streams, {"rest": "r"}),
        ("POST", "/_dsync/invoke/r/s/Fn", routes.invoke, {"region": "r", "stack": "s", "logical_id": "Fn"}),
        ("POST", "/_dsync/invoke/r/s", routes.invoke_usage, {"rest": "r/s"}),
        ("DELETE", "/restapis/a1/stages/Prod/cache/data", routes.flush_cache, {"api": "a1", "stage": "Prod"}),
        ("DELETE", "/restapis/a1/stages/Prod/cache/authorizers", routes.flush_cache, {"api": "a1", "stage": "Prod"}),
    ],
)
def test_the_table_routes(method, path, handler, params):
    route, found = routes.find(routes.table([]), method, path)
    assert route.handler is handler
    assert found == params


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/_dsync/invoke/r/s/Fn"),  # invoke is POST only: anything else is moto's
        ("GET", "/restapis/a1/stages/Prod/cache/data"),
        ("GET", "/_dsync/gaps/"),
        ("GET", "/_dsync/lambda"),
        ("GET", "/2015-03-31/functions/"),
    ],
)
def test_what_the_table_leaves_to_moto(method, path):
    assert routes.find(routes.table([]), method, path) is None


@pytest.fixture
def lam(emulator):
    return emulator.client("lambda")


def test_function_code_version_and_alias(emulator, lam, name, role):
    first = make_zip({"index.js": "exports.handler = async () => 1;"})
    lam.create_function(FunctionName=name, Runtime="nodejs20.x", Role=role, Handler="index.handler", Code={"ZipFile": first})
    lam.publish_version(FunctionName=name)
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    second = make_zip({"index.js": "exports.handler = async () => 2;"})
    lam.update_function_code(FunctionName=name, ZipFile=second)
    latest = requests.get(f"{emulator.url}/_dsync/lambda/{REGION}/{name}/code", timeout=10)
    assert latest.status_code == 200
    assert latest.headers["Content-Type"] == "application/zip"
    assert latest.content == second
    for qualifier in ("1", "live"):
        old = requests.get(f"{emulator.url}/_dsync/lambda/{REGION}/{name}/{qualifier}/code", timeout=10)
        assert zipfile.ZipFile(io.BytesIO(old.content)).read("index.js") == b"exports.handler = async () => 1;"


def test_layer_code(emulator, lam, name):
    data = make_zip({"nodejs/node_modules/lib/index.js": "module.exports = 1;"})
    published = lam.publish_layer_version(LayerName=name, Content={"ZipFile": data})
    answer = requests.get(f"{emulator.url}/_dsync/lambda/{REGION}/layers/{name}/{published['Version']}/code", timeout=10)
    assert answer.status_code == 200
    assert answer.content == data


def test_lookups_that_fail_are_404s(emulator):
    missing = requests.get(f"{emulator.url}/_dsync/lambda/{REGION}/no-such-function/code", timeout=10)
    assert missing.status_code == 404
    assert missing.headers["Content-Type"].startswith("text/plain")
    assert missing.text.startswith("not found: ")
    unknown = requests.get(f"{emulator.url}/_dsync/lambda/{REGION}/x", timeout=10)
    assert (unknown.status_code, unknown.text) == (404, "unknown dsync route\n")


def test_gaps_and_apis_are_json_lists(emulator):
    for path in ("/_dsync/gaps", "/_dsync/apis"):
        answer = requests.get(emulator.url + path, timeout=10)
        assert answer.status_code == 200
        assert answer.headers["Content-Type"] == "application/json"
        assert isinstance(answer.json(), list)


def test_streams_of_an_unknown_stack_are_empty(emulator):
    for path in (f"/_dsync/streams/{REGION}/no-such-stack", "/_dsync/streams/only-one-part"):
        answer = requests.get(emulator.url + path, timeout=10)
        assert (answer.status_code, answer.json()) == (200, {})


def test_invoke_answers_usage_and_unknown_stacks(emulator):
    usage = requests.post(f"{emulator.url}/_dsync/invoke/{REGION}/too-short", data="{}", timeout=10)
    assert usage.status_code == 400
    assert usage.text == "usage: POST /_dsync/invoke/<region>/<stack>/<logical id>\n"
    missing = requests.post(f"{emulator.url}/_dsync/invoke/{REGION}/no-such-stack/Fn", data="{}", timeout=10)
    assert missing.status_code == 404
    assert "no stack no-such-stack" in missing.json()["message"]


def test_flush_stage_cache_is_accepted(emulator):
    client = emulator.client("apigateway")
    api = client.create_rest_api(name="flush")
    client.flush_stage_cache(restApiId=api["id"], stageName="Prod")  # moto alone has no such API
    client.flush_stage_authorizers_cache(restApiId=api["id"], stageName="Prod")
    answer = requests.delete(f"{emulator.url}/restapis/{api['id']}/stages/Prod/cache/data", timeout=10)
    assert answer.status_code == 202


def test_an_api_moto_lacks_is_a_clear_400(emulator):
    answer = requests.get(f"{emulator.url}/applications", headers={"Authorization": auth_header("serverlessrepo")}, timeout=10)
    assert answer.status_code == 400
    body = json.loads(answer.text)
    assert body["__type"] == "UnsupportedOperation"
    assert "has no API for GET /applications" in body["message"]


def auth_header(service):
    """A SigV4 Authorization header's shape, which is how moto tells the service of a request."""
    return f"AWS4-HMAC-SHA256 Credential=testing/20240101/{REGION}/{service}/aws4_request, SignedHeaders=host, Signature=0"
