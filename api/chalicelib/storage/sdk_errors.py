"""SDK errors as domain errors: a fault that may pass becomes ``StorageUnavailableError`` (503 with
Retry-After); a refused write is recognised by its cancellation reasons."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from botocore.exceptions import ConnectionError as TransportConnectionError
from botocore.exceptions import HTTPClientError
from pynamodb.exceptions import PynamoDBConnectionError, PynamoDBException, TransactWriteError

from ..domain.errors import StorageUnavailableError

__all__ = ["call", "conflicting_write", "is_conflict", "unavailable_or_raise"]

_T = TypeVar("_T")

# Codes after which the same request may succeed later: the caller gets 503 and Retry-After.
_TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "TransactionInProgressException",
    }
)

# Reasons inside a cancelled transaction after which the same transaction may succeed later.
_TRANSIENT_REASONS = frozenset({"ThrottlingError", "ProvisionedThroughputExceeded", "TransactionConflict"})


def _unreachable(error: PynamoDBException) -> bool:
    """Whether DynamoDB never answered: no connection, or the connection broke or timed out. Any
    operation (a transaction too) then fails without a response code."""
    cause = error.cause
    return isinstance(cause, (TransportConnectionError, HTTPClientError)) or (
        isinstance(error, PynamoDBConnectionError) and error.cause_response_code is None
    )


def unavailable_or_raise(error: PynamoDBException) -> None:
    """Raise ``StorageUnavailableError`` (503 with Retry-After) for a fault that may pass."""
    if _unreachable(error) or error.cause_response_code in _TRANSIENT_CODES:
        raise StorageUnavailableError() from error
    if isinstance(error, TransactWriteError):
        codes = {getattr(reason, "code", None) for reason in error.cancellation_reasons or []}
        if codes & _TRANSIENT_REASONS:
            raise StorageUnavailableError() from error


def call(operation: Callable[[], _T]) -> _T:
    """``operation()``, with a fault that may pass turned into ``StorageUnavailableError``."""
    try:
        return operation()
    except PynamoDBException as error:
        unavailable_or_raise(error)
        raise


def is_conflict(reason: object) -> bool:
    """Whether one cancellation reason of a transaction is a failed condition or a conflict."""
    code = getattr(reason, "code", None)
    return code in ("ConditionalCheckFailed", "TransactionConflict")


def conflicting_write(error: TransactWriteError) -> bool:
    return any(is_conflict(reason) for reason in (error.cancellation_reasons or []))
