"""Step Functions bridge: a state machine gets the definition the template gives.

moto reads only DefinitionString: DefinitionS3Location (what the transform
makes of DefinitionUri), an inline Definition and DefinitionSubstitutions
are ignored, and the machine gets an empty definition.
"""

import json

from moto.cloudformation.models import Stack
from moto.stepfunctions import models as sfn

from .. import patching
from .models import s3_text


def definition_string(props, account_id):
    """Set DefinitionString from whichever form of the definition the properties give, substitutions applied."""
    if "DefinitionString" in props:
        text = props["DefinitionString"]
    elif "DefinitionS3Location" in props:
        location = props["DefinitionS3Location"]
        text = json.dumps(Stack.parse_template(s3_text(account_id, location["Bucket"], location["Key"])))
    elif "Definition" in props:
        text = json.dumps(props["Definition"])
    else:
        return
    for key, value in (props.get("DefinitionSubstitutions") or {}).items():
        text = text.replace(f"${{{key}}}", str(value))
    props["DefinitionString"] = text


def _create(inner, cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    definition_string(cloudformation_json["Properties"], account_id)
    return inner(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)


def _update(inner, cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    definition_string(cloudformation_json.get("Properties", {}), account_id)
    return inner(
        cls,
        original_resource=original_resource,
        new_resource_name=new_resource_name,
        cloudformation_json=cloudformation_json,
        account_id=account_id,
        region_name=region_name,
    )


def install():
    machine = sfn.StateMachine
    create_params = ("resource_name", "cloudformation_json", "account_id", "region_name")
    update_params = ("original_resource", "new_resource_name", "cloudformation_json", "account_id", "region_name")
    patching.wrap_classmethod(machine, "create_from_cloudformation_json", _create, params=create_params)
    patching.wrap_classmethod(machine, "update_from_cloudformation_json", _update, params=update_params)
