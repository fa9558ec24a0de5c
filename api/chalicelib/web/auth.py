"""Staff authentication: RS256 JWTs verified with PyJWT against a JWKS (Cognito in production, the
project's own issuer locally), in a Chalice built-in authorizer that runs the same code locally and
on AWS. Roles are checked per route, after authentication (403)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..domain.errors import UnauthenticatedError
from ..domain.staff import ROLES, Role, StaffMember
from ..settings import Settings

__all__ = [
    "UNAUTHORIZED_BODY",
    "Unauthorized",
    "authorizer_context",
    "staff_from_context",
    "verify_staff_token",
]

# The 401 body, in both languages since the gateway answers before any language is negotiated.
# infra/resources.json gives API Gateway's UNAUTHORIZED response the same body.
UNAUTHORIZED_BODY = json.dumps(
    {
        "error": {
            "code": "unauthorized",
            "message": "请先登录：缺少或无效的身份凭证。 Sign in first: the credentials are missing or not valid.",
            "fields": {},
        }
    },
    ensure_ascii=False,
)
_DEPARTMENT_GROUP = "department:"
_LEEWAY_SECONDS = 30


class Unauthorized(Exception):  # API Gateway's contract: the message "Unauthorized" means 401
    def __init__(self) -> None:
        super().__init__("Unauthorized")


@lru_cache(maxsize=4)
def _keys_from_file(path: str) -> Any:
    import jwt

    return jwt.PyJWKSet.from_json(Path(path).read_text(encoding="utf-8"))


@lru_cache(maxsize=4)
def _jwks_client(url: str) -> Any:
    import jwt

    # Keys are fetched once and cached; an unknown kid refetches (key rotation).
    return jwt.PyJWKClient(url, cache_jwk_set=True, lifespan=3600, timeout=5)


def _signing_key(settings: Settings, kid: str | None) -> Any:
    import jwt

    try:
        if settings.staff_jwks_path:
            for key in _keys_from_file(settings.staff_jwks_path).keys:
                if key.key_id == kid:
                    return key.key
            raise Unauthorized()
        if settings.staff_jwks_url and kid:
            return _jwks_client(settings.staff_jwks_url).get_signing_key(kid).key
    except (jwt.PyJWKError, jwt.PyJWKClientError, OSError, ValueError) as error:
        raise Unauthorized() from error
    raise Unauthorized()


def _audience_matches(claims: Mapping[str, Any], audience: str) -> bool:
    # Cognito ID tokens name the app client in "aud"; its access tokens in "client_id".
    aud = claims.get("aud")
    if aud is not None:
        return aud == audience or (isinstance(aud, list) and audience in aud)
    return claims.get("client_id") == audience


def verify_staff_token(authorization: str, settings: Settings) -> StaffMember:
    """The staff member a ``Bearer`` token names, or ``Unauthorized``."""
    import jwt

    scheme, _, token = authorization.strip().partition(" ")
    issuer, audience = settings.staff_issuer, settings.staff_audience
    if scheme.lower() != "bearer" or not token or not issuer or not audience:
        raise Unauthorized()
    try:
        header = jwt.get_unverified_header(token.strip())
        if header.get("alg") != "RS256":  # never "none", never a symmetric algorithm
            raise Unauthorized()
        claims: dict[str, Any] = jwt.decode(
            token.strip(),
            _signing_key(settings, header.get("kid")),
            algorithms=["RS256"],
            issuer=issuer,
            leeway=_LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "iss", "sub"], "verify_aud": False},
        )
    except jwt.PyJWTError as error:
        raise Unauthorized() from error
    if not _audience_matches(claims, audience) or claims.get("token_use", "id") not in ("id", "access"):
        raise Unauthorized()
    groups = [g for g in claims.get("cognito:groups", []) if isinstance(g, str)]
    roles: frozenset[Role] = frozenset(r for r in ROLES if r in groups)
    department = claims.get("custom:department") or next(
        (g.removeprefix(_DEPARTMENT_GROUP) for g in groups if g.startswith(_DEPARTMENT_GROUP)), None
    )
    name = claims.get("name") or claims.get("cognito:username") or claims.get("username") or claims["sub"]
    return StaffMember(id=str(claims["sub"]), name=str(name), roles=roles, department=department)


def authorizer_context(staff: StaffMember) -> dict[str, str]:
    """What the authorizer hands to the routes (API Gateway allows only string values)."""
    return {
        "staff_id": staff.id,
        "name": staff.name,
        "roles": ",".join(sorted(staff.roles)),
        "department": staff.department or "",
    }


def staff_from_context(context: Mapping[str, Any]) -> StaffMember:
    authorizer = context.get("authorizer") or {}
    staff_id = authorizer.get("staff_id")
    if not staff_id:  # a route without the authorizer: refuse rather than trust
        raise UnauthenticatedError()
    roles: frozenset[Role] = frozenset(r for r in ROLES if r in str(authorizer.get("roles", "")).split(","))
    return StaffMember(
        id=str(staff_id),
        name=str(authorizer.get("name", "")),
        roles=roles,
        department=str(authorizer.get("department") or "") or None,
    )
