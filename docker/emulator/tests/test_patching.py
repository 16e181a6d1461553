"""The patch helper: a missing, renamed or changed target fails loudly, and
every patch the emulator installs exists in the pinned moto and is in place."""

import inspect
import re
import subprocess
import sys
from importlib.metadata import version

import pytest

from dsync_emulator import patching, server
from support import DOCKER_DIR, EMULATOR_DIR


@pytest.fixture
def registry(monkeypatch):
    """A registry of its own, so throwaway patches do not mix with the emulator's."""
    installed = []
    monkeypatch.setattr(patching, "INSTALLED", installed)
    return installed


def make_owner():
    """A throwaway class, as a library would have it."""

    class Backend:
        def put_thing(self, thing_id, body, mode="merge"):
            return ("put", thing_id, body, mode)

        @classmethod
        def create(cls, resource_name, properties):
            return (cls.__name__, resource_name, properties)

    return Backend


def test_wrap_calls_through_and_records(registry):
    owner = make_owner()
    patching.wrap(owner, "put_thing", lambda original: lambda self, thing_id, body, mode="merge": original(self, thing_id, body.upper(), mode))
    assert owner().put_thing("a", "body") == ("put", "a", "BODY", "merge")
    assert [(p.owner, p.name, p.kind) for p in registry] == [(owner, "put_thing", "wrap")]


def test_a_missing_target_raises_naming_it_and_the_version(registry):
    owner = make_owner()
    with pytest.raises(patching.PatchError) as raised:
        patching.wrap(owner, "put_things", lambda original: original)
    message = str(raised.value)
    assert f"{owner.__module__}.{owner.__qualname__}.put_things" in message
    assert "no such attribute" in message
    assert not registry


def test_a_renamed_target_raises(registry):
    owner = make_owner()
    owner.put_thing_v2 = owner.put_thing  # the library renamed it
    del owner.put_thing
    with pytest.raises(patching.PatchError, match=r"put_thing: no such attribute \(renamed or removed\?\)"):
        patching.replace(owner, "put_thing", lambda self, thing_id, body, mode="merge": None)
    assert "put_thing" not in vars(owner)  # nothing was added in its place


def test_a_changed_signature_raises(registry):
    owner = make_owner()
    with pytest.raises(patching.PatchError, match=r"its parameters are \(self, thing_id, body, mode\); the patch relies on api_doc"):
        patching.wrap(owner, "put_thing", lambda original: original, params=("thing_id", "api_doc"))


def test_reordered_parameters_raise(registry):
    owner = make_owner()
    with pytest.raises(patching.PatchError, match="no longer in the order body, thing_id"):
        patching.wrap(owner, "put_thing", lambda original: original, params=("body", "thing_id"))


def test_the_version_named_is_the_owners_library():
    assert patching.library_version(patching.PatchError) == "dsync_emulator (version unknown)"
    import moto.awslambda.models as lam

    assert patching.library_version(lam.LambdaFunction) == f"moto {version('moto')}"


def test_wrap_classmethod_keeps_it_a_classmethod(registry):
    owner = make_owner()

    class Child(owner):
        pass

    patching.wrap_classmethod(owner, "create", lambda inner, cls, name, props: inner(cls, name.upper(), props), params=("resource_name",))
    assert isinstance(inspect.getattr_static(owner, "create"), classmethod)
    assert Child.create("a", {}) == ("Child", "A", {})


def test_wrap_classmethod_refuses_a_plain_function(registry):
    with pytest.raises(patching.PatchError, match="no longer a classmethod"):
        patching.wrap_classmethod(make_owner(), "put_thing", lambda inner, cls: None)


def test_patching_twice_raises(registry):
    owner = make_owner()
    patching.wrap(owner, "put_thing", lambda original: lambda self, *a: original(self, *a))
    with pytest.raises(patching.PatchError, match="patched already"):
        patching.wrap(owner, "put_thing", lambda original: original)


def library_use(resource):
    """Library code that looks a hook up by name."""
    return resource.get_cfn_attribute("Arn")


def test_add_gives_a_hook_the_library_calls(registry):
    owner = make_owner()
    patching.add(owner, "get_cfn_attribute", lambda self, name: f"arn:{name}", called_by=library_use)
    assert library_use(owner()) == "arn:Arn"


def test_add_refuses_a_hook_nobody_calls_any_more():
    owner = make_owner()
    with pytest.raises(patching.PatchError, match="no longer looks for get_cfn_attribute"):
        patching.add(owner, "get_cfn_attribute", lambda self, name: None, called_by=make_owner)


