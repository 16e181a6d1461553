"""API Gateway's front door, run before the integration: the authorizer a
route's security names in the API's OpenAPI body (moto's import drops them;
the bridges keep the body as `dsync_body`).

- REST APIs: Lambda authorizers (TOKEN: the identity header; REQUEST: the
  identity sources), whose IAM policy must Allow the method ARN (a Deny
  wins); Cognito user pool authorizers (an ID or access token of the pool);
  API keys (x-api-key) where a method requires one.
- HTTP APIs: Lambda authorizers (payload 2.0 with simple responses, or 1.0
  with a policy) and JWT authorizers (issuer, audience, expiry and scopes;
  the signature is checked for tokens of the emulator's own user pools).

Answers as API Gateway gives them: 401 {"message": "Unauthorized"} when the
identity is missing or refused, 403 when the policy denies, 500 when the
authorizer itself fails. No authorizer caching: every request is checked.
"""

import fnmatch
import json

from moto.core import DEFAULT_ACCOUNT_ID

from .. import lambda_runner
from . import jwt_check, responses
from .matching import function_of
from .responses import Refused, unauthorized

# REST answers 403 with one of these: a Deny that matched, or no Allow that did.
REST_REFUSALS = ("User is not authorized to access this resource with an explicit deny", "User is not authorized to access this resource")


def _is_api_key(scheme):
    return scheme.get("type") == "apiKey" and str(scheme.get("name", "")).lower() == "x-api-key" and "x-amazon-apigateway-authorizer" not in scheme


def security_of(body, template, method):
    """What the route's security requires: ((scheme name, scheme, scopes) of its authorizer or None, whether an API key is required).

    API Gateway reads every entry of `security` as required (SAM writes an
    authorizer and the API key as two entries), not as OpenAPI's alternatives."""
    if not isinstance(body, dict):
        return None, False
    operations = (body.get("paths") or {}).get(template) or {}
    operation = operations.get(method.lower()) or operations.get("x-amazon-apigateway-any-method") or {}
    security = operation.get("security", body.get("security"))
    schemes = body.get("securityDefinitions") or (body.get("components") or {}).get("securitySchemes") or {}
    authorizer, api_key = None, False
    for requirement in security or []:
        for name, scopes in (requirement or {}).items():
            scheme = schemes.get(name)
            if not isinstance(scheme, dict):
                continue
            if _is_api_key(scheme):
                api_key = True
            elif authorizer is None:
                authorizer = (name, scheme, scopes or [])
    return authorizer, api_key


def _identity(source, request, params, variables):
    """One identity source's value: method.request.header.X / $request.header.X, querystring, path, stage variables."""
    source = source.strip()
    for prefix, read in (
        (("method.request.header.", "$request.header."), lambda n: request.headers.get(n)),
        (("method.request.querystring.", "$request.querystring."), lambda n: request.args.get(n)),
        (("method.request.path.", "$request.path."), lambda n: params.get(n)),
        (("stageVariables.", "$stageVariables."), lambda n: variables.get(n)),
    ):
        for p in prefix:
            if source.startswith(p):
                return read(source[len(p) :])
    return None


def _run_authorizer(api, config, event):
    name, qualifier = function_of(config.get("authorizerUri"))
    try:
        fn = lambda_runner.function_named(name, api["region"], qualifier)
    except Exception:  # noqa: BLE001 - the authorizer names a function that is gone
        raise Refused(responses.error(500, f"the authorizer function {name} does not exist")) from None
    result = lambda_runner.RUNTIME.invoke(fn, json.dumps(event))
    try:
        answer = json.loads(result.payload or b"null")
    except ValueError:
        answer = None
    if result.function_error:
        message = answer.get("errorMessage") if isinstance(answer, dict) else None
        if message == "Unauthorized":
            raise unauthorized()
        raise Refused(responses.error(500, f"the authorizer failed: {message}"))
    if not isinstance(answer, dict):
        raise Refused(responses.error(500, "the authorizer's answer is not a policy"))
    return answer


def policy_verdict(document, arn):
    """ "allow", "deny" (a Deny matched: it wins) or None (no statement matched) for `arn` under an IAM policy."""
    statements = (document or {}).get("Statement") or []
    verdict = None
    for statement in statements if isinstance(statements, list) else [statements]:
        resources = statement.get("Resource") or []
        if not any(fnmatch.fnmatchcase(arn, r) for r in (resources if isinstance(resources, list) else [resources])):
            continue
        effect = str(statement.get("Effect", "")).lower()
        if effect == "deny":
            return "deny"
        if effect == "allow":
            verdict = "allow"
    return verdict


