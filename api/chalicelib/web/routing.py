"""Wraps every view so that errors of any kind become the one error shape, in the caller's language."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec

from chalice.app import Request, Response

from ..domain.vocabulary import Lang
from .errors import error_response
from .language import negotiate

__all__ = ["ANY_CONTENT_TYPE", "STATUS_PAGE", "endpoint", "request_language"]

P = ParamSpec("P")

# For routes without a body: Chalice refuses a Content-Type a route does not list with a 415 in a body
# of its own shape; a request without a body has nothing for it to describe.
ANY_CONTENT_TYPE = ["*/*"]

# The route of the public status page, relative to the API's base (the confirmation links to it).
STATUS_PAGE = "status-page"


def request_language(request: Request) -> Lang:
    return negotiate(request.headers, request.query_params)


def _is_form_post(request: Request) -> bool:
    return (
        str(request.headers.get("content-type", "")).lower().startswith("application/x-www-form-urlencoded")
    )


def endpoint(
    current_request: Callable[[], Request],
) -> Callable[[Callable[P, Response]], Callable[P, Response]]:
    """Decorate a view; ``current_request`` gives the request being served (from the blueprint)."""

    def decorate(view: Callable[P, Response]) -> Callable[P, Response]:
        @functools.wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> Response:
            try:
                return view(*args, **kwargs)
            except Exception as error:  # noqa: BLE001  # every error, unexpected ones too, gets the one shape
                request = current_request()
                return error_response(error, request_language(request), as_html=_is_form_post(request))

        return wrapper

    return decorate
