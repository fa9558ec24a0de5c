"""Staff authentication: RS256 JWTs verified with PyJWT against a JWKS (Cognito in production, the
project's own issuer locally), in a Chalice built-in authorizer that runs the same code locally and
on AWS. Roles are checked per route, after authentication (403).

Every token gets an answer, whatever its claims hold (a signed token from the trusted issuer can
still carry odd shapes: a misconfigured pool, a custom attribute typed wrongly):

- 401 when the token is not acceptable: not a Bearer RS256 JWT signed by one of the issuer's keys;
  ``iss`` not the issuer; ``exp``/``iat``/``nbf`` missing, not a number (PyJWT also takes a string
  of digits), expired or issued in the future; ``aud`` (or, without it, ``client_id``) not naming
  this app; ``token_use`` other than ``id``/``access``; ``sub`` not an identifier (a string of 1 to
  128 characters without spaces at its ends, control or format characters). ``sub`` is who acts:
  the history and the access log record it.
- 403, at the route, when the token is valid but names no role: ``cognito:groups`` is a list, and
  only its strings that name a role count; a value of any other shape (null, a number, a string, an
  object) counts as no groups.
- Ignored, as if absent: a display name (``name``, then ``cognito:username``, then ``username``)
  that is not text (a string of at most 128 characters after trimming, without control or format
  characters): the next one names the person, finally ``sub``; a department (``custom:department``,
  then a ``department:<code>`` group) that is not the code of a department in the catalogue: the
  person then has none, and a handler without one may work on no case (403).

So the staff member handed to the routes always has a clean id and name, roles from ``ROLES`` and a
known department or none; ``staff_from_context`` applies the same rules to what API Gateway hands on.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..domain.errors import UnauthenticatedError
from ..domain.staff import ROLES, Role, StaffMember
from ..domain.vocabulary import departments
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
_MAX_TEXT = 128


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


def _text(value: object) -> str | None:
    """``value`` trimmed, if it is text a person can be shown and recorded by; else None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > _MAX_TEXT:
        return None
    # C*: control, format, surrogate, private use, unassigned; Zl/Zp: line and paragraph separators.
    if any(unicodedata.category(c)[0] == "C" or unicodedata.category(c) in ("Zl", "Zp") for c in text):
        return None
    return text


def _identifier(value: object) -> str | None:
    text = _text(value)
    return text if text == value else None


def _department(value: object) -> str | None:
    return value if isinstance(value, str) and value in departments() else None


def _staff(
    staff_id: object, names: list[object], groups: list[str], departments_named: list[object]
) -> StaffMember | None:
    """The one place a staff member is made from what a token (or the authorizer's context) says."""
    identifier = _identifier(staff_id)
    if identifier is None:
        return None
    name = next((text for text in map(_text, names) if text is not None), identifier)
    roles: frozenset[Role] = frozenset(r for r in ROLES if r in groups)
    department = next((code for code in map(_department, departments_named) if code is not None), None)
    return StaffMember(id=identifier, name=name, roles=roles, department=department)


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
    listed = claims.get("cognito:groups")
    groups = [g for g in listed if isinstance(g, str)] if isinstance(listed, list) else []
    staff = _staff(
        claims["sub"],
        [claims.get("name"), claims.get("cognito:username"), claims.get("username")],
        groups,
        [claims.get("custom:department")]
        + [g.removeprefix(_DEPARTMENT_GROUP) for g in groups if g.startswith(_DEPARTMENT_GROUP)],
    )
    if staff is None:
        raise Unauthorized()
    return staff


def authorizer_context(staff: StaffMember) -> dict[str, str]:
    """What the authorizer hands to the routes (API Gateway allows only string values)."""
    return {
        "staff_id": staff.id,
        "name": staff.name,
        "roles": ",".join(sorted(staff.roles)),
        "department": staff.department or "",
    }


def staff_from_context(context: Mapping[str, Any]) -> StaffMember:
    authorizer = context.get("authorizer")
    # A route without the authorizer, or a context it did not make: refuse rather than trust.
    if not isinstance(authorizer, Mapping):
        raise UnauthenticatedError()
    roles = authorizer.get("roles")
    staff = _staff(
        authorizer.get("staff_id"),
        [authorizer.get("name")],
        roles.split(",") if isinstance(roles, str) else [],
        [authorizer.get("department")],
    )
    if staff is None:
        raise UnauthenticatedError()
    return staff
