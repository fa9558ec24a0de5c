"""One log line per request: what was asked (route template, not the path), the answer and its
time. Never a body, a query string or a header: those may carry personal data."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

from chalice.app import Request, Response

__all__ = ["request_log_middleware"]

logger = logging.getLogger("chalicelib.requests")


def request_log_middleware(event: Request, get_response: Callable[[Request], Response]) -> Response:
    started = time.perf_counter()
    response = get_response(event)
    context = event.context or {}
    authorizer = context.get("authorizer") or {}
    logger.info(
        json.dumps(
            {
                "request_id": context.get("requestId"),
                "method": event.method,
                "route": context.get("resourcePath"),
                "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 2),
                # The token's subject: an opaque id, kept so staff actions can be traced.
                "staff": authorizer.get("staff_id"),
            }
        )
    )
    return response
