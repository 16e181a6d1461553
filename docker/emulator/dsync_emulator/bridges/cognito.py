"""Cognito bridge: AWS::Cognito::UserPool and ::UserPoolClient become real
user pools and app clients in moto's cognito-idp (moto has no CloudFormation
models for them, so they were stand-ins and no token could be had). With
them, `aws cognito-idp admin-initiate-auth --endpoint-url ...` issues tokens
the gateway's JWT authorizers accept (signed with moto's key)."""

from moto.cognitoidp import models as cognito
from moto.core.common_models import CloudFormationModel

from .models import BridgeModel, Created


def _backend(account_id, region_name):
    return cognito.cognitoidp_backends[account_id][region_name]


class CfnUserPool(BridgeModel, CloudFormationModel):
    """AWS::Cognito::UserPool: a user pool in moto (Ref: its id; GetAtt Arn, ProviderName, ProviderURL, UserPoolId)."""

    __module__ = "moto.cognitoidp.dsync_bridge"

    CFN_TYPE = "AWS::Cognito::UserPool"
    NAME_PROPERTY = "UserPoolName"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = dict(cloudformation_json.get("Properties") or {})
        name = props.pop("UserPoolName", None) or resource_name
        pool = _backend(account_id, region_name).create_user_pool(name, props)
        provider = f"cognito-idp.{region_name}.amazonaws.com/{pool.id}"
        return Created(pool.id, {"Arn": pool.arn, "ProviderName": provider, "ProviderURL": f"https://{provider}", "UserPoolId": pool.id})

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        return original_resource  # keep the pool (and its users): an edit of its settings does not replace it here

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        _backend(account_id, region_name).user_pools.pop(resource_name, None)


class CfnUserPoolClient(BridgeModel, CloudFormationModel):
    """AWS::Cognito::UserPoolClient: an app client of a pool (Ref: its id; GetAtt ClientSecret, Name)."""

    __module__ = "moto.cognitoidp.dsync_bridge"

    CFN_TYPE = "AWS::Cognito::UserPoolClient"
    NAME_PROPERTY = "ClientName"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = dict(cloudformation_json.get("Properties") or {})
        pool_id = props.pop("UserPoolId")
        secret = bool(props.pop("GenerateSecret", False))
        props.setdefault("ClientName", resource_name)
        client = _backend(account_id, region_name).create_user_pool_client(pool_id, secret, props)
        return Created(client.id, {"ClientSecret": getattr(client, "secret", None), "Name": props["ClientName"]})

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        return original_resource


def install():
    """The models register themselves by subclassing (bridges.register_models checks)."""
