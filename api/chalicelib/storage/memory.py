"""An in-memory case repository: the fake for fast tests, and the local fallback without Java.
It keeps the same guarantees as DynamoDB (all-or-nothing writes, unique numbers and keys)."""

from __future__ import annotations

import threading

from ..domain.case import Case, Event
from ..services.repository import IdempotencyKeyTakenError, IdempotencyRecord, TrackingNumberTakenError

__all__ = ["MemoryCaseRepository"]


class MemoryCaseRepository:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cases: dict[str, Case] = {}
        self._events: dict[str, list[Event]] = {}
        self._idempotency: dict[str, IdempotencyRecord] = {}

    def create(self, case: Case, event: Event, idempotency: IdempotencyRecord | None) -> None:
        with self._lock:
            if idempotency is not None:
                held = self._idempotency.get(idempotency.key_hash)
                if held is not None and held.is_live(idempotency.created_at):
                    raise IdempotencyKeyTakenError()
            if case.tracking_no in self._cases:
                raise TrackingNumberTakenError()
            self._cases[case.tracking_no] = case
            self._events[case.tracking_no] = [event]
            if idempotency is not None:
                self._idempotency[idempotency.key_hash] = idempotency

    def get(self, tracking_no: str) -> Case | None:
        with self._lock:
            return self._cases.get(tracking_no)

    def get_idempotency(self, key_hash: str) -> IdempotencyRecord | None:
        with self._lock:
            return self._idempotency.get(key_hash)

    def history(self, tracking_no: str) -> list[Event]:
        with self._lock:
            return list(self._events.get(tracking_no, []))

    def count(self) -> int:
        with self._lock:
            return len(self._cases)
