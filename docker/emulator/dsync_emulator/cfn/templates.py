"""Templates as CloudFormation answers for them.

- GetTemplate answers TemplateStage=Original with the template as sent, and
  Processed with the expanded one (SAM compares the original to decide
  whether an infrastructure sync can be skipped).
- GetTemplateSummary of a SAM template declares its transform.
- TemplateURL: moto reads it path-style only for hosts named localhost; the
  emulator reads any non-AWS host path-style from its own S3.
"""

from moto.cloudformation import models as cfn_models
from moto.cloudformation import responses as cfn_responses
from moto.cloudformation.models import Stack

from .. import patching
from .sam_transform import SAM_TRANSFORM, declares_sam, read_s3_url


def get_template(self):
    stage = self._get_param("TemplateStage") or "Original"
    stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
    body = stack.template if stage == "Processed" else getattr(stack, "original_template", stack.template)
    return cfn_responses.ActionResult({"TemplateBody": body, "StagesAvailable": ["Original", "Processed"]})


def _get_template_summary(original):
    def get_template_summary(self):
        body = self._get_param("TemplateBody")
        url = self._get_param("TemplateURL")
        if self._get_param("StackName") or not (body or url):
            return original(self)
        if url:
            body = read_s3_url(url, self.current_account)
        summary = cfn_responses.get_template_summary_response_from_template(body)
        if declares_sam(Stack.parse_template(body)):
            summary["DeclaredTransforms"] = [SAM_TRANSFORM]
        return cfn_responses.ActionResult(summary)

    return get_template_summary


def install():
    responses = cfn_responses.CloudFormationResponse
    patching.require(cfn_responses, "ActionResult")
    patching.require(cfn_responses, "get_template_summary_response_from_template", params=("template_body",))
    patching.require(responses, "_get_param")
    patching.require(responses, "cloudformation_backend")
    for module in (cfn_responses, cfn_models):
        patching.replace(module, "get_stack_from_s3_url", read_s3_url, params=("template_url", "account_id", "partition"))
    patching.replace(responses, "get_template", get_template)
    patching.wrap(responses, "get_template_summary", _get_template_summary)
