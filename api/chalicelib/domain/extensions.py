"""Extending a time limit: directly by a supervisor (``extend``), or asked for by a handler or an
officer and then approved or declined by a supervisor with a reason (``request_extension``,
``approve_extension``, ``decline_extension``). Either way the new limit is later than the current
one and than now, and at most the policy's ``extension_max`` beyond the current limit: checked when
it is asked for and again when it is approved, since time passes in between.

The definitions are registered with the other staff actions (actions.py).
"""

from __future__ import annotations

from datetime import datetime

from msgspec import Struct
from msgspec.structs import replace

from .action_rules import Effect, refused
from .case import Case, Deadline, ExtensionRequest
from .deadlines import Policy
from .errors import DomainError, InvalidInputError
from .lifecycle import Status
from .messages import Message
from .staff import StaffMember

__all__ = [
    "EXTENDING_ACTIONS",
    "ApproveExtension",
    "DeclineExtension",
    "RequestExtension",
    "approve_extension",
    "decline_extension",
    "extended_to",
    "extension_pending",
    "request_extension",
    "something_to_extend",
    "something_to_request",
]

# The actions after which a clock is due later than it was (messages, report facts read this).
EXTENDING_ACTIONS = frozenset({"extend", "approve_extension"})


class RequestExtension(Struct, frozen=True):
    due_at: datetime
    reason: str


class ApproveExtension(Struct, frozen=True):
    # Told to the complainant with the new date, as a direct extension's reason is.
    reason: str


class DeclineExtension(Struct, frozen=True):
    reason: str


def _extended_kind(case: Case) -> str:
    return "review" if case.status is Status.UNDER_REVIEW else "respond"


def something_to_extend(case: Case, staff: StaffMember) -> DomainError | None:
    deadline = case.deadline(_extended_kind(case))
    return None if deadline is not None and deadline.met_at is None else refused("nothing_to_extend")


def something_to_request(case: Case, staff: StaffMember) -> DomainError | None:
    if case.extension_request is not None:
        return refused("extension_already_requested")
    return something_to_extend(case, staff)


def extension_pending(case: Case, staff: StaffMember) -> DomainError | None:
    return None if case.extension_request is not None else refused("no_extension_request")


def extended_to(case: Case, due_at: datetime, now: datetime, policy: Policy) -> tuple[Case, dict[str, str]]:
    """The case with its open respond (or review) limit moved to ``due_at``, and the event's data;
    a date that is not later, or too far, is refused naming ``due_at``."""
    kind = _extended_kind(case)
    current = case.deadline(kind)
    if current is None or current.met_at is not None:
        raise refused("nothing_to_extend")
    if due_at <= current.due_at or due_at <= now:
        raise InvalidInputError({"due_at": Message("due_not_later")})
    latest = policy.due("extension_max", current.due_at)
    if due_at > latest.at:
        bound = policy.bounds["extension_max"]
        raise InvalidInputError({"due_at": Message("due_too_late", {"amount": bound.amount})})
    data = {"deadline": kind, "from": current.due_at.isoformat(), "to": due_at.isoformat()}
    return case.with_deadline(Deadline(kind, due_at)), data


def request_extension(
    case: Case, a: RequestExtension, staff: StaffMember, now: datetime, policy: Policy
) -> Effect:
    _, data = extended_to(case, a.due_at, now, policy)  # checked now; applied when approved
    asked = ExtensionRequest(data["deadline"], a.due_at, a.reason, staff.id, staff.name, now)
    return Effect(replace(case, extension_request=asked), note=a.reason, data=data)


def approve_extension(
    case: Case, a: ApproveExtension, staff: StaffMember, now: datetime, policy: Policy
) -> Effect:
    asked = case.extension_request
    assert asked is not None  # the condition of the action
    changed, data = extended_to(case, asked.due_at, now, policy)
    data = {**data, "requested_by": asked.by_name}
    return Effect(replace(changed, extension_request=None), note=a.reason, data=data)


def decline_extension(
    case: Case, a: DeclineExtension, staff: StaffMember, now: datetime, policy: Policy
) -> Effect:
    asked = case.extension_request
    assert asked is not None  # the condition of the action
    current = case.deadline(asked.deadline)
    data = {"deadline": asked.deadline, "to": asked.due_at.isoformat(), "requested_by": asked.by_name}
    if current is not None:
        data["from"] = current.due_at.isoformat()
    return Effect(replace(case, extension_request=None), note=a.reason, data=data)
