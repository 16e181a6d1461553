"""The helpers beside SAM are plain scripts: their folder goes on the path
so the tests import them as modules. Credentials are dummies; AWS calls go
to moto in this process (mock_aws), never to AWS."""

import os
import sys
from pathlib import Path

import pytest

SAM_TOOLS = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SAM_TOOLS))

for _name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
    os.environ.pop(_name, None)
os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")


@pytest.fixture
def sam_tools():
    return SAM_TOOLS


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A SAM project folder, as the current directory (the helpers work relative to it)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
