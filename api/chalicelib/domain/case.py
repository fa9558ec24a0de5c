"""A case: one complaint through its life, with its deadlines, milestones and history events."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from .complaint import Channel, Complainant, ComplaintDetails
from .deadlines import Policy
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

    def was_late(self) -> bool:
        return self.met_at is not None and self.met_at > self.due_at


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

    @property
    def submitted_month(self) -> str:
        return self.submitted_at.strftime("%Y-%m")

    @property
    def next_due_at(self) -> datetime | None:
        """The earliest deadline still to be met: what the staff queue is ordered by."""
        open_dues = [d.due_at for d in self.deadlines if d.met_at is None]
        return min(open_dues, default=None)

    def deadline(self, kind: str) -> Deadline | None:
        return next((d for d in self.deadlines if d.kind == kind), None)

    def moved_to(self, target: Status, at: datetime) -> Case:
        """The case after a status change the lifecycle allows, one version later."""
        ensure_transition(self.status, target)
        return replace(
            self,
            status=target,
            updated_at=at,
            version=self.version + 1,
            milestones=(*self.milestones, Milestone(target, at)),
        )


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
