"""The container's one AWS profile: aws-config names the credentials helper
where the TypeScript side copies sam-tools, and the helper prints the
credentials of the command's environment."""

import configparser
import json
import subprocess

SAM_TOOLS_IN_CONTAINER = "/dsync/tools/sam-tools"


def run(sam_tools, env):
    return subprocess.run(
        ["/bin/sh", str(sam_tools / "credentials.sh")], env={"PATH": "/usr/bin:/bin", **env}, capture_output=True, text=True, timeout=10
    )


def test_the_profile_names_the_helper_in_the_container(sam_tools):
    config = configparser.ConfigParser()
    config.read(sam_tools / "aws-config")
    command = config["profile dsync"]["credential_process"].split()
    assert command[:1] == ["/bin/sh"]
    assert command[1] == f"{SAM_TOOLS_IN_CONTAINER}/credentials.sh"
    assert (sam_tools / command[1].removeprefix(SAM_TOOLS_IN_CONTAINER + "/")).is_file()


def test_the_helper_prints_the_environments_credentials(sam_tools):
    done = run(sam_tools, {"AWS_ACCESS_KEY_ID": "AKIA1", "AWS_SECRET_ACCESS_KEY": "s3cret"})
    assert json.loads(done.stdout) == {"Version": 1, "AccessKeyId": "AKIA1", "SecretAccessKey": "s3cret"}
    with_token = run(sam_tools, {"AWS_ACCESS_KEY_ID": "AKIA1", "AWS_SECRET_ACCESS_KEY": "s3cret", "AWS_SESSION_TOKEN": "tok"})
    assert json.loads(with_token.stdout)["SessionToken"] == "tok"


def test_without_credentials_it_fails_plainly(sam_tools):
    done = run(sam_tools, {})
    assert done.returncode == 1
    assert done.stderr.strip() == "dsync: no AWS credentials were passed to this command"
