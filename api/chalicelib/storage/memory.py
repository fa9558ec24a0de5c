"""An in-memory case repository: the fake for fast tests, and the local fallback without Java.
It keeps the same guarantees as DynamoDB (all-or-nothing writes, unique numbers and keys), and the
monthly report's facts with each case as DynamoDB's transactions do (storage/fact_updates.py)."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ..domain.case import Case, Event
from ..domain.deadlines import default_policy
from ..domain.errors import InvalidInputError, VersionConflictError
from ..domain.messages import Message
from ..domain.monthly_report import Figures
from ..domain.report_facts import CaseFacts, Marks, core_of, fact_months, marks_of
from ..services.identity_keys import IdentityHasher
from ..services.report_store import Snapshot
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
    def __init__(self, identity: IdentityHasher) -> None:
        self._identity = identity
        self._zone = default_policy().zone
        self._lock = threading.Lock()
        self._cases: dict[str, Case] = {}
        self._events: dict[str, list[Event]] = {}
        self._idempotency: dict[str, IdempotencyRecord] = {}
        self._access: dict[str, list[AccessEntry]] = {}
        # The report's store: facts by (month, tracking number), carried months, snapshots, statistics.
        self._facts: dict[tuple[str, str], CaseFacts] = {}
        self._carried: set[str] = set()
        self._snapshots: dict[str, Snapshot] = {}
        self._statistics: dict[str, tuple[str, Mapping[str, Any]]] = {}

    def _keep_facts(self, case: Case, event: Event) -> None:
        """What DynamoDB's transaction writes with the case: the case's facts replace the earlier
        ones in each month they concern, the event's marks are added (with the lock held)."""
        core = core_of(case, self._identity.of(case.complainant).present())
        marks = marks_of(event)
        for month in fact_months(case, event, self._zone):
            key = (str(month), case.tracking_no)
            held = self._facts.get(key)
            self._facts[key] = CaseFacts(core, (held.marks if held else Marks()).then(marks))

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
            self._keep_facts(case, event)

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
            self._keep_facts(case, event)

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

    # --- The monthly report's store (services/report_store.py) ------------------------------------

    def month_facts(self, month: str) -> list[CaseFacts]:
        with self._lock:
            return [facts for (m, _), facts in sorted(self._facts.items()) if m == month]

    def facts_in(self, keys: Sequence[tuple[str, str]]) -> dict[str, CaseFacts]:
        with self._lock:
            return {key[1]: self._facts[key] for key in keys if key in self._facts}

    def carried(self, months: Sequence[str]) -> set[str]:
        with self._lock:
            return self._carried & set(months)

    def carry(self, month: str, facts: Sequence[CaseFacts]) -> int:
        copied = 0
        with self._lock:
            for f in facts:
                if (month, f.tracking_no) not in self._facts:
                    self._facts[(month, f.tracking_no)] = f
                    copied += 1
        return copied

    def mark_carried(self, month: str) -> None:
        with self._lock:
            self._carried.add(month)

    def snapshot(self, month: str) -> Snapshot | None:
        with self._lock:
            return self._snapshots.get(month)

    def snapshot_figures(self, months: Sequence[str]) -> dict[str, Figures]:
        with self._lock:
            return {m: dict(self._snapshots[m].figures) for m in months if m in self._snapshots}

    def freeze(self, snapshot: Snapshot) -> bool:
        with self._lock:
            if snapshot.month in self._snapshots:
                return False
            self._snapshots[snapshot.month] = snapshot
            return True

    def statistics(self, key: str) -> Mapping[str, Any] | None:
        with self._lock:
            held = self._statistics.get(key)
            return held[1] if held else None

    def publish_statistics(self, month: str, dataset: Mapping[str, Any]) -> None:
        with self._lock:
            self._statistics[month] = (month, dataset)
            latest = self._statistics.get("latest")
            if latest is None or latest[0] <= month:
                self._statistics["latest"] = (month, dataset)


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
