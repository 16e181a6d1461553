"""What the bridges share: the emulator's own S3 objects, an API's OpenAPI
document, and the mixin of the CloudFormation models moto lacks."""

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.cloudformation.models import Stack


def s3_text(account_id, bucket, key):
    """An object of the emulator's own S3, as text (a template, a definition, an OpenAPI body)."""
    from moto.s3.models import s3_backends

    return s3_backends[account_id]["aws"].get_object(bucket, key).value.decode("utf-8")


def api_body(props, account_id):
    """An API's OpenAPI document: Body, or the file BodyS3Location names (JSON or YAML)."""
    body = props.get("Body")
    location = props.get("BodyS3Location")
    if body is None and location:
        body = Stack.parse_template(s3_text(account_id, location["Bucket"], location["Key"]))
    return body


class BridgeModel:
    """What the CloudFormation models moto lacks have in common. A model is
    declared as (BridgeModel, CloudFormationModel): moto finds models as
    *direct* subclasses of CloudFormationModel, so this must stay a mixin.
    Subclasses name the type and its name property, and set __module__ to
    moto.<service>.dsync_bridge (moto's BaseModel derives the service from the
    module name). By default an update creates the resource anew and a delete
    does nothing."""

    CFN_TYPE = None
    NAME_PROPERTY = None

    @classmethod
    def cloudformation_type(cls):
        return cls.CFN_TYPE

    @classmethod
    def cloudformation_name_type(cls):
        return cls.NAME_PROPERTY

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        return None


class Created:
    """What the stack holds for a resource a bridge made in a moto backend: its Ref and its GetAtt attributes."""

    def __init__(self, physical_id, attributes):
        self.physical_id = physical_id
        self.attributes = attributes

    @property
    def physical_resource_id(self):
        return self.physical_id

    def get_cfn_attribute(self, name):
        if name not in self.attributes:
            raise UnformattedGetAttTemplateException()
        return self.attributes[name]

    @staticmethod
    def has_cfn_attr(attr):
        return True

    @staticmethod
    def is_created():
        return True
