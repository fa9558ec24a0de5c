"""The storage a service needs, as a protocol; storage/ implements it on DynamoDB and in memory."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal, Protocol

from msgspec import Struct

from ..domain.case import Case, CaseSummary, Event, Priority
from ..domain.lifecycle import Status

if TYPE_CHECKING:  # annotations only: the notices' and searches' modules stay off a lookup's path
    from ..domain.notifications import Notice
    from ..domain.search_terms import IdentifierKind

__all__ = [
    "AccessEntry",
    "AttemptCounter",
    "CasePage",
    "CaseQuery",
    "CaseRepository",
    "IdempotencyKeyTakenError",
    "IdempotencyRecord",
    "JobCursors",
    "MessageState",
    "OutboxMessage",
    "OutboxStore",
    "TrackingNumberTakenError",
]


class IdempotencyRecord(Struct, frozen=True):
    """Remembers which case a submission with a given Idempotency-Key created."""

    key_hash: str
    fingerprint: str
    tracking_no: str
    created_at: datetime
    expires_at: datetime

    def is_live(self, now: datetime) -> bool:
        return now < self.expires_at


class CaseQuery(Struct, frozen=True):
    """A page of the staff queue. Served by one index (department, status, month or the open queue,
    in that order of preference); the other filters narrow what that index returns."""

    now: datetime
    limit: int = 50
    status: Status | None = None
    department: str | None = None
    category: str | None = None
    priority: Priority | None = None
    overdue: bool | None = None
    month: str | None = None
    cursor: str | None = None
    # The index's order reversed: the latest due (or, by month, the latest filed) first.
    descending: bool = False
    # Only cases whose next deadline is of this kind ("callback": the callbacks worklist).
    due_kind: str | None = None
    # Only cases with an extension asked for and not yet decided (served by their own index).
    extension_waiting: bool = False


class CasePage(Struct, frozen=True):
    cases: list[CaseSummary]
    cursor: str | None


class AccessEntry(Struct, frozen=True):
    """One view of a complainant's personal data by a staff member, or one search by identifier."""

    # The case viewed; for a search, ``search#<day>`` (services/case_search.py).
    tracking_no: str
    at: datetime
    staff_id: str
    staff_name: str
    role: str
    purpose: str
    # What a search looked for, as "<kind>:<keyed hash>" (never the identifier itself).
    identifiers: tuple[str, ...] = ()


class AttemptCounter(Protocol):
    """Counts attempts per key (a key names a client or a case, and a time window)."""

    def reserve(self, key: str, cap: int, expires_at: datetime) -> bool:
        """Count one more attempt under ``key`` if fewer than ``cap`` are counted, in one atomic
        conditional write; ``False`` (and nothing counted) when ``cap`` is reached. The count may
        be forgotten after ``expires_at``."""
        ...

    def release(self, key: str) -> None:
        """Give back one attempt counted under ``key`` (it turned out not to be a wrong guess)."""
        ...


class JobCursors(Protocol):
    """Where a scheduled job's pass through the queue stopped at its page bound, so that its next run
    goes on from there instead of starting over (a pass longer than one run still ends)."""

    def get(self, name: str, *, now: datetime) -> str | None:
        """The cursor ``name`` was left at, unless none was or it is older than its keep-until."""
        ...

    def put(self, name: str, cursor: str | None, *, keep_until: datetime) -> None:
        """Leave ``name`` at ``cursor`` until ``keep_until``; ``None``: the pass ended, start over."""
        ...


MessageState = Literal["pending", "sending", "sent", "failed"]


class OutboxMessage(Struct, frozen=True):
    """A notice in the outbox, with where its delivery stands."""

    notice: Notice
    state: MessageState
    attempts: int
    next_attempt_at: datetime
    lease_token: str | None = None
    sent_at: datetime | None = None
    provider_id: str | None = None
    # The last delivery error, as a code (never a provider's message text: it may quote the address).
    error: str | None = None