def _policy_context(answer, arn, refusals):
    """The authorizer's context when its policy allows `arn`; refusals: (message for a Deny, message for no Allow)."""
    verdict = policy_verdict(answer.get("policyDocument"), arn)
    if verdict != "allow":
        raise Refused(responses.error(403, refusals[0] if verdict == "deny" else refusals[1]))
    context = dict(answer.get("context") or {})
    return {"principalId": answer.get("principalId"), **context}


def _sources(config, scheme):
    listed = config.get("identitySource") or (f"method.request.header.{scheme['name']}" if scheme.get("name") else "")
    return [s for s in (listed if isinstance(listed, list) else listed.split(",")) if s.strip()]


def check_rest(api, body, request, route):
    """REST: the requestContext.authorizer for the integration (None when the method is open); raises Refused."""
    found, api_key = security_of(body, route["template"], request.method)
    if api_key and not request.headers.get("x-api-key"):
        raise Refused(responses.error(403, "Forbidden"))
    if found is None:
        return None
    _, scheme, scopes = found
    config = scheme.get("x-amazon-apigateway-authorizer") or {}
    kind = str(config.get("type", "")).lower()
    arn = f"arn:aws:execute-api:{api['region']}:{DEFAULT_ACCOUNT_ID}:{api['apiId']}/{route['stage']}/{request.method}{route['path']}"
    if kind == "cognito_user_pools":
        claims = jwt_check.verify(
            request.headers.get(scheme.get("name") or "Authorization"), jwt_check.pool_issuers(config.get("providerARNs")), None
        )
        # With scopes, the method wants an access token that has one of them (an ID token has none).
        if scopes and not set(str(claims.get("scope", "")).split()) & set(scopes):
            raise unauthorized()
        return {"claims": claims}
    if kind not in ("token", "request"):
        return None
    values = [_identity(s, request, route["params"], route["variables"]) for s in _sources(config, scheme)]
    if not values or any(v in (None, "") for v in values):
        raise unauthorized()
    if kind == "token":
        event = {"type": "TOKEN", "authorizationToken": values[0], "methodArn": arn}
    else:
        event = {**route["event"], "type": "REQUEST", "methodArn": arn}
    return _policy_context(_run_authorizer(api, config, event), arn, REST_REFUSALS)


def check_http(api, body, request, route):
    """HTTP APIs: the requestContext.authorizer for the integration (None when the route is open); raises Refused."""
    found, _ = security_of(body, route["template"], route["method"])
    if found is None:
        return None
    _, scheme, scopes = found
    config = scheme.get("x-amazon-apigateway-authorizer") or {}
    kind = str(config.get("type", "")).lower()
    sources = _sources(config, scheme) or ["$request.header.Authorization"]
    values = [_identity(s, request, route["params"], route["variables"]) for s in sources]
    if kind == "jwt":
        jwt_config = config.get("jwtConfiguration") or {}
        claims = jwt_check.verify(values[0], [jwt_config.get("issuer")], jwt_config.get("audience"))
        granted = str(claims.get("scope", "")).split()
        if scopes and not any(s in granted for s in scopes):
            raise Refused(responses.error(403, "Forbidden"))
        return {"jwt": {"claims": claims, "scopes": granted or None}}
    if kind != "request":
        return None
    if any(v in (None, "") for v in values):
        raise unauthorized()
    arn = f"arn:aws:execute-api:{api['region']}:{DEFAULT_ACCOUNT_ID}:{api['apiId']}/{route['stage'] or '$default'}/{request.method}{route['path']}"
    version = str(config.get("authorizerPayloadFormatVersion") or "2.0")
    if version == "2.0":
        event = {**route["event"], "type": "REQUEST", "routeArn": arn, "identitySource": values}
    else:
        event = {**route["event"], "type": "REQUEST", "methodArn": arn, "identitySource": ",".join(values)}
    answer = _run_authorizer(api, config, event)
    if version == "2.0" and config.get("enableSimpleResponses"):
        if answer.get("isAuthorized") is not True:
            raise Refused(responses.error(403, "Forbidden"))
        return {"lambda": answer.get("context") or {}}
    context = _policy_context(answer, arn, ("Forbidden", "Forbidden"))
    return {"lambda": {k: v for k, v in context.items() if k != "principalId"}, "principalId": context.get("principalId")}
