"""An in-memory case repository: the fake for fast tests, and the local fallback without Java.
It keeps the same guarantees as DynamoDB (all-or-nothing writes, unique numbers and keys), and the
monthly report's facts with each case as DynamoDB's transactions do (storage/fact_updates.py)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from msgspec.structs import replace

from ..domain.case import Case, CaseSummary, Event
from ..domain.deadlines import default_policy
from ..domain.errors import InvalidInputError, VersionConflictError
from ..domain.messages import Message
from ..domain.monthly_report import Figures
from ..domain.notifications import Notice
from ..domain.report_facts import CaseFacts, Marks, core_of, fact_months, marks_of
from ..domain.search_terms import IdentifierKind
from ..services.identity_keys import IdentityHasher
from ..services.report_store import Snapshot
from ..services.repository import (
    AccessEntry,
    CasePage,
    CaseQuery,
    IdempotencyKeyTakenError,
    IdempotencyRecord,
    OutboxMessage,
    TrackingNumberTakenError,
)

__all__ = ["MemoryAttemptCounter", "MemoryCaseRepository", "MemoryJobCursors", "MemoryOutbox"]


class MemoryOutbox:
    """The outbox in memory, with the DynamoDB outbox's conditions (storage/outbox.py)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: dict[str, OutboxMessage] = {}
        self._lease_until: dict[str, datetime] = {}

    def write(self, notices: Sequence[Notice]) -> None:
        """Part of a case repository's all-or-nothing write (its lock is held)."""
        for notice in notices:
            self._messages.setdefault(notice.id, _pending(notice))

    def add(self, notices: list[Notice], *, now: datetime) -> list[Notice]:
        with self._lock:
            new = [n for n in notices if n.id not in self._messages]
            self.write(new)
            return new

    def due(self, now: datetime, limit: int) -> list[OutboxMessage]:
        with self._lock:
            waiting = [m for m in self._messages.values() if m.state in ("pending", "sending")]
        waiting.sort(key=lambda m: (m.next_attempt_at, m.notice.id))
        return [m for m in waiting if m.next_attempt_at <= now][:limit]

    def claim(self, message_id: str, *, token: str, now: datetime, lease: timedelta) -> OutboxMessage | None:
        with self._lock:
            message = self._messages.get(message_id)
            if message is None:
                return None
            waiting = message.state == "pending" and message.next_attempt_at <= now
            abandoned = message.state == "sending" and self._lease_until.get(message_id, now) < now
            if not (waiting or abandoned):
                return None
            claimed = replace(message, state="sending", lease_token=token, attempts=message.attempts + 1)
            self._messages[message_id] = claimed
            self._lease_until[message_id] = now + lease
            return claimed

    def _holding(self, message_id: str, token: str, change: Callable[[OutboxMessage], OutboxMessage]) -> bool:
        with self._lock:
            message = self._messages.get(message_id)
            if message is None or message.lease_token != token:
                return False
            self._messages[message_id] = replace(change(message), lease_token=None)
            self._lease_until.pop(message_id, None)
            return True

    def mark_sent(
        self, message_id: str, *, token: str, now: datetime, provider_id: str, expires_at: datetime
    ) -> bool:
        def sent(message: OutboxMessage) -> OutboxMessage:
            params = {k: v for k, v in message.notice.params.items() if k != "access_code"}
            notice = replace(message.notice, params=params)
            return replace(
                message, state="sent", sent_at=now, provider_id=provider_id, error=None, notice=notice
            )

        return self._holding(message_id, token, sent)

    def retry_later(self, message_id: str, *, token: str, at: datetime, error: str) -> bool:
        return self._holding(
            message_id, token, lambda m: replace(m, state="pending", next_attempt_at=at, error=error)
        )

    def mark_failed(
        self, message_id: str, *, token: str, now: datetime, error: str, expires_at: datetime
    ) -> bool:
        return self._holding(message_id, token, lambda m: replace(m, state="failed", error=error))

    def resend(self, message_id: str, *, now: datetime) -> bool:
        with self._lock:
            message = self._messages.get(message_id)
            if message is None or message.state != "failed":
                return False
            self._messages[message_id] = replace(message, state="pending", attempts=0, next_attempt_at=now)
            return True

    def for_case(self, tracking_no: str) -> list[OutboxMessage]:
        with self._lock:
            mine = [m for m in self._messages.values() if m.notice.tracking_no == tracking_no]
        return sorted(mine, key=lambda m: (m.notice.created_at, m.notice.id))

    def failed(self, limit: int) -> list[OutboxMessage]:
        with self._lock:
            return [m for m in self._messages.values() if m.state == "failed"][:limit]


def _pending(notice: Notice) -> OutboxMessage:
    return OutboxMessage(notice=notice, state="pending", attempts=0, next_attempt_at=notice.created_at)


