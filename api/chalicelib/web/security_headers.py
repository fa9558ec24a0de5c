"""Security headers on every answer of the API, set in one place.

Every answer (JSON, the HTML pages of the plain form post, errors, preflights) says: do not guess
my content type, send no referrer onwards, and never show me in a frame. An answer without a
Content-Security-Policy of its own (JSON) gets one that lets nothing load or frame it; the HTML
pages keep theirs (web/responses.py), which X-Frame-Options completes.

The answers API Gateway gives itself (the authorizer's 401, routes that do not exist, its own
errors) carry ``SECURITY_HEADERS`` through infra/resources.json's gateway responses (a test keeps
them equal), and locally through scripts/lib/gateway_emulation.py, which reads them from there.
Those answers have no Content-Security-Policy: a gateway response's header value is a constant in
single quotes, which a policy's own quotes ('none') would end; X-Frame-Options keeps them out of
frames.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from chalice.app import Request, Response

__all__ = ["JSON_CONTENT_SECURITY_POLICY", "SECURITY_HEADERS", "security_headers_middleware"]

SECURITY_HEADERS: Mapping[str, str] = {
    "X-Content-Type-Options": "nosniff",
    # A lookup's address holds a tracking number: nothing the API answers passes it on.
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
JSON_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"


def security_headers_middleware(event: Request, get_response: Callable[[Request], Response]) -> Response:
    response = get_response(event)
    present = {name.lower() for name in response.headers}
    for name, value in SECURITY_HEADERS.items():
        if name.lower() not in present:
            response.headers[name] = value
    if "content-security-policy" not in present:
        response.headers["Content-Security-Policy"] = JSON_CONTENT_SECURITY_POLICY
    return response
