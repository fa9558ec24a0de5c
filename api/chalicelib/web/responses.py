"""Response builders: JSON as UTF-8 (Chinese not escaped), HTML pages, and the one error body shape."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from chalice.app import Response

__all__ = ["html_response", "json_response"]

_NO_STORE = "no-store"


def _default(value: Any) -> Any:
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def json_response(
    body: Mapping[str, Any],
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    *,
    cache: str = _NO_STORE,
) -> Response:
    return Response(
        body=json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=_default),
        status_code=status,
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Cache-Control": cache,
            **(headers or {}),
        },
    )


def html_response(page: str, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """A page of web/pages.py. Its policy admits exactly what those pages hold: their one inline
    stylesheet (by its hash), forms sent back to this API, and nothing else (no script, no image,
    no frame, no remote resource; links are not resources)."""
    from .pages import STYLE_HASH  # only routes answering with a page need the page templates

    return Response(
        body=page,
        status_code=status,
        headers={
            "Content-Type": "text/html; charset=utf-8",
            "Cache-Control": _NO_STORE,
            "Content-Security-Policy": (
                f"default-src 'none'; style-src '{STYLE_HASH}'; form-action 'self'; "
                "base-uri 'none'; frame-ancestors 'none'"
            ),
            **(headers or {}),
        },
    )
