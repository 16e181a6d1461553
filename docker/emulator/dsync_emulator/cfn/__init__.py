"""dsync's emulator, CloudFormation: what AWS does server-side and moto does not.

- sam_transform: the SAM transform, applied as CloudFormation applies it
  (with the aws-sam-translator SAM CLI pins), before moto sees a template;
- stacks: stack operations that fail as CloudFormation's do, instead of an
  HTTP 500 and an unreadable stack; recreating a stack whose creation
  failed; UsePreviousValue of a defaulted parameter;
- templates: GetTemplate's Original and Processed stages,
  GetTemplateSummary's DeclaredTransforms, TemplateURL on any host.
"""

from samtranslator.translator.translator import Translator

from .. import patching
from . import stacks, templates


def install():
    patching.require(Translator, "__init__", params=("managed_policy_map", "sam_parser", "boto_session"))
    patching.require(Translator, "translate", params=("sam_template", "parameter_values", "get_managed_policy_map"))
    stacks.install()
    templates.install()
