"""The domain's errors. Each carries a ``Message``; the web layer maps the class to an HTTP status."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from .messages import Message

__all__ = [
    "CaseNotFoundError",
    "DomainError",
    "ForbiddenError",
    "IdempotencyMismatchError",
    "InvalidInputError",
    "InvalidTrackingNumberError",
    "NotFoundError",
    "StorageUnavailableError",
    "TooManyAttemptsError",
    "TransitionNotAllowedError",
    "UnauthenticatedError",
    "VersionConflictError",
]


class DomainError(Exception):
    code: ClassVar[str] = "domain_error"

    def __init__(self, message: Message, fields: Mapping[str, Message] | None = None) -> None:
        super().__init__(message.key)
        self.message = message
        self.fields: Mapping[str, Message] = dict(fields or {})


class InvalidInputError(DomainError):
    code = "validation_failed"

    def __init__(self, fields: Mapping[str, Message], message: Message | None = None) -> None:
        super().__init__(message or Message("validation_failed"), fields)


class InvalidTrackingNumberError(DomainError):
    code = "invalid_tracking_number"

    # What people are told for each problem tracking.tracking_no_problem finds.
    _MESSAGES: ClassVar[dict[str, str]] = {
        "length": "invalid_tracking_number",
        "symbol": "invalid_tracking_number_symbol",
        "check": "invalid_tracking_number_check",
    }

    def __init__(self, problem: str = "length") -> None:
        super().__init__(Message(self._MESSAGES[problem]))


class CaseNotFoundError(DomainError):
    code = "not_found"

    def __init__(self) -> None:
        super().__init__(Message("not_found"))


class NotFoundError(DomainError):
    """Something other than a case is not there (a month's frozen report, published statistics)."""

    code = "not_found"


class ForbiddenError(DomainError):
    """The caller is known but may not do this (role, department, or a rule about who decides)."""

    code = "forbidden"


class UnauthenticatedError(DomainError):
    code = "unauthorized"

    def __init__(self) -> None:
        super().__init__(Message("unauthorized"))


class TooManyAttemptsError(DomainError):
    code = "too_many_attempts"

    def __init__(self, retry_after_seconds: int) -> None:
        minutes = max(1, -(-retry_after_seconds // 60))
        if minutes <= 90:
            message = Message("too_many_attempts", {"minutes": minutes})
        else:
            message = Message("too_many_attempts_hours", {"hours": -(-minutes // 60)})
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class TransitionNotAllowedError(DomainError):
    code = "transition_not_allowed"


class VersionConflictError(DomainError):
    code = "version_conflict"

    def __init__(self) -> None:
        super().__init__(Message("version_conflict"))


class IdempotencyMismatchError(DomainError):
    code = "idempotency_mismatch"

    def __init__(self) -> None:
        super().__init__(Message("idempotency_mismatch"))


class StorageUnavailableError(DomainError):
    code = "service_unavailable"

    def __init__(self) -> None:
        super().__init__(Message("service_unavailable"))
