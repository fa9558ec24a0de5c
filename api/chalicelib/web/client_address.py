"""The address a request came from, as far as it can be trusted.

API Gateway gives the address that connected (``identity.sourceIp``). Behind proxies that each
append the address they saw to ``X-Forwarded-For`` (the local static server; CloudFront once the
portal is served through it), that address is the last proxy's, and the client's is the entry the
outermost trusted proxy appended: ``TRUSTED_PROXY_HOPS`` from the end. Entries before it are
whatever the client sent and are never believed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice.app import Request

if TYPE_CHECKING:
    from ..settings import Settings

__all__ = ["client_address", "throttle_client"]


def client_address(request: Request, trusted_proxy_hops: int) -> str:
    if trusted_proxy_hops > 0:
        header: str = request.headers.get("x-forwarded-for", "")
        forwarded = [part.strip() for part in header.split(",") if part.strip()]
        if len(forwarded) >= trusted_proxy_hops:
            return forwarded[-trusted_proxy_hops]
    identity = (request.context or {}).get("identity") or {}
    source: object = identity.get("sourceIp")
    return str(source or "unknown")


def throttle_client(request: Request, settings: Settings) -> str:
    """The caller as the access-code throttle counts it: a keyed hash of its address."""
    from ..services.access_code_throttle import client_key  # on the routes that take an access code

    return client_key(client_address(request, settings.trusted_proxy_hops), settings.access_code_secret)
