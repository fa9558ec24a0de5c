"""The storage a service needs, as a protocol; storage/ implements it on DynamoDB and in memory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ..domain.case import Case, Event

__all__ = ["CaseRepository", "IdempotencyKeyTakenError", "IdempotencyRecord", "TrackingNumberTakenError"]


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    """Remembers which case a submission with a given Idempotency-Key created."""

    key_hash: str
    fingerprint: str
    tracking_no: str
    created_at: datetime
    expires_at: datetime

    def is_live(self, now: datetime) -> bool:
        return now < self.expires_at


class TrackingNumberTakenError(Exception):
    """A new case's tracking number already exists (the write changed nothing)."""


class IdempotencyKeyTakenError(Exception):
    """A live idempotency record already holds this key (the write changed nothing)."""


class CaseRepository(Protocol):
    def create(self, case: Case, event: Event, idempotency: IdempotencyRecord | None) -> None:
        """Write a new case, its first event and its idempotency record all at once, or nothing.

        Raises ``IdempotencyKeyTakenError`` when a live record holds the key (checked first), and
        ``TrackingNumberTakenError`` when the tracking number exists.
        """
        ...

    def get(self, tracking_no: str) -> Case | None: ...

    def get_idempotency(self, key_hash: str) -> IdempotencyRecord | None: ...

    def history(self, tracking_no: str) -> list[Event]:
        """The case's events, oldest first."""
        ...
