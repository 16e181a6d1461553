"""JWTs as API Gateway's JWT and Cognito authorizers check them: a bearer
token whose issuer is one the authorizer names, not expired, for one of its
audiences (`aud`, or `client_id` in a Cognito access token). A token of one
of the emulator's own user pools must carry that pool's signature (moto
signs them with its key); another issuer's keys cannot be fetched offline,
so its signature is not checked (docs/emulator.md says so)."""

import base64
import json
import time

from moto.cognitoidp import models as cognito
from moto.core import DEFAULT_ACCOUNT_ID

from .responses import unauthorized


def pool_issuers(provider_arns):
    """Issuers of the user pools a Cognito authorizer names by ARN."""
    issuers = []
    for arn in provider_arns or []:
        parts = str(arn).split(":")
        if len(parts) >= 6 and "/" in parts[5]:
            issuers.append(f"https://cognito-idp.{parts[3]}.amazonaws.com/{parts[5].split('/', 1)[1]}")
    return issuers


def _number(value, default):
    try:
        return float(value if value is not None else default)
    except (TypeError, ValueError):
        raise unauthorized("the token's times are not numbers") from None


def _segment(text):
    return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def _emulator_pool(issuer):
    prefix = "https://cognito-idp."
    if not issuer.startswith(prefix):
        return None
    region, _, pool_id = issuer[len(prefix) :].partition(".amazonaws.com/")
    try:
        return cognito.cognitoidp_backends[DEFAULT_ACCOUNT_ID][region].user_pools.get(pool_id)
    except KeyError:
        return None


def verify(header_value, issuers, audiences):
    """The token's claims; raises responses.Refused (401, with the reason in www-authenticate) when it does not pass."""
    token = (header_value or "").strip()
    if token.lower().startswith("bearer "):
        token = token[7:].strip()
    if not token:
        raise unauthorized()
    try:
        _, payload, _ = token.split(".")
        claims = _segment(payload)
    except ValueError:
        raise unauthorized("the token is not a JWT") from None
    if not isinstance(claims, dict):
        raise unauthorized("the token's claims are not an object")
    issuer = str(claims.get("iss", "")).rstrip("/")
    if issuer not in [str(i).rstrip("/") for i in issuers if i]:
        raise unauthorized(f"the token's issuer {issuer} is not the authorizer's")
    now = time.time()
    if _number(claims.get("exp"), 0) < now:
        raise unauthorized("the token has expired")
    if _number(claims.get("nbf"), 0) > now:
        raise unauthorized("the token is not valid yet")
    aud = claims.get("aud", claims.get("client_id"))
    if audiences and not set(aud if isinstance(aud, list) else [aud]) & set(audiences):
        raise unauthorized("the token is for another audience")
    pool = _emulator_pool(issuer)
    if pool is not None:
        from joserfc import jwt as jose_jwt
        from joserfc.errors import JoseError

        try:
            jose_jwt.decode(token, pool.json_web_key)
        except (JoseError, ValueError):
            raise unauthorized("the token's signature is not its user pool's") from None
    return {k: v if isinstance(v, str) else json.dumps(v) if isinstance(v, (list, dict)) else str(v) for k, v in claims.items()}
