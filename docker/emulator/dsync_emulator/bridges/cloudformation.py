"""CloudFormation bridge: a nested stack's outputs as GetAtt attributes.

sam sync's dependency-layer stack is read with `!GetAtt Nested.Outputs.X`;
moto's Stack has no get_cfn_attribute: AttributeError: 'Stack' object has no
attribute 'get_cfn_attribute' (moto/cloudformation/parsing.py clean_json).
"""

from moto.cloudformation import parsing as cfn_parsing
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.cloudformation.models import Stack

from .. import patching


def _get_cfn_attribute(self, attribute):
    if attribute.startswith("Outputs."):
        output = self.output_map[attribute[len("Outputs.") :]]
        if output is not None:
            return output.value
    raise UnformattedGetAttTemplateException()


def install():
    patching.add(Stack, "get_cfn_attribute", _get_cfn_attribute, called_by=cfn_parsing.clean_json)
    patching.replace(Stack, "has_cfn_attr", classmethod(lambda cls, attribute: attribute.startswith("Outputs.")), params=("attr",))
