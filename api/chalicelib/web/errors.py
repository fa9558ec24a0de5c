"""The one place where errors become HTTP responses, with one body shape:
``{"error": {"code", "message", "fields": {field: message}}}`` in the caller's language."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import ClassVar

from chalice.app import Response

from ..domain.errors import (
    CaseNotFoundError,
    DomainError,
    ForbiddenError,
    IdempotencyMismatchError,
    InvalidInputError,
    InvalidTrackingNumberError,
    NotFoundError,
    StorageUnavailableError,
    TooManyAttemptsError,
    TransitionNotAllowedError,
    UnauthenticatedError,
    VersionConflictError,
)
from ..domain.messages import Message, render
from ..domain.vocabulary import Lang
from .responses import html_response, json_response

__all__ = ["RETRY_AFTER_SECONDS", "ErrorPage", "RequestError", "error_body", "error_response"]

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 2

# Renders an error as an HTML page: (code, message, field messages, language) -> the page.
ErrorPage = Callable[[str, str, Mapping[str, str], Lang], str]

_STATUS: dict[type[DomainError], int] = {
    InvalidInputError: 400,
    InvalidTrackingNumberError: 400,
    UnauthenticatedError: 401,
    ForbiddenError: 403,
    CaseNotFoundError: 404,
    NotFoundError: 404,
    TransitionNotAllowedError: 409,
    VersionConflictError: 409,
    IdempotencyMismatchError: 422,
    TooManyAttemptsError: 429,
    StorageUnavailableError: 503,
}


class RequestError(DomainError):
    """A request the web layer refuses before any use case runs (bad body, wrong media type...)."""

    code: ClassVar[str] = "bad_request"

    def __init__(self, status: int, code: str, message: Message, fields: Mapping[str, Message] | None = None):
        super().__init__(message, fields)
        self.status = status
        self.error_code = code


def error_body(code: str, message: str, fields: Mapping[str, str] | None = None) -> dict[str, object]:
    return {"error": {"code": code, "message": message, "fields": dict(fields or {})}}


def _status_and_code(error: DomainError) -> tuple[int, str]:
    if isinstance(error, RequestError):
        return error.status, error.error_code
    for kind, status in _STATUS.items():
        if isinstance(error, kind):
            return status, error.code
    return 400, error.code


def error_response(
    error: Exception, lang: Lang, *, as_html: bool = False, page: ErrorPage | None = None
) -> Response:
    """The error in the one JSON shape; as an HTML page for a form post (``as_html``: the complaint
    form's error page) or for a route that answers with pages (``page``: its own)."""
    if isinstance(error, DomainError):
        status, code = _status_and_code(error)
        message = render(error.message, lang)
        fields = {name: render(m, lang) for name, m in error.fields.items()}
    else:
        # Never a stack trace to the client; the log has it (no request body: it holds personal data).
        logger.exception("unhandled error", extra={"error_type": type(error).__name__})
        status, code, fields = 500, "internal_error", {}
        message = render(Message("internal_error"), lang)
    headers = {}
    if isinstance(error, TooManyAttemptsError):
        headers["Retry-After"] = str(error.retry_after_seconds)
    elif status == 503:
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    if page is None and as_html:
        from .pages import error_page  # only form posts need the page templates

        page = error_page
    if page is not None:
        return html_response(page(code, message, fields, lang), status, headers)
    return json_response(error_body(code, message, fields), status, headers)
