"""A case: one complaint through its life, with its deadlines, milestones and history events."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from .complaint import Channel, Complainant, ComplaintDetails
from .deadlines import Policy, default_policy
from .lifecycle import Status, ensure_transition
from .vocabulary import category

__all__ = [
    "COMPLAINANT",
    "Actor",
    "ActorKind",
    "Case",
    "Deadline",
    "Event",
    "Milestone",
    "Priority",
    "Visibility",
    "open_case",
]

Visibility = Literal["public", "internal"]
Priority = Literal["normal", "major", "urgent"]
ActorKind = Literal["complainant", "staff", "system"]


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    id: str | None = None
    name: str | None = None
    role: str | None = None


COMPLAINANT = Actor(kind="complainant")


@dataclass(frozen=True, slots=True)
class Deadline:
    kind: str  # acknowledge, decide, attend, respond, review
    due_at: datetime
    provisional: bool = False
    met_at: datetime | None = None

    def is_overdue(self, now: datetime) -> bool:
        return self.met_at is None and now > self.due_at


@dataclass(frozen=True, slots=True)
class Milestone:
    status: Status
    at: datetime


@dataclass(frozen=True, slots=True)
class Event:
    """One entry of a case's append-only history. ``seq`` equals the case version it produced."""

    tracking_no: str
    seq: int
    at: datetime
    actor: Actor
    action: str
    visibility: Visibility
    from_status: Status | None = None
    to_status: Status | None = None
    note: str | None = None
    # Structured parts of a decision or rating (decision code, reasons, remedy, satisfaction...).
    data: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CaseSummary:
    """What the staff queue shows of a case: no complainant, nothing but the subject of what they
    wrote, and of its deadlines only the next one to meet."""

    tracking_no: str
    version: int
    status: Status
    channel: Channel
    category: str
    subject: str
    confidential: bool
    submitted_at: datetime
    updated_at: datetime
    department: str | None = None
    priority: Priority | None = None
    next_due_kind: str | None = None
    next_due_at: datetime | None = None

    @property
    def awaits_staff(self) -> bool:
        return self.next_due_at is not None

    def is_overdue(self, now: datetime) -> bool:
        return self.next_due_at is not None and now > self.next_due_at


@dataclass(frozen=True, slots=True)
class Case:
    tracking_no: str
    access_code_hash: str
    status: Status
    channel: Channel
    complainant: Complainant
    details: ComplaintDetails
    submitted_at: datetime
    updated_at: datetime
    version: int
    confidential: bool = False
    department: str | None = None
    priority: Priority | None = None
    deadlines: tuple[Deadline, ...] = ()
    milestones: tuple[Milestone, ...] = field(default_factory=tuple)
    review_count: int = 0
    # Who made the last decision (response or rejection): a review must be decided by someone else.
    decided_by: str | None = None
    # Satisfaction recorded by an officer's call back, and the complainant's own rating.
    callback_satisfaction: str | None = None
    complainant_rating: str | None = None

    @property
    def submitted_month(self) -> str:
        """The month of filing in the portal's time zone: monthly reports count by local month."""
        return self.submitted_at.astimezone(default_policy().zone).strftime("%Y-%m")

    @property
    def open_deadlines(self) -> tuple[Deadline, ...]:
        """Deadlines still to be met. A withdrawn or closed case owes nothing any more."""
        if self.status in (Status.WITHDRAWN, Status.CLOSED):
            return ()
        return tuple(d for d in self.deadlines if d.met_at is None)

    @property
    def next_deadline(self) -> Deadline | None:
        """The earliest deadline still to be met: what the staff queue is ordered by."""
        return min(self.open_deadlines, key=lambda d: d.due_at, default=None)

    @property
    def next_due_at(self) -> datetime | None:
        deadline = self.next_deadline
        return deadline.due_at if deadline else None

    @property
    def awaits_staff(self) -> bool:
        """Whether someone on the portal's side still has something to do (the open queue)."""
        return bool(self.open_deadlines)

    def is_overdue(self, now: datetime) -> bool:
        return any(d.is_overdue(now) for d in self.open_deadlines)

    @property
    def summary(self) -> CaseSummary:
        return CaseSummary(
            tracking_no=self.tracking_no,
            version=self.version,
            status=self.status,
            channel=self.channel,
            category=self.details.category,
            subject=self.details.subject,
            confidential=self.confidential,
            submitted_at=self.submitted_at,
            updated_at=self.updated_at,
            department=self.department,
            priority=self.priority,
            next_due_kind=self.next_deadline.kind if self.next_deadline else None,
            next_due_at=self.next_due_at,
        )

    def deadline(self, kind: str) -> Deadline | None:
        return next((d for d in self.deadlines if d.kind == kind), None)

    def last_decision_at(self) -> datetime | None:
        """When the complainant was last given a decision (a response or a rejection)."""
        decided = [m.at for m in self.milestones if m.status in (Status.RESPONDED, Status.REJECTED)]
        return decided[-1] if decided else None

    def with_deadline(self, deadline: Deadline) -> Case:
        """The case with ``deadline`` set, replacing one of the same kind."""
        others = tuple(d for d in self.deadlines if d.kind != deadline.kind)
        return replace(self, deadlines=(*others, deadline))

    def meeting(self, kind: str, at: datetime) -> Case:
        """The case with the open deadline ``kind`` (if any) met at ``at``."""
        return replace(
            self,
            deadlines=tuple(
                replace(d, met_at=at) if d.kind == kind and d.met_at is None else d for d in self.deadlines
            ),
        )

    def moved_to(self, target: Status, at: datetime) -> Case:
        """The case after a status change the lifecycle allows."""
        ensure_transition(self.status, target)
        return replace(self, status=target, milestones=(*self.milestones, Milestone(target, at)))

    def touched(self, at: datetime) -> Case:
        """The case one version later: every change is one version and one history event."""
        return replace(self, updated_at=at, version=self.version + 1)


def open_case(
    *,
    tracking_no: str,
    access_code_hash: str,
    complainant: Complainant,
    details: ComplaintDetails,
    channel: Channel,
    actor: Actor,
    now: datetime,
    policy: Policy,
) -> tuple[Case, Event]:
    """A newly received case and the first event of its history.

    Filing online and being registered by an officer both tell the complainant the tracking number at
    once, so the acknowledgement is met at receipt; the decision on acceptance is then due.
    """
    acknowledge = policy.due("acknowledge", now)
    decide = policy.due("decide", now)
    case = Case(
        tracking_no=tracking_no,
        access_code_hash=access_code_hash,
        status=Status.RECEIVED,
        channel=channel,
        complainant=complainant,
        details=details,
        submitted_at=now,
        updated_at=now,
        version=1,
        confidential=category(details.category).confidential,
        deadlines=(
            Deadline("acknowledge", acknowledge.at, acknowledge.provisional, met_at=now),
            Deadline("decide", decide.at, decide.provisional),
        ),
        milestones=(Milestone(Status.RECEIVED, now),),
    )
    event = Event(
        tracking_no=tracking_no,
        seq=1,
        at=now,
        actor=actor,
        action="submit" if channel == "web" else "register",
        visibility="public",
        to_status=Status.RECEIVED,
    )
    return case, event
