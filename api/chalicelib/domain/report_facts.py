"""What the monthly report knows of a case, and the months it knows it in.

A case's *facts* are what the report counts, without personal data: when it was received, its
channel, category, department, priority and status, its clocks and milestones, the satisfaction
recorded, a normalised location, and the keyed hashes of its complainant's identifiers (counted,
never shown). Most come from the case (``core_of``); a few only from the events that changed it,
because the case forgets them (``marks_of``): why it was not accepted, the decision of the response
and of a review, when satisfaction was recorded, which clocks were extended.

Storage keeps one copy of a case's facts per month it concerns (``fact_months``: the month it was
received, the months of its milestones, of its clocks' due dates and of the change being made),
written in the same transaction as the case, and the scheduled job carries the facts of every case
still open at a month's end into the next month (``open_at``). A month's report then reads that
month's copies only: its reads grow with the month's activity, never with the table.

A copy in a month is only ever used for what happened in that month. It may be older than the case
(a month the case no longer concerns is not rewritten), and then says what was true when the month
last concerned the case: a clock due in that month and replaced later (a transfer starts a new
department-report clock) counts as not met.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timezone

from msgspec import Struct, field

from .case import Case, Event
from .extensions import EXTENDING_ACTIONS
from .lifecycle import Status
from .months import Month

__all__ = [
    "FINISHED",
    "CaseCore",
    "CaseFacts",
    "ClockFact",
    "Marks",
    "core_of",
    "fact_months",
    "marks_of",
    "normalise_location",
    "open_at",
    "status_at",
]

# A case that is closed or withdrawn is no longer open (a rejected one is, until it is closed).
FINISHED = frozenset({Status.CLOSED, Status.WITHDRAWN})
_LOCATION_LENGTH = 100
_SPACES = re.compile(r"\s+")
_EDGE_PUNCTUATION = " ,.;:，。；：、"


class ClockFact(Struct, frozen=True):
    kind: str
    due_at: datetime
    met_at: datetime | None = None


class CaseCore(Struct, frozen=True):
    """The facts the case itself holds, as of one version of it."""

    tracking_no: str
    version: int
    received_at: datetime
    channel: str
    category: str
    confidential: bool
    complainant_type: str
    anonymous: bool
    # Whether the complainant can be called back (a contact was given): a fact, not the contact.
    reachable: bool
    status: Status
    department: str | None = None
    priority: str | None = None
    clocks: tuple[ClockFact, ...] = ()
    milestones: tuple[tuple[Status, datetime], ...] = ()
    callback_satisfaction: str | None = None
    complainant_rating: str | None = None
    # Where the problem is, in one normal form, for the recurring problems; never for a
    # confidential complaint (a place could point to the member of staff complained about).
    location: str | None = None
    identity_keys: tuple[str, ...] = ()


class Marks(Struct, frozen=True):
    """What only the events say: set by the event that decides it, kept by every later one."""

    reject_reason: str | None = None
    respond_decision: str | None = None
    review_decision: str | None = None
    review_decided_at: datetime | None = None
    callback_at: datetime | None = None
    rating_at: datetime | None = None
    extended: frozenset[str] = field(default_factory=frozenset)

    def then(self, later: Marks) -> Marks:
        """These marks followed by ``later`` ones: a value set later replaces one set before."""
        return Marks(
            reject_reason=later.reject_reason or self.reject_reason,
            respond_decision=later.respond_decision or self.respond_decision,
            review_decision=later.review_decision or self.review_decision,
            review_decided_at=later.review_decided_at or self.review_decided_at,
            callback_at=later.callback_at or self.callback_at,
            rating_at=later.rating_at or self.rating_at,
            extended=self.extended | later.extended,
        )


class CaseFacts(Struct, frozen=True):
    core: CaseCore
    marks: Marks = field(default_factory=Marks)

    @property
    def tracking_no(self) -> str:
        return self.core.tracking_no


def normalise_location(text: str | None) -> str | None:
    """A location as one text: compatibility forms folded (full-width digits), spaces collapsed,
    punctuation at either end and case ignored, at most 100 characters."""
    if not text:
        return None
    folded = _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip(_EDGE_PUNCTUATION).casefold()
    return folded[:_LOCATION_LENGTH] or None


def core_of(case: Case, identity_keys: tuple[str, ...]) -> CaseCore:
    return CaseCore(
        tracking_no=case.tracking_no,
        version=case.version,
        received_at=case.submitted_at,
        channel=case.channel,
        category=case.details.category,
        confidential=case.confidential,
        complainant_type=case.complainant.type,
        anonymous=case.complainant.anonymous,
        reachable=case.reachable,
        status=case.status,
        department=case.department,
        priority=case.priority,
        clocks=tuple(ClockFact(d.kind, d.due_at, d.met_at) for d in case.deadlines),
        milestones=tuple((m.status, m.at) for m in case.milestones),
        callback_satisfaction=case.callback_satisfaction,
        complainant_rating=case.complainant_rating,
        location=None if case.confidential else normalise_location(case.details.location),
        identity_keys=identity_keys,
    )


def marks_of(event: Event) -> Marks:
    """What ``event`` decides that the case does not keep."""
    data = event.data
    if event.action == "reject":
        return Marks(reject_reason=data.get("reason_code"))
    if event.action == "respond":
        return Marks(respond_decision=data.get("decision"))
    if event.action == "review_decision":
        return Marks(review_decision=data.get("decision"), review_decided_at=event.at)
    if event.action == "callback":
        return Marks(callback_at=event.at)
    if event.action == "feedback":
        return Marks(rating_at=event.at)
    if event.action in EXTENDING_ACTIONS and data.get("deadline"):
        return Marks(extended=frozenset({data["deadline"]}))
    return Marks()


def fact_months(case: Case, event: Event, zone: timezone) -> frozenset[Month]:
    """The months whose copy of the case's facts a change (``event``) must write."""
    moments = [case.submitted_at, event.at]
    moments += [m.at for m in case.milestones]
    moments += [d.due_at for d in case.deadlines]
    if event.action in EXTENDING_ACTIONS and event.data.get("from"):
        # The month the clock was due in before: its copy must learn that it is due elsewhere now.
        moments.append(datetime.fromisoformat(event.data["from"]))
    return frozenset(Month.of(moment, zone) for moment in moments)


def status_at(facts: CaseFacts, moment: datetime) -> Status | None:
    """The case's status just before ``moment`` (``None``: not yet received then)."""
    status = None
    for milestone, at in facts.core.milestones:
        if at < moment:
            status = milestone
    return status


def open_at(facts: CaseFacts, moment: datetime) -> bool:
    """Whether the case had been received and was neither closed nor withdrawn just before ``moment``."""
    status = status_at(facts, moment)
    return status is not None and status not in FINISHED
