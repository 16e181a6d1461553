"""dsync's emulator, stand-ins: in place of a resource moto cannot create.

A resource type moto has no model of, or whose creation moto fails on, gets
a stand-in (a physical id and attributes, so Refs and GetAtts still
resolve) unless it is one of gaps.EXACT_TYPES; either way the gap is
recorded (gaps.py). Installed by wrapping moto's CloudFormation parsing:
resource_class_from_type, parse_and_create_resource, parse_and_update_resource.
"""

from moto.cloudformation import parsing as cfn_parsing
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException, ValidationError
from moto.core.common_models import CloudFormationModel

from . import gaps, patching

RESOURCE_PARAMS = ("logical_id", "resource_json", "resources_map", "account_id", "region_name")


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


class Unsupported:
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
        if self.resource_type in gaps.EXACT_TYPES:
            raise NotImplementedError(f"moto has no CloudFormation support for {self.resource_type}")
        gaps.record(logical_id, self.resource_type, "unsupported", stand_in=True)
        return StandIn(logical_id, self.resource_type, account_id, region_name)

    def update_from_cloudformation_json(self, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        return original_resource

    def delete_from_cloudformation_json(self, *args, **kwargs):
        return None


def _class_from_type(original):
    def resource_class_from_type(resource_type):
        found = original(resource_type)
        if found is None and resource_type not in cfn_parsing.NULL_MODELS and not resource_type.startswith("Custom::"):
            return Unsupported(resource_type)
        return found

    return resource_class_from_type


def _create(original):
    def create(logical_id, resource_json, resources_map, account_id, region_name):
        try:
            return original(logical_id, resource_json, resources_map, account_id, region_name)
        except ValidationError:
            raise  # the template's own error (an unknown resource in a GetAtt...): AWS refuses it too
        except Exception as error:  # moto's own failure: record it, stand in where that is safe
            resource_type = resource_json.get("Type", "?")
            if resource_type in gaps.EXACT_TYPES:
                gaps.record(logical_id, resource_type, "failed", error)
                raise
            gaps.record(logical_id, resource_type, "failed", error, stand_in=True)
            stand_in = StandIn(logical_id, resource_type, account_id, region_name)
            stand_in.cf_resource_type = resource_type
            stand_in.logical_resource_id = logical_id
            return stand_in

    return create


def _update(original):
    def update(logical_id, resource_json, resources_map, account_id, region_name):
        resource_type = resource_json.get("Type", "?")
        try:
            updated = original(logical_id, resource_json, resources_map, account_id, region_name)
        except ValidationError:
            raise
        except Exception as error:
            if resource_type in gaps.EXACT_TYPES:
                gaps.record(logical_id, resource_type, "failed", error)
                raise
            gaps.record(logical_id, resource_type, "failed", error, stand_in=True)
            return StandIn(logical_id, resource_type, account_id, region_name)
        if updated is None:
            # A type moto cannot update in place (Lambda::Permission when an API path
            # changes) stores None: replace it, as CloudFormation does.
            updated = cfn_parsing.parse_and_create_resource(logical_id, resource_json, resources_map, account_id, region_name)
        return updated

    return update


def install():
    patching.require(cfn_parsing, "NULL_MODELS")
    patching.wrap(cfn_parsing, "resource_class_from_type", _class_from_type, params=("resource_type",))
    patching.wrap(cfn_parsing, "parse_and_create_resource", _create, params=RESOURCE_PARAMS)
    patching.wrap(cfn_parsing, "parse_and_update_resource", _update, params=RESOURCE_PARAMS)
