"""Start-up: the same command line as before, and a moto that renamed a
patch target stops the emulator at start-up with the target's name."""

import subprocess
import sys
import time

import boto3
import pytest
import requests

from dsync_emulator import server
from support import EMULATOR_DIR, free_port


def test_the_command_line():
    args = server.parse_args(["--port", "5001", "--bucket", "a", "--bucket", "b", "--api-port", "3001", "--api-port", "3002"])
    assert (args.host, args.port, args.bucket, args.api_port) == ("0.0.0.0", 5001, ["a", "b"], [3001, 3002])
    defaults = server.parse_args([])
    assert (defaults.host, defaults.port, defaults.bucket, defaults.api_port) == ("0.0.0.0", 5000, [], [])


def wait_until_up(url, process, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the emulator exited: {process.stdout.read()}")
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    pytest.fail("the emulator never answered")


@pytest.fixture
def started():
    """`python -m dsync_emulator` in this folder, as the container runs it."""
    port, api_port = free_port(), free_port()
    argv = [
        sys.executable,
        "-m",
        "dsync_emulator",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--bucket",
        "dsync-artifacts",
        "--api-port",
        str(api_port),
    ]
    process = subprocess.Popen(argv, cwd=EMULATOR_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/moto-api/", process)
        yield port, api_port
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_python_m_dsync_emulator_starts_the_emulator(started):
    port, api_port = started
    url = f"http://127.0.0.1:{port}"
    assert requests.get(f"{url}/moto-api/", timeout=10).status_code == 200
    assert requests.get(f"{url}/_dsync/gaps", timeout=10).json() == []
    assert requests.get(f"{url}/_dsync/apis", timeout=10).json() == []
    s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1")
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["dsync-artifacts"]
    on_api_port = requests.get(f"http://127.0.0.1:{api_port}/", timeout=10)
    assert on_api_port.status_code == 404
    assert on_api_port.json()["message"].startswith("no API is served on this port")


def test_a_renamed_moto_target_stops_the_start_up():
    # What a moto upgrade that renamed APIGatewayBackend.put_rest_api would do to the emulator.
    script = (
        "import runpy, sys\n"
        "from moto.apigateway import models\n"
        "models.APIGatewayBackend.put_rest_api_v2 = models.APIGatewayBackend.put_rest_api\n"
        "del models.APIGatewayBackend.put_rest_api\n"
        "sys.argv = ['dsync_emulator', '--port', '1']\n"
        "runpy.run_module('dsync_emulator', run_name='__main__')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=EMULATOR_DIR, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(
        "dsync_emulator.patching.PatchError: dsync's emulator cannot patch moto.apigateway.models.APIGatewayBackend.put_rest_api: "
    )
    assert "no such attribute (renamed or removed?)" in last
    assert "(installed: moto 5." in last