class MemoryCaseRepository:
    def __init__(self, identity: IdentityHasher, outbox: MemoryOutbox | None = None) -> None:
        self.outbox = outbox or MemoryOutbox()
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

    def create(
        self,
        case: Case,
        event: Event,
        idempotency: IdempotencyRecord | None,
        notices: Sequence[Notice] = (),
    ) -> None:
        with self._lock, self.outbox._lock:
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
            self.outbox.write(notices)
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

    def save(
        self,
        case: Case,
        event: Event,
        access: AccessEntry | None = None,
        notices: Sequence[Notice] = (),
    ) -> None:
        with self._lock, self.outbox._lock:
            stored = self._cases.get(case.tracking_no)
            if stored is None or stored.version != case.version - 1:
                raise VersionConflictError()
            self._cases[case.tracking_no] = case
            self._events[case.tracking_no].append(event)
            if access is not None:
                self._access.setdefault(access.tracking_no, []).append(access)
            self.outbox.write(notices)
            self._keep_facts(case, event)

    def list_cases(self, query: CaseQuery) -> CasePage:
        """The same selection and order as the DynamoDB indexes give. The cursor is the last case's
        place in that order, as DynamoDB's is its last key: a page goes on after it even if cases
        before it left the selection meanwhile (a job closing the cases it reads)."""
        after = _place_of(query.cursor) if query.cursor else None
        with self._lock:
            cases = list(self._cases.values())
        by_due = bool(query.department or query.status or not query.month)
        places = sorted(
            ((_place(c, by_due), c) for c in cases if _matches(c, query)), reverse=query.descending
        )
        following = [
            (place, c)
            for place, c in places
            if after is None or (place < after if query.descending else place > after)
        ]
        page = following[: query.limit]
        more = len(following) > query.limit
        cursor = "|".join(page[-1][0]) if more and page else None
        return CasePage([c.summary for _, c in page], cursor)

    def count_cases(self, query: CaseQuery) -> int:
        with self._lock:
            cases = list(self._cases.values())
        return sum(1 for case in cases if _matches(case, query))

    def record_access(self, entry: AccessEntry) -> None:
        with self._lock:
            self._access.setdefault(entry.tracking_no, []).append(entry)

    def access_log(self, tracking_no: str) -> list[AccessEntry]:
        with self._lock:
            return list(self._access.get(tracking_no, []))

    def staff_access(self, staff_id: str, since: datetime, until: datetime) -> list[AccessEntry]:
        with self._lock:
            entries = [e for log in self._access.values() for e in log]
        chosen = [e for e in entries if e.staff_id == staff_id and since <= e.at < until]
        return sorted(chosen, key=lambda e: e.at)

    def cases_with_identifier(self, kind: IdentifierKind, key: str, limit: int) -> list[str]:
        with self._lock:
            cases = list(self._cases.values())
        found = [c for c in cases if getattr(self._identity.of(c.complainant), kind) == key]
        found.sort(key=lambda c: c.submitted_at, reverse=True)
        return [c.tracking_no for c in found[:limit]]

    def summaries(self, tracking_nos: Sequence[str]) -> list[CaseSummary]:
        with self._lock:
            return [self._cases[n].summary for n in dict.fromkeys(tracking_nos) if n in self._cases]

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


def _place(case: Case, by_due: bool) -> tuple[str, str]:
    moment = _queue_at(case) if by_due else case.submitted_at
    return (moment.astimezone(UTC).isoformat(timespec="microseconds"), case.tracking_no)


def _place_of(cursor: str) -> tuple[str, str]:
    moment, _, tracking_no = cursor.partition("|")
    try:
        datetime.fromisoformat(moment)
    except ValueError:
        raise InvalidInputError({"cursor": Message("invalid_cursor")}, Message("invalid_cursor")) from None
    if not tracking_no:
        raise InvalidInputError({"cursor": Message("invalid_cursor")}, Message("invalid_cursor"))
    return (moment, tracking_no)


def _queue_at(case: Case) -> datetime:
    return case.next_due_at or case.updated_at


def _matches(case: Case, query: CaseQuery) -> bool:
    if query.extension_waiting and case.extension_request is None:
        return False
    named = query.department or query.status or query.month or query.extension_waiting
    if not named and not case.awaits_staff:
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
    if query.due_kind is not None and (
        case.next_deadline is None or case.next_deadline.kind != query.due_kind
    ):
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


class MemoryJobCursors:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cursors: dict[str, tuple[str, datetime]] = {}

    def get(self, name: str, *, now: datetime) -> str | None:
        with self._lock:
            kept = self._cursors.get(name)
        return kept[0] if kept is not None and now < kept[1] else None

    def put(self, name: str, cursor: str | None, *, keep_until: datetime) -> None:
        with self._lock:
            if cursor is None:
                self._cursors.pop(name, None)
            else:
                self._cursors[name] = (cursor, keep_until)