class OutboxStore(Protocol):
    """The outbox: notices written with their case (``CaseRepository.create``/``save``), delivered
    later. Every change of a message's state is one conditional write."""

    def add(self, notices: list[Notice], *, now: datetime) -> list[Notice]:
        """Write notices not written before (a job's reminders): return those that were new."""
        ...

    def due(self, now: datetime, limit: int) -> list[OutboxMessage]:
        """Messages waiting to be sent whose time has come, or whose lease has run out."""
        ...

    def claim(self, message_id: str, *, token: str, now: datetime, lease: timedelta) -> OutboxMessage | None:
        """Take the message for one delivery, counting an attempt, unless another delivery holds a
        lease on it that has not run out, or it was sent or failed meanwhile (then ``None``)."""
        ...

    def mark_sent(
        self, message_id: str, *, token: str, now: datetime, provider_id: str, expires_at: datetime
    ) -> bool:
        """Record the delivery, if this delivery still holds the lease; forget the access code."""
        ...

    def retry_later(self, message_id: str, *, token: str, at: datetime, error: str) -> bool: ...

    def mark_failed(
        self, message_id: str, *, token: str, now: datetime, error: str, expires_at: datetime
    ) -> bool: ...

    def resend(self, message_id: str, *, now: datetime) -> bool:
        """Put a failed message back in line (staff asked), with its attempts counted afresh."""
        ...

    def for_case(self, tracking_no: str) -> list[OutboxMessage]:
        """A case's messages, oldest first."""
        ...

    def failed(self, limit: int) -> list[OutboxMessage]:
        """Messages that could not be delivered, for the supervisors' digest."""
        ...


class TrackingNumberTakenError(Exception):
    """A new case's tracking number already exists (the write changed nothing)."""


class IdempotencyKeyTakenError(Exception):
    """A live idempotency record already holds this key (the write changed nothing)."""


class CaseRepository(Protocol):
    def create(
        self,
        case: Case,
        event: Event,
        idempotency: IdempotencyRecord | None,
        notices: Sequence[Notice] = (),
    ) -> None:
        """Write a new case, its first event, its idempotency record and the messages it sends all
        at once, or nothing.

        Raises ``IdempotencyKeyTakenError`` when a live record holds the key (checked first), and
        ``TrackingNumberTakenError`` when the tracking number exists.
        """
        ...

    def get(self, tracking_no: str) -> Case | None: ...

    def get_idempotency(self, key_hash: str) -> IdempotencyRecord | None: ...

    def history(self, tracking_no: str) -> list[Event]:
        """The case's events, oldest first."""
        ...

    def save(
        self,
        case: Case,
        event: Event,
        access: AccessEntry | None = None,
        notices: Sequence[Notice] = (),
    ) -> None:
        """Write a changed case, its event, the messages it sends and (when the answer shows who
        complained) the access-log entry at once, on condition that the stored case is still the
        version this change started from (``case.version - 1``); else ``VersionConflictError`` and
        nothing is written."""
        ...

    def list_cases(self, query: CaseQuery) -> CasePage: ...

    def count_cases(self, query: CaseQuery) -> int:
        """How many cases every page of ``query`` holds together (its cursor and limit aside)."""
        ...

    def record_access(self, entry: AccessEntry) -> None: ...

    def access_log(self, tracking_no: str) -> list[AccessEntry]: ...

    def staff_access(self, staff_id: str, since: datetime, until: datetime) -> list[AccessEntry]:
        """What one staff member viewed and searched from ``since`` to before ``until``, in order."""
        ...

    def cases_with_identifier(self, kind: IdentifierKind, key: str, limit: int) -> list[str]:
        """The tracking numbers of the cases whose complainant has the identifier of ``kind`` whose
        keyed hash is ``key`` (services/identity_keys.py), newest first, at most ``limit``."""
        ...

    def summaries(self, tracking_nos: Sequence[str]) -> list[CaseSummary]:
        """What the queue shows of these cases (those that exist), in the order given."""
        ...
