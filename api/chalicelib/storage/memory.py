"""An in-memory case repository: the fake for fast tests, and the local fallback without Java.
It keeps the same guarantees as DynamoDB (all-or-nothing writes, unique numbers and keys)."""

from __future__ import annotations

import threading
from datetime import datetime

from ..domain.case import Case, Event
from ..domain.errors import InvalidInputError, VersionConflictError
from ..domain.messages import Message
from ..services.repository import (
    AccessEntry,
    CasePage,
    CaseQuery,
    IdempotencyKeyTakenError,
    IdempotencyRecord,
    TrackingNumberTakenError,
)

__all__ = ["MemoryAttemptCounter", "MemoryCaseRepository"]


class MemoryCaseRepository:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cases: dict[str, Case] = {}
        self._events: dict[str, list[Event]] = {}
        self._idempotency: dict[str, IdempotencyRecord] = {}
        self._access: dict[str, list[AccessEntry]] = {}

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

    def save(self, case: Case, event: Event, access: AccessEntry | None = None) -> None:
        with self._lock:
            stored = self._cases.get(case.tracking_no)
            if stored is None or stored.version != case.version - 1:
                raise VersionConflictError()
            self._cases[case.tracking_no] = case
            self._events[case.tracking_no].append(event)
            if access is not None:
                self._access.setdefault(access.tracking_no, []).append(access)

    def list_cases(self, query: CaseQuery) -> CasePage:
        """The same selection and order as the DynamoDB indexes give; the cursor is an offset."""
        try:
            offset = int(query.cursor) if query.cursor else 0
        except ValueError:
            raise InvalidInputError(
                {"cursor": Message("invalid_cursor")}, Message("invalid_cursor")
            ) from None
        with self._lock:
            cases = list(self._cases.values())
        selected = [c for c in cases if _matches(c, query)]
        if query.department or query.status or not query.month:
            selected.sort(key=lambda c: (_queue_at(c), c.tracking_no))
        else:
            selected.sort(key=lambda c: (c.submitted_at, c.tracking_no))
        page = [case.summary for case in selected[offset : offset + query.limit]]
        more = offset + query.limit < len(selected)
        return CasePage(page, str(offset + query.limit) if more else None)

    def record_access(self, entry: AccessEntry) -> None:
        with self._lock:
            self._access.setdefault(entry.tracking_no, []).append(entry)

    def access_log(self, tracking_no: str) -> list[AccessEntry]:
        with self._lock:
            return list(self._access.get(tracking_no, []))

    def count(self) -> int:
        with self._lock:
            return len(self._cases)


def _queue_at(case: Case) -> datetime:
    return case.next_due_at or case.updated_at


def _matches(case: Case, query: CaseQuery) -> bool:
    if not (query.department or query.status or query.month) and not case.awaits_staff:
        return False
    checks = (
        (query.department, case.department),
        (query.status, case.status),
        (query.month, case.submitted_month),
        (query.category, case.details.category),
        (query.priority, case.priority),
    )
    if any(wanted is not None and wanted != actual for wanted, actual in checks):
        return False
    if query.overdue is not None:
        overdue = case.awaits_staff and _queue_at(case) < query.now
        return overdue == query.overdue
    return True


class MemoryAttemptCounter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}

    def reserve(self, key: str, cap: int, expires_at: datetime) -> bool:
        with self._lock:
            if self._counts.get(key, 0) >= cap:
                return False
            self._counts[key] = self._counts.get(key, 0) + 1
            return True

    def release(self, key: str) -> None:
        with self._lock:
            if self._counts.get(key, 0) > 0:
                self._counts[key] -= 1
