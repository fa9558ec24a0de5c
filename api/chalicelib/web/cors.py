"""CORS for the portal's origin only. Implemented here rather than with Chalice's ``cors=``, whose
origin is fixed when routes are declared, before settings may be read."""

from __future__ import annotations

from collections.abc import Callable

from chalice.app import Request, Response

from ..settings import get_settings

__all__ = ["cors_middleware", "preflight_response"]

_ALLOWED_HEADERS = "Content-Type, Accept-Language, Idempotency-Key, X-Access-Code, Authorization"


def _allowed_origin(request: Request) -> str | None:
    origin = request.headers.get("origin")
    return origin if origin is not None and origin == get_settings().portal_origin else None


def preflight_response() -> Response:
    # The middleware adds the allow-origin headers when the origin is the portal's.
    return Response(body="", status_code=204, headers={"Cache-Control": "no-store"})


def cors_middleware(event: Request, get_response: Callable[[Request], Response]) -> Response:
    response = get_response(event)
    response.headers["Vary"] = "Origin"
    origin = _allowed_origin(event)
    if origin is not None:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = "Retry-After, Idempotent-Replayed"
        if event.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = _ALLOWED_HEADERS
            response.headers["Access-Control-Max-Age"] = "600"
    return response