def test_add_refuses_what_the_library_now_defines(registry):
    owner = make_owner()
    with pytest.raises(patching.PatchError, match="the library now defines it itself"):
        patching.add(owner, "put_thing", lambda self: None, called_by=make_owner)


def make_response_class():
    """A throwaway moto response class, as moto's services define them."""
    from moto.core.responses import BaseResponse

    class ThingResponse(BaseResponse):
        def start_execution(self):
            return "started"

    return ThingResponse


def test_add_action_gives_moto_an_operation_it_dispatches_by_name(registry):
    from moto.core.utils import camelcase_to_underscores, method_names_from_class

    response_class = make_response_class()
    patching.add_action(response_class, "stepfunctions", "StartSyncExecution", lambda self: "ran")
    # What moto's call_action does with a request for the operation.
    name = camelcase_to_underscores("StartSyncExecution")
    assert name in method_names_from_class(response_class)
    assert getattr(response_class(), name)() == "ran"
    assert [(p.name, p.kind) for p in registry] == [("start_sync_execution", "add")]


def test_add_action_refuses_what_moto_answers_itself(registry):
    with pytest.raises(patching.PatchError, match="moto answers StartExecution itself now"):
        patching.add_action(make_response_class(), "stepfunctions", "StartExecution", lambda self: None)


def test_add_action_refuses_an_operation_the_service_does_not_have(registry):
    with pytest.raises(patching.PatchError, match="has no operation StartWarpDrive"):
        patching.add_action(make_response_class(), "stepfunctions", "StartWarpDrive", lambda self: None)
    assert not registry


def test_add_action_refuses_when_moto_no_longer_dispatches_by_name(registry, monkeypatch):
    monkeypatch.setattr(patching, "_DISPATCH_MARKS", ("self._dispatch_table[operation]",))
    with pytest.raises(patching.PatchError, match="no longer dispatches a request to the method named after its operation"):
        patching.add_action(make_response_class(), "stepfunctions", "StartSyncExecution", lambda self: None)


def test_require_checks_without_patching(registry):
    owner = make_owner()
    assert patching.require(owner, "put_thing", params=("thing_id", "body")) is owner.put_thing
    with pytest.raises(patching.PatchError, match="Backend.get_thing"):
        patching.require(owner, "get_thing")
    assert not registry


def test_every_emulator_patch_is_in_place(emulator):
    """After start-up each recorded patch is what the owner now holds (none overwritten by another)."""
    assert len(patching.INSTALLED) >= 40
    for patch in patching.INSTALLED:
        assert inspect.getattr_static(patch.owner, patch.name) is patch.value, patch.target
        assert patch.target.startswith("moto."), patch.target


def test_every_patch_target_exists_in_the_pinned_moto():
    """A fresh interpreter installs every patch on the pinned moto: a version that renamed a target fails here."""
    script = (
        "from dsync_emulator import server, patching\n"
        "server.install_patches()\n"
        "print(len(patching.INSTALLED))\n"
        "print('\\n'.join(p.target for p in patching.INSTALLED))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=EMULATOR_DIR, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    count, *targets = done.stdout.split()
    assert int(count) == len(targets) == len(set(targets))
    for expected in (
        "moto.cloudformation.parsing.parse_and_create_resource",
        "moto.apigateway.models.APIGatewayBackend.put_rest_api",
        "moto.apigatewayv2.models.Api.import_api",
        "moto.awslambda.models.LambdaFunction.invoke",
        "moto.stepfunctions.models.StateMachine.create_from_cloudformation_json",
        "moto.cloudformation.models.CloudFormationBackend.create_stack",
        "moto.cloudformation.responses.CloudFormationResponse.get_template",
        "moto.stepfunctions.responses.StepFunctionResponse.start_sync_execution",
        "moto.stepfunctions.parser.asl.component.common.string.string_expression.extract_json",
    ):
        assert expected in targets


def test_installing_twice_is_a_no_op(emulator):
    before = list(patching.INSTALLED)
    server.install_patches()
    assert before == patching.INSTALLED


def test_the_suite_runs_the_versions_the_dockerfile_pins():
    dockerfile = (DOCKER_DIR / "Dockerfile").read_text()
    pins = dict(re.findall(r"^ARG (MOTO_VERSION|SAM_TRANSLATOR_VERSION)=(\S+)", dockerfile, re.M))
    assert version("moto") == pins["MOTO_VERSION"]
    assert version("aws-sam-translator") == pins["SAM_TRANSLATOR_VERSION"]
