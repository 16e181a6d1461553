"""dsync's emulator, gaps: what moto cannot create, said plainly, and stand-ins.

moto lacks some resource types and fails on some properties of others (a
bucket whose encryption rule has only BucketKeyEnabled). For a resource that
is not code (buckets, queues, topics, tables, roles, alarms, ...) the
emulator records the gap, puts a stand-in in its place (a physical id and
attributes, so Refs and GetAtts still resolve) and goes on: the app's
functions still deploy. Functions, layers, state machines and APIs stay
exact: a failure there fails the stack, with moto's own error recorded so
dsync can say it is the emulator's gap and not the user's template.

Gaps are served at GET /_dsync/gaps (dsync_moto.py) as a JSON list.
"""
import threading
import time
import traceback

from moto.cloudformation import parsing as cfn_parsing
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException, ValidationError
from moto.core.common_models import CloudFormationModel

# Failures of these are real failures: what the developer deploys and runs.
EXACT_TYPES = {
    "AWS::Lambda::Function",
    "AWS::Lambda::LayerVersion",
    "AWS::Lambda::Version",
    "AWS::Lambda::Alias",
    "AWS::StepFunctions::StateMachine",
    "AWS::ApiGateway::RestApi",
    "AWS::ApiGateway::Deployment",
    "AWS::ApiGateway::Stage",
    "AWS::ApiGatewayV2::Api",
    "AWS::ApiGatewayV2::Stage",
    "AWS::CloudFormation::Stack",
}

_lock = threading.Lock()
_gaps = []
_current = threading.local()


def begin(stack_name):
    """A stack operation starts on this thread: gaps found now belong to `stack_name`."""
    _current.stack = stack_name
    _current.failure = None


def last_failure():
    return getattr(_current, "failure", None)


def stack_failure(stack_name, error):
    """A failure of the stack operation itself, outside any one resource (moto's template handling)."""
    return _record(stack_name, "AWS::CloudFormation::Stack", "failed", error)


def gaps():
    with _lock:
        return list(_gaps)


def _where(error):
    """The innermost moto frame of a traceback: the line to look at."""
    frames = traceback.extract_tb(error.__traceback__)
    inner = [f for f in frames if "/moto/" in f.filename] or frames
    if not inner:
        return "?"
    frame = inner[-1]
    path = frame.filename[frame.filename.find("moto/"):] if "moto/" in frame.filename else frame.filename
    return f"{path}:{frame.lineno} in {frame.name}"


def _record(logical_id, resource_type, kind, error=None, stand_in=False):
    entry = {
        "stack": getattr(_current, "stack", None),
        "logicalId": logical_id,
        "type": resource_type,
        "kind": kind,  # "unsupported": no moto model; "failed": moto raised
        "error": f"{type(error).__name__}: {error}" if error else f"moto has no CloudFormation support for {resource_type}",
        "where": _where(error) if error else "moto/cloudformation/parsing.py",
        "standIn": stand_in,
        "time": time.time(),
    }
    with _lock:
        _gaps.append(entry)
    if not stand_in:
        _current.failure = entry
    return entry


class StandIn(CloudFormationModel):
    """In place of a resource moto cannot create: an id and attributes, nothing behind them."""

    __module__ = "moto.cloudformation.dsync_standin"

    def __init__(self, logical_id, resource_type, account_id, region_name):
        self.logical_id = logical_id
        self.resource_type = resource_type
        self.account_id = account_id
        self.region_name = region_name
        service = resource_type.split("::")[1].lower() if resource_type.count("::") >= 2 else "unknown"
        self.arn = f"arn:aws:{service}:{region_name}:{account_id}:dsync-standin/{logical_id}"

    @property
    def physical_resource_id(self):
        return f"dsync-standin-{self.logical_id}"

    @staticmethod
    def cloudformation_type():
        return "Dsync::Emulator::StandIn"

    @classmethod
    def has_cfn_attr(cls, attr):
        return True

    def get_cfn_attribute(self, attribute_name):
        if attribute_name.endswith("Arn") or attribute_name == "Arn":
            return self.arn
        if attribute_name.endswith("Url") or attribute_name.endswith("URL"):
            return f"https://dsync-standin.invalid/{self.logical_id}"
        if attribute_name:
            return f"dsync-standin-{self.logical_id}-{attribute_name}"
        raise UnformattedGetAttTemplateException()

    def is_created(self):
        return True

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        return cls(kwargs.get("LogicalId", resource_name), kwargs.get("ResourceType", "?"), account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        return None


def install():
    original_class_from_type = cfn_parsing.resource_class_from_type
    original_create = cfn_parsing.parse_and_create_resource
    original_update = cfn_parsing.parse_and_update_resource

    def resource_class_from_type(resource_type):
        found = original_class_from_type(resource_type)
        if found is None and resource_type not in cfn_parsing.NULL_MODELS and not resource_type.startswith("Custom::"):
            return _Unsupported(resource_type)
        return found

    class _Unsupported:
        """What resource_class_from_type hands moto for a type it has no model of."""

        def __init__(self, resource_type):
            self.resource_type = resource_type

        def cloudformation_name_type(self):
            return None

        def has_cfn_attr(self, attr):
            # moto checks the Outputs' GetAtt against the class before creating
            # anything; the stand-in answers every attribute (see StandIn).
            return True

        def create_from_cloudformation_json(self, resource_name, cloudformation_json, account_id, region_name, **kwargs):
            logical_id = kwargs.get("LogicalId", resource_name)
            if self.resource_type in EXACT_TYPES:
                raise NotImplementedError(f"moto has no CloudFormation support for {self.resource_type}")
            _record(logical_id, self.resource_type, "unsupported", stand_in=True)
            return StandIn(logical_id, self.resource_type, account_id, region_name)

        def update_from_cloudformation_json(self, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
            return original_resource

        def delete_from_cloudformation_json(self, *args, **kwargs):
            return None

    def create(logical_id, resource_json, resources_map, account_id, region_name):
        try:
            return original_create(logical_id, resource_json, resources_map, account_id, region_name)
        except ValidationError:
            raise  # the template's own error (an unknown resource in a GetAtt...): AWS refuses it too
        except Exception as error:  # noqa: BLE001 - moto's own failure: record it, stand in where that is safe
            resource_type = resource_json.get("Type", "?")
            if resource_type in EXACT_TYPES:
                _record(logical_id, resource_type, "failed", error)
                raise
            _record(logical_id, resource_type, "failed", error, stand_in=True)
            stand_in = StandIn(logical_id, resource_type, account_id, region_name)
            stand_in.cf_resource_type = resource_type
            stand_in.logical_resource_id = logical_id
            return stand_in

    def update(logical_id, resource_json, resources_map, account_id, region_name):
        resource_type = resource_json.get("Type", "?")
        try:
            updated = original_update(logical_id, resource_json, resources_map, account_id, region_name)
        except ValidationError:
            raise
        except Exception as error:  # noqa: BLE001
            if resource_type in EXACT_TYPES:
                _record(logical_id, resource_type, "failed", error)
                raise
            _record(logical_id, resource_type, "failed", error, stand_in=True)
            return StandIn(logical_id, resource_type, account_id, region_name)
        if updated is None:
            # A type moto cannot update in place (Lambda::Permission when an API path
            # changes) stores None: replace it, as CloudFormation does.
            updated = create(logical_id, resource_json, resources_map, account_id, region_name)
        return updated

    cfn_parsing.resource_class_from_type = resource_class_from_type
    cfn_parsing.parse_and_create_resource = create
    cfn_parsing.parse_and_update_resource = update
