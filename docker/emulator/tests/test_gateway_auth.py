"""Authorizers at the front door: a REST TOKEN authorizer (allowed, denied,
missing token, context passed on), an HTTP API Lambda authorizer with simple
responses, and an HTTP API JWT authorizer that takes tokens of the
emulator's own Cognito user pool (made from the template by the bridge)."""

import json

import requests
from werkzeug.test import Client

from dsync_emulator import gateway
from support import deploy, make_zip, outputs, sam_function, sam_template, upload

PORTS = list(range(20000, 20500))

# Echoes what the gateway passed on from the authorizer.
ECHO = """
exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ authorizer: event.requestContext.authorizer || null }) });
"""
# TOKEN: "allow" -> Allow the method, "deny" -> Deny, "boom" -> throws Unauthorized.
TOKEN_AUTHORIZER = """
exports.handler = async (event) => {
  if (event.authorizationToken === 'boom') throw new Error('Unauthorized');
  const effect = event.authorizationToken === 'allow' ? 'Allow' : 'Deny';
  const resource = event.authorizationToken === 'elsewhere' ? 'arn:aws:execute-api:us-east-1:123456789012:other/*' : event.methodArn;
  return { principalId: 'user-7', context: { tier: 'gold' },
           policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: event.authorizationToken === 'elsewhere' ? 'Allow' : effect, Resource: resource }] } };
};
"""
SIMPLE_AUTHORIZER = """
exports.handler = async (event) => ({ isAuthorized: event.headers['x-team'] === 'blue', context: { team: event.headers['x-team'] } });
"""


def served(stack_name, api_id):
    api = next(a for a in gateway.list_apis(PORTS) if a["stack"] == stack_name and a["id"] == api_id)
    return Client(gateway.Gateway(PORTS).app_for(api["port"]))


def code(s3, name, key, text):
    return upload(s3, f"{name}/{key}.zip", make_zip({"index.js": text}))


def test_a_rest_token_authorizer_allows_denies_and_passes_its_context(emulator, cfn, s3, name, runtime):
    auth = {"DefaultAuthorizer": "TokenAuth", "Authorizers": {"TokenAuth": {"FunctionArn": {"Fn::GetAtt": ["AuthFn", "Arn"]}}}}
    api = {"Type": "AWS::Serverless::Api", "Properties": {"StageName": "Prod", "Auth": auth}}
    events_ = {"Get": {"Type": "Api", "Properties": {"RestApiId": {"Ref": "MyApi"}, "Path": "/orders/{id}", "Method": "get"}}}
    resources_ = {
        "MyApi": api,
        "Fn": sam_function(code(s3, name, "fn", ECHO), runtime, Events=events_),
        "AuthFn": sam_function(code(s3, name, "auth", TOKEN_AUTHORIZER), runtime),
    }
    deploy(cfn, name, sam_template(resources_))
    client = served(name, "MyApi")
    allowed = client.get("/Prod/orders/1", headers={"Authorization": "allow"})
    assert allowed.status_code == 200, allowed.get_data()
    assert allowed.get_json()["authorizer"] == {"principalId": "user-7", "tier": "gold"}
    denied = client.get("/Prod/orders/1", headers={"Authorization": "deny"})
    assert (denied.status_code, denied.get_json()) == (403, {"message": "User is not authorized to access this resource with an explicit deny"})
    elsewhere = client.get("/Prod/orders/1", headers={"Authorization": "elsewhere"})  # an Allow, for another API
    assert (elsewhere.status_code, elsewhere.get_json()) == (403, {"message": "User is not authorized to access this resource"})
    assert client.get("/Prod/orders/1").status_code == 401  # no token
    assert client.get("/Prod/orders/1", headers={"Authorization": "boom"}).get_json() == {"message": "Unauthorized"}


def test_a_method_with_an_authorizer_and_an_api_key_needs_both(emulator, cfn, s3, name, runtime):
    auth = {
        "DefaultAuthorizer": "TokenAuth",
        "ApiKeyRequired": True,
        "Authorizers": {"TokenAuth": {"FunctionArn": {"Fn::GetAtt": ["AuthFn", "Arn"]}}},
    }
    api = {"Type": "AWS::Serverless::Api", "Properties": {"StageName": "Prod", "Auth": auth}}
    events_ = {"Get": {"Type": "Api", "Properties": {"RestApiId": {"Ref": "MyApi"}, "Path": "/orders", "Method": "get"}}}
    resources_ = {
        "MyApi": api,
        "Fn": sam_function(code(s3, name, "fn", ECHO), runtime, Events=events_),
        "AuthFn": sam_function(code(s3, name, "auth", TOKEN_AUTHORIZER), runtime),
    }
    deploy(cfn, name, sam_template(resources_))
    client = served(name, "MyApi")
    assert client.get("/Prod/orders", headers={"Authorization": "allow"}).status_code == 403  # no key
    assert client.get("/Prod/orders", headers={"x-api-key": "k1"}).status_code == 401  # no token
    assert client.get("/Prod/orders", headers={"Authorization": "allow", "x-api-key": "k1"}).status_code == 200


