"""The SAM transform, server-side, as CloudFormation does it.

CloudFormation expands `Transform: AWS::Serverless-2016-10-31` itself when a
template arrives through CreateStack, UpdateStack, CreateChangeSet,
ValidateTemplate or GetTemplateSummary; moto skips AWS::Serverless::*
resources. Here the template is expanded with the same aws-sam-translator
that SAM CLI pins, before moto sees it, so the unmodified real-AWS flow of
`sam sync` and `sam deploy` works.
"""

import copy
import json
import urllib.parse

import boto3
from moto.cloudformation import models as cfn_models
from moto.cloudformation.models import Stack
from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"


class TemplateError(cfn_models.ValidationError):
    """An invalid SAM template: CloudFormation answers 400 with the translator's reasons."""


def declares_sam(template):
    transform = template.get("Transform") if isinstance(template, dict) else None
    return SAM_TRANSFORM in (transform if isinstance(transform, list) else [transform])


def read_s3_url(url, account_id, partition="aws"):
    """A TemplateURL's body, from the emulator's own S3 (path-style for any host but *.amazonaws.com).

    moto reads it path-style only for hosts named localhost."""
    from moto.s3.models import s3_backends

    parsed = urllib.parse.urlparse(url)
    host, path = parsed.netloc.split(":")[0], parsed.path.lstrip("/")
    if host.endswith("amazonaws.com") and not host.startswith("s3"):
        bucket, key = host.split(".s3")[0], path
    else:
        bucket, _, key = path.partition("/")
    return s3_backends[account_id][partition].get_object(bucket, urllib.parse.unquote(key)).value.decode("utf-8")


def _refuse_repository_apps(template):
    for logical_id, resource in (template.get("Resources") or {}).items():
        location = (resource.get("Properties") or {}).get("Location")
        if resource.get("Type") == "AWS::Serverless::Application" and isinstance(location, dict):
            raise TemplateError(
                f"{logical_id} (AWS::Serverless::Application) comes from the Serverless Application Repository, "
                "which the emulator cannot reach: deploy it to AWS, or use a local template as its Location"
            )


def expand(body, region, parameters=None):
    """(processed body, original body or None when there was nothing to expand)."""
    if body is None or isinstance(body, dict):
        return body, None
    template = Stack.parse_template(body)
    if not declares_sam(template):
        return body, None
    _refuse_repository_apps(template)
    session = boto3.Session(region_name=region, aws_access_key_id="emulator", aws_secret_access_key="emulator")
    translator = Translator(None, Parser(), boto_session=session)
    try:
        processed = translator.translate(
            copy.deepcopy(template),
            parameter_values=dict(parameters or {}),
            # The translator's bundled policy map: no IAM calls.
            get_managed_policy_map=lambda: {},
        )
    except InvalidDocumentException as error:
        causes = "; ".join(str(c) for c in getattr(error, "causes", [])) or str(error)
        raise TemplateError(f"Transform {SAM_TRANSFORM} failed with: {causes}") from error
    return json.dumps(processed), body


def parameter_values(parameters):
    """A stack's parameters as {key: value}, from either form moto passes."""
    if isinstance(parameters, dict):
        return parameters
    return {p["ParameterKey"]: p.get("ParameterValue") for p in parameters or [] if "ParameterValue" in p}
