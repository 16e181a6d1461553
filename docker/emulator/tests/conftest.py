"""Fixtures: the emulator, in this process, for every test.

Every patch is installed once, as at start-up, and the emulator's WSGI app
(its own routes, then moto's) is served by a werkzeug server on a free
loopback port in a thread of this process, with two API ports beside it.
boto3 clients talk to it over HTTP as SAM does. No container, no Docker.
Helpers the tests share are in support.py.
"""

import os
import shutil
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the dsync_emulator package
sys.path.insert(0, str(Path(__file__).resolve().parent))  # support.py

from dsync_emulator import gateway, lambda_runner, server
from dsync_emulator.lambda_runner import code, node
from support import BUCKET, HANDLER, Emulator, free_port, make_zip, upload


@pytest.fixture(scope="session")
def emulator():
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    server.install_patches()
    api_ports = [free_port(), free_port()]
    httpd = make_server("127.0.0.1", 0, server.build_app(api_ports), threaded=True, request_handler=MotoRequestHandler)
    os.environ["MOTO_PORT"] = str(httpd.server_port)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    gateway.Gateway(api_ports).start("127.0.0.1")
    server.create_buckets([BUCKET])
    yield Emulator(httpd.server_port, api_ports)
    httpd.shutdown()
    for pool in lambda_runner.RUNTIME.instances.values():
        for instance in pool:
            instance.kill()


@pytest.fixture
def cfn(emulator):
    return emulator.client("cloudformation")


@pytest.fixture
def s3(emulator):
    client = emulator.client("s3")
    client.create_bucket(Bucket=BUCKET)  # again: a test of sam-tools may have reset moto
    return client


@pytest.fixture
def name():
    """A name no other test uses (stacks, functions, APIs share one emulator)."""
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.fixture
def code_uri(s3, name):
    """A Node.js function's package in the artifact bucket (index.handler)."""
    return upload(s3, f"{name}/code.zip", make_zip({"index.js": HANDLER}))


@pytest.fixture(scope="session")
def node_major():
    """The major of the Node.js on this machine; skips a test that runs functions when there is none."""
    binary = shutil.which("node")
    if binary is None:
        pytest.skip("no node on this machine: the functions the emulator runs need Node.js")
    return subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout.strip().lstrip("v").split(".")[0]


@pytest.fixture
def runtime(node_major, tmp_path, monkeypatch):
    """The Runtime of this machine's Node.js, which the runner finds where the image has its own; code unpacks into tmp_path."""
    home = tmp_path / f"node{node_major}" / "bin"
    home.mkdir(parents=True)
    (home / "node").symlink_to(shutil.which("node"))
    monkeypatch.setattr(node, "NODE_CANDIDATES", (str(tmp_path / "node{major}" / "bin" / "node"),))
    monkeypatch.setattr(code, "WORK_DIR", str(tmp_path / "work"))
    return f"nodejs{node_major}.x"


@pytest.fixture
def role(emulator):
    """An IAM role Lambda can assume (moto checks that it exists)."""
    iam = emulator.client("iam")
    trust = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
    try:
        return iam.create_role(RoleName="dsync-test", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        return iam.get_role(RoleName="dsync-test")["Role"]["Arn"]


@pytest.fixture
def python_runtime(tmp_path, monkeypatch):
    """The Python that runs the tests stands in for the image's, with this venv's boto3 as the runtime's;
    DSYNC_TEST_PYTHON names another interpreter (scripts/test-python-runtimes.sh runs these tests
    in dsync's image with each Python it adds, and its boto3)."""
    import boto3

    from dsync_emulator.lambda_runner import python

    interpreter = os.environ.get("DSYNC_TEST_PYTHON") or sys.executable
    lib = Path(os.path.realpath(interpreter)).parent.parent / "lib"  # an interpreter from AWS's image links its own libpython
    query = [interpreter, "-c", "import sys; print('{}.{}'.format(*sys.version_info[:2]))"]
    version = subprocess.run(query, capture_output=True, text=True, check=True, env={**os.environ, "LD_LIBRARY_PATH": str(lib)}).stdout.strip()
    home = tmp_path / f"python{version}" / "bin"
    home.mkdir(parents=True)
    (home / f"python{version}").symlink_to(interpreter)
    monkeypatch.setattr(python, "PYTHON_CANDIDATES", (str(tmp_path / "python{version}" / "bin" / "python{version}"),))
    sdk_root = tmp_path / "sdk"
    sdk_root.mkdir()
    image_sdk = Path(python.SDK_ROOT) / version
    (sdk_root / version).symlink_to(image_sdk if image_sdk.is_dir() else Path(boto3.__file__).resolve().parent.parent)
    monkeypatch.setattr(python, "SDK_ROOT", str(sdk_root))
    monkeypatch.setattr(code, "WORK_DIR", str(tmp_path / "work"))
    return f"python{version}"