def test_a_jwt_that_is_not_what_it_should_be_is_unauthorized_never_a_crash():
    import base64

    import pytest

    from dsync_emulator.gateway import jwt_check, responses

    def token(claims):
        part = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
        return f"Bearer e30.{part}.sig"

    issuer = "https://issuer.example.com"
    cases = [
        ([1, 2], "the token's claims are not an object"),
        ({"iss": issuer, "exp": "soon"}, "the token's times are not numbers"),
        ({"iss": issuer, "exp": 4102444800, "nbf": 4102444000}, "the token is not valid yet"),
        ({"iss": issuer, "exp": 1}, "the token has expired"),
        ({"iss": "https://other.example.com", "exp": 4102444800}, "is not the authorizer's"),
        ({"iss": issuer, "exp": 4102444800, "aud": "someone-else"}, "the token is for another audience"),
    ]
    for claims, reason in cases:
        with pytest.raises(responses.Refused) as refused:
            jwt_check.verify(token(claims), [issuer], ["my-client"])
        assert refused.value.response.status_code == 401
        assert reason in refused.value.response.headers["www-authenticate"], claims
    assert jwt_check.verify(token({"iss": issuer, "exp": 4102444800, "aud": "my-client", "n": 1}), [issuer], ["my-client"])["n"] == "1"


def test_an_http_lambda_authorizer_with_simple_responses(emulator, cfn, s3, name, runtime):
    authorizer = {
        "FunctionArn": {"Fn::GetAtt": ["AuthFn", "Arn"]},
        "AuthorizerPayloadFormatVersion": "2.0",
        "EnableSimpleResponses": True,
        "Identity": {"Headers": ["x-team"]},
    }
    api = {"Type": "AWS::Serverless::HttpApi", "Properties": {"Auth": {"DefaultAuthorizer": "TeamAuth", "Authorizers": {"TeamAuth": authorizer}}}}
    events_ = {"Get": {"Type": "HttpApi", "Properties": {"ApiId": {"Ref": "MyApi"}, "Path": "/board", "Method": "get"}}}
    resources_ = {
        "MyApi": api,
        "Fn": sam_function(code(s3, name, "fn", ECHO), runtime, Events=events_),
        "AuthFn": sam_function(code(s3, name, "auth", SIMPLE_AUTHORIZER), runtime),
    }
    deploy(cfn, name, sam_template(resources_))
    client = served(name, "MyApi")
    allowed = client.get("/board", headers={"x-team": "blue"})
    assert allowed.status_code == 200, allowed.get_data()
    assert allowed.get_json()["authorizer"] == {"lambda": {"team": "blue"}}
    assert client.get("/board", headers={"x-team": "red"}).status_code == 403
    assert client.get("/board").status_code == 401


def test_an_http_jwt_authorizer_takes_tokens_of_the_emulators_user_pool(emulator, cfn, s3, name, runtime):
    issuer = {"Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}"}
    jwt = {"JwtConfiguration": {"issuer": issuer, "audience": [{"Ref": "UserPoolClient"}]}, "IdentitySource": "$request.header.Authorization"}
    api = {"Type": "AWS::Serverless::HttpApi", "Properties": {"Auth": {"DefaultAuthorizer": "Jwt", "Authorizers": {"Jwt": jwt}}}}
    events_ = {"Get": {"Type": "HttpApi", "Properties": {"ApiId": {"Ref": "MyApi"}, "Path": "/me", "Method": "get"}}}
    resources_ = {
        "UserPool": {"Type": "AWS::Cognito::UserPool", "Properties": {"UserPoolName": f"{name}-users"}},
        "UserPoolClient": {
            "Type": "AWS::Cognito::UserPoolClient",
            "Properties": {"UserPoolId": {"Ref": "UserPool"}, "ExplicitAuthFlows": ["ADMIN_USER_PASSWORD_AUTH"]},
        },
        "MyApi": api,
        "Fn": sam_function(code(s3, name, "fn", ECHO), runtime, Events=events_),
    }
    deploy(cfn, name, sam_template(resources_, {"Pool": {"Value": {"Ref": "UserPool"}}, "Client": {"Value": {"Ref": "UserPoolClient"}}}))
    out = outputs(cfn, name)
    assert [g for g in requests.get(f"{emulator.url}/_dsync/gaps", timeout=10).json() if g["stack"] == name] == []  # real pools, no stand-ins
    idp = emulator.client("cognito-idp")
    idp.admin_create_user(UserPoolId=out["Pool"], Username="ana", TemporaryPassword="Passw0rd!x", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=out["Pool"], Username="ana", Password="Passw0rd!x", Permanent=True)
    tokens = idp.admin_initiate_auth(
        UserPoolId=out["Pool"],
        ClientId=out["Client"],
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ana", "PASSWORD": "Passw0rd!x"},
    )["AuthenticationResult"]
    client = served(name, "MyApi")
    answer = client.get("/me", headers={"Authorization": f"Bearer {tokens['IdToken']}"})
    assert answer.status_code == 200, answer.get_data()
    assert answer.get_json()["authorizer"]["jwt"]["claims"]["cognito:username"] == "ana"
    assert client.get("/me").status_code == 401
    head, payload, signature = tokens["IdToken"].split(".")
    forged = client.get("/me", headers={"Authorization": f"Bearer {head}.{payload}.{signature[::-1]}"})
    assert forged.status_code == 401
    assert "signature" in forged.headers["www-authenticate"]
    assert json.loads(forged.get_data()) == {"message": "Unauthorized"}
