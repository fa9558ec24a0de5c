"""A case: one complaint through its life, with its deadlines, milestones and history events."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Literal

from msgspec import Struct, field
from msgspec.structs import replace

from .complaint import Channel, Complainant, ComplaintDetails
from .deadlines import Policy, default_policy
from .lifecycle import Status, ensure_transition
from .messages import Message, field_message
from .vocabulary import category

__all__ = [
    "COMPLAINANT",
    "UNREACHABLE_WHEN_ANONYMOUS",
    "Actor",
    "ActorKind",
    "Case",
    "Deadline",
    "Event",
    "ExtensionRequest",
    "Milestone",
    "Priority",
    "Visibility",
    "check_arrival",
    "open_case",
]

Visibility = Literal["public", "internal"]
Priority = Literal["normal", "major", "urgent"]
ActorKind = Literal["complainant", "staff", "system"]

# Channels that leave no way back to a complainant who gave no name or contact: nobody can be
# told the tracking number, so no acknowledgement is owed.
UNREACHABLE_WHEN_ANONYMOUS: frozenset[Channel] = frozenset({"letter", "mailbox"})


class Actor(Struct, frozen=True):
    kind: ActorKind
    id: str | None = None
    name: str | None = None
    role: str | None = None


COMPLAINANT = Actor(kind="complainant")


class Deadline(Struct, frozen=True):
    kind: str  # acknowledge, decide, attend, report, respond, review, callback
    due_at: datetime
    provisional: bool = False
    met_at: datetime | None = None

    def is_overdue(self, now: datetime) -> bool:
        return self.met_at is None and now > self.due_at


class ExtensionRequest(Struct, frozen=True):
    """A handler's (or officer's) request to extend a time limit, until a supervisor decides it."""

    deadline: str  # the kind of the clock to extend: respond or review
    due_at: datetime
    reason: str
    by_id: str
    by_name: str
    at: datetime


class Milestone(Struct, frozen=True):
    status: Status
    at: datetime


class Event(Struct, frozen=True):
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


class CaseSummary(Struct, frozen=True):
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


class Case(Struct, frozen=True):
    tracking_no: str
    access_code_hash: str
    status: Status
    channel: Channel
    complainant: Complainant
    details: ComplaintDetails
    # When the complaint reached the portal: filed online, or (registered by staff) the moment the
    # call, letter or visit was received, which may be days before registration. Clocks run from it.
    submitted_at: datetime
    updated_at: datetime
    version: int
    # Who complained is for supervisors only. Set by a confidential category; once set it stays
    # set, whatever the case is re-categorised as, until a supervisor lifts it with a reason.
    confidential: bool = False
    department: str | None = None
    priority: Priority | None = None
    deadlines: tuple[Deadline, ...] = ()
    milestones: tuple[Milestone, ...] = field(default_factory=tuple)
    review_count: int = 0
    # Everyone who took part in the handling (accepted, rejected, responded or decided a review),
    # in order: a review must be decided by someone who is not among them.
    handled_by: tuple[str, ...] = ()
    # Satisfaction recorded by an officer's call back, and the complainant's own rating.
    callback_satisfaction: str | None = None
    complainant_rating: str | None = None
    # An extension asked for and not yet approved or declined.
    extension_request: ExtensionRequest | None = None

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

    @property
    def reachable(self) -> bool:
        """Whether the complainant can be contacted (anonymous complaints leave no contact)."""
        c = self.complainant
        return not c.anonymous and bool(c.phone or c.email)

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

    def handled_by_also(self, staff_id: str) -> Case:
        """The case with ``staff_id`` among those who took part in its handling."""
        if staff_id in self.handled_by:
            return self
        return replace(self, handled_by=(*self.handled_by, staff_id))

    def touched(self, at: datetime) -> Case:
        """The case one version later: every change is one version and one history event."""
        return replace(self, updated_at=at, version=self.version + 1)


def check_arrival(
    channel: Channel | None, received_at: datetime | None, *, now: datetime, policy: Policy
) -> dict[str, Message]:
    """What is wrong with how staff record a complaint's arrival, by field: the channel, and when
    it was received (not in the future, not longer ago than the policy's bound)."""
    errors: dict[str, Message] = {}
    if channel is None:
        errors["channel"] = field_message("required", "channel")
    if received_at is None:
        errors["received_at"] = field_message("required", "received_at")
    elif received_at > now:
        errors["received_at"] = field_message("date_in_future", "received_at")
    elif policy.due("registration_backdate", received_at).at < now:
        days = policy.bounds["registration_backdate"].amount
        errors["received_at"] = field_message("received_too_long_ago", "received_at", days=days)
    return errors


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
    received_at: datetime | None = None,
) -> tuple[Case, Event]:
    """A newly received case and the first event of its history.

    Filed online, the complainant sees the tracking number at once: the acknowledgement is met at
    receipt. Registered by staff from another channel, the case was received at ``received_at``
    (a letter may be days old) and every clock runs from then; the acknowledgement is met only when
    staff record that the complainant was told the number. An anonymous letter or suggestion-box
    note leaves nobody to tell, so it has no acknowledgement clock.
    """
    received = received_at or now
    online = channel == "web"
    acknowledge = policy.due("acknowledge", received)
    decide = policy.due("decide", received)
    deadlines = [Deadline("decide", decide.at, decide.provisional)]
    if online:
        deadlines.insert(0, Deadline("acknowledge", acknowledge.at, acknowledge.provisional, met_at=now))
    elif not (complainant.anonymous and channel in UNREACHABLE_WHEN_ANONYMOUS):
        deadlines.insert(0, Deadline("acknowledge", acknowledge.at, acknowledge.provisional))
    case = Case(
        tracking_no=tracking_no,
        access_code_hash=access_code_hash,
        status=Status.RECEIVED,
        channel=channel,
        complainant=complainant,
        details=details,
        submitted_at=received,
        updated_at=now,
        version=1,
        confidential=category(details.category).confidential,
        deadlines=tuple(deadlines),
        milestones=(Milestone(Status.RECEIVED, received),),
    )
    event = Event(
        tracking_no=tracking_no,
        seq=1,
        at=now,
        actor=actor,
        action="submit" if online else "register",
        visibility="public",
        to_status=Status.RECEIVED,
        data={} if online else {"received_at": received.isoformat()},
    )
    return case, event
