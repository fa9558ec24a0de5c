"""What staff do to a case. Each action checks the caller's role, the case's status and its own
rules, and gives the changed case (one version later) and the one event that records it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from .case import Case, Deadline, Event, Priority, Visibility
from .deadlines import Policy
from .errors import ForbiddenError, InvalidInputError, TransitionNotAllowedError
from .lifecycle import TRANSITIONS, Status
from .messages import Message, field_message
from .staff import Role, StaffMember
from .vocabulary import categories, departments, label, rejection_reasons

__all__ = [
    "ACTION_ROLES",
    "DECISIONS",
    "SATISFACTION_LEVELS",
    "Accept",
    "Callback",
    "Close",
    "Decision",
    "Extend",
    "Note",
    "Reject",
    "Reply",
    "Respond",
    "ReviewDecision",
    "Satisfaction",
    "StaffAction",
    "Start",
    "Transfer",
    "action_name",
    "allowed_staff_actions",
    "apply_staff_action",
]

Decision = Literal["upheld", "partly_upheld", "not_upheld"]
DECISIONS: tuple[Decision, ...] = ("upheld", "partly_upheld", "not_upheld")
Satisfaction = Literal["very_satisfied", "satisfied", "basically_satisfied", "unsatisfied"]
SATISFACTION_LEVELS: tuple[Satisfaction, ...] = (
    "very_satisfied",
    "satisfied",
    "basically_satisfied",
    "unsatisfied",
)

_ALL: frozenset[Role] = frozenset({"officer", "handler", "supervisor"})
_OFFICE: frozenset[Role] = frozenset({"officer", "supervisor"})
_SUPERVISOR: frozenset[Role] = frozenset({"supervisor"})
_RESPOND_LIMIT: dict[Priority, str] = {
    "normal": "respond_normal",
    "major": "respond_major",
    "urgent": "respond_urgent",
}


@dataclass(frozen=True, slots=True)
class Accept:
    category: str
    department: str
    priority: Priority


@dataclass(frozen=True, slots=True)
class Reject:
    reason_code: str
    explanation: str


@dataclass(frozen=True, slots=True)
class Transfer:
    department: str
    reason: str


@dataclass(frozen=True, slots=True)
class Start:
    pass


@dataclass(frozen=True, slots=True)
class Note:
    note: str


@dataclass(frozen=True, slots=True)
class Reply:
    message: str


@dataclass(frozen=True, slots=True)
class Extend:
    due_at: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class Respond:
    decision: Decision
    reasons: str
    remedy: str | None = None


@dataclass(frozen=True, slots=True)
class Callback:
    satisfaction: Satisfaction
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Close:
    pass


@dataclass(frozen=True, slots=True)
class ReviewDecision:
    decision: Decision
    reasons: str
    remedy: str | None = None


StaffAction = (
    Accept | Reject | Transfer | Start | Note | Reply | Extend | Respond | Callback | Close | ReviewDecision
)

_NAMES: dict[type[StaffAction], str] = {
    Accept: "accept",
    Reject: "reject",
    Transfer: "transfer",
    Start: "start",
    Note: "note",
    Reply: "reply",
    Extend: "extend",
    Respond: "respond",
    Callback: "callback",
    Close: "close",
    ReviewDecision: "review_decision",
}

# Who may do what: officers run the process, handlers work their department's cases, supervisors
# may do everything and alone extend time limits and decide reviews.
ACTION_ROLES: dict[str, frozenset[Role]] = {
    "accept": _OFFICE,
    "reject": _OFFICE,
    "transfer": _OFFICE,
    "start": _ALL,
    "note": _ALL,
    "reply": _ALL,
    "extend": _SUPERVISOR,
    "respond": _ALL,
    "callback": _OFFICE,
    "close": _OFFICE,
    "review_decision": _SUPERVISOR,
}

# The statuses each action that keeps the status may be taken in.
_STAYING: dict[str, frozenset[Status]] = {
    "transfer": frozenset({Status.ACCEPTED, Status.IN_PROGRESS, Status.UNDER_REVIEW}),
    "note": frozenset(Status),  # an internal note may record anything, whenever
    "reply": frozenset(
        {
            Status.RECEIVED,
            Status.ACCEPTED,
            Status.IN_PROGRESS,
            Status.UNDER_REVIEW,
            Status.RESPONDED,
            Status.REJECTED,
        }
    ),
    "extend": frozenset({Status.ACCEPTED, Status.IN_PROGRESS, Status.UNDER_REVIEW}),
    "callback": frozenset({Status.RESPONDED, Status.CLOSED}),
}


# The status each status-changing action leads to (the lifecycle decides whether it may).
_TARGETS: dict[str, Status] = {
    "accept": Status.ACCEPTED,
    "reject": Status.REJECTED,
    "start": Status.IN_PROGRESS,
    "respond": Status.RESPONDED,
    "close": Status.CLOSED,
    "review_decision": Status.RESPONDED,
}


def allowed_staff_actions(case: Case, staff: StaffMember) -> list[str]:
    """The actions ``staff`` may take on ``case`` now, for the console to offer."""
    try:
        staff.ensure_may_work_on(case)
    except ForbiddenError:
        return []
    allowed = []
    for name, roles in ACTION_ROLES.items():
        if not staff.roles & roles:
            continue
        if name in _STAYING:
            possible = case.status in _STAYING[name]
        else:
            possible = _TARGETS[name] in TRANSITIONS[case.status]
        if name == "respond":
            possible = possible and case.status is not Status.UNDER_REVIEW
        if name == "review_decision":
            possible = case.status is Status.UNDER_REVIEW and case.decided_by != staff.id
        if name == "extend":
            kind = "review" if case.status is Status.UNDER_REVIEW else "respond"
            deadline = case.deadline(kind)
            possible = possible and deadline is not None and deadline.met_at is None
        if possible:
            allowed.append(name)
    return allowed


def action_name(action: StaffAction) -> str:
    return _NAMES[type(action)]


def _refuse_here(case: Case, name: str) -> TransitionNotAllowedError:
    return TransitionNotAllowedError(
        Message(
            "action_not_allowed",
            {"current": label("status", case.status.value), "action": label("action", name)},
        )
    )


def _ensure_known_department(code: str) -> None:
    if code not in departments():
        raise InvalidInputError({"department": field_message("invalid_choice", "department")})


def _respond_deadline(case: Case, priority: Priority, now: datetime, policy: Policy) -> Case:
    respond = policy.due(_RESPOND_LIMIT[priority], now)
    case = case.with_deadline(Deadline("respond", respond.at, respond.provisional))
    if priority == "urgent":
        attend = policy.due("attend_urgent", now)
        case = case.with_deadline(Deadline("attend", attend.at, attend.provisional))
    return case


def _report_deadline(case: Case, now: datetime, policy: Policy) -> Case:
    report = policy.due("department_report", now)
    return case.with_deadline(Deadline("report", report.at, report.provisional))


@dataclass(frozen=True, slots=True)
class _Outcome:
    case: Case
    visibility: Visibility
    note: str | None = None
    data: Mapping[str, str] | None = None


def _accept(case: Case, a: Accept, staff: StaffMember, now: datetime, policy: Policy) -> _Outcome:
    errors: dict[str, Message] = {}
    if a.category not in categories():
        errors["category"] = field_message("invalid_choice", "category")
    if a.department not in departments():
        errors["department"] = field_message("invalid_choice", "department")
    if errors:
        raise InvalidInputError(errors)
    changed = replace(
        case.moved_to(Status.ACCEPTED, now).meeting("decide", now),
        details=replace(case.details, category=a.category),
        confidential=categories()[a.category].confidential,
        department=a.department,
        priority=a.priority,
    )
    changed = _report_deadline(_respond_deadline(changed, a.priority, now, policy), now, policy)
    data = {"category": a.category, "department": a.department, "priority": a.priority}
    return _Outcome(changed, "public", data=data)


def _reject(case: Case, a: Reject, staff: StaffMember, now: datetime, policy: Policy) -> _Outcome:
    if a.reason_code not in rejection_reasons():
        raise InvalidInputError({"reason_code": field_message("invalid_choice", "reason_code")})
    changed = replace(case.moved_to(Status.REJECTED, now).meeting("decide", now), decided_by=staff.id)
    # The explanation is addressed to the complainant: the domain's rules say the reasons are explained in detail.
    return _Outcome(changed, "public", note=a.explanation, data={"reason_code": a.reason_code})


def _transfer(case: Case, a: Transfer, staff: StaffMember, now: datetime, policy: Policy) -> _Outcome:
    _ensure_known_department(a.department)
    changed = _report_deadline(replace(case, department=a.department), now, policy)
    return _Outcome(
        changed, "internal", note=a.reason, data={"from": case.department or "", "to": a.department}
    )


def _start(case: Case, a: Start, staff: StaffMember, now: datetime, policy: Policy) -> _Outcome:
    # Starting work is the department's first report; for an urgent case it is the attendance too.
    changed = case.moved_to(Status.IN_PROGRESS, now).meeting("report", now).meeting("attend", now)
    return _Outcome(changed, "public")


def _note(case: Case, a: Note, staff: StaffMember, now: datetime, policy: Policy) -> _Outcome:
    return _Outcome(case, "internal", note=a.note)


def _reply(case: Case, a: Reply, staff: StaffMember, now: datetime, policy: Policy) -> _Outcome:
    return _Outcome(case, "public", note=a.message)


def _extend(case: Case, a: Extend, staff: StaffMember, now: datetime, policy: Policy) -> _Outcome:
    kind = "review" if case.status is Status.UNDER_REVIEW else "respond"
    current = case.deadline(kind)
    if current is None or current.met_at is not None:
        raise InvalidInputError({"due_at": Message("nothing_to_extend")})
    if a.due_at <= current.due_at or a.due_at <= now:
        raise InvalidInputError({"due_at": Message("due_not_later")})
    changed = case.with_deadline(Deadline(kind, a.due_at, provisional=False))
    data = {"deadline": kind, "from": current.due_at.isoformat(), "to": a.due_at.isoformat()}
    return _Outcome(changed, "public", note=a.reason, data=data)


def _decision_data(decision: Decision, reasons: str, remedy: str | None) -> dict[str, str]:
    data = {"decision": decision, "reasons": reasons}
    if remedy:
        data["remedy"] = remedy
    return data


def _respond(case: Case, a: Respond, staff: StaffMember, now: datetime, policy: Policy) -> _Outcome:
    if case.status is Status.UNDER_REVIEW:  # a review ends with a review decision, by someone else
        raise _refuse_here(case, "respond")
    callback = policy.due("callback", now)
    changed = case.moved_to(Status.RESPONDED, now).meeting("respond", now).meeting("report", now)
    changed = replace(changed, decided_by=staff.id).with_deadline(
        Deadline("callback", callback.at, callback.provisional)
    )
    return _Outcome(changed, "public", data=_decision_data(a.decision, a.reasons, a.remedy))


def _callback(case: Case, a: Callback, staff: StaffMember, now: datetime, policy: Policy) -> _Outcome:
    changed = replace(case.meeting("callback", now), callback_satisfaction=a.satisfaction)
    return _Outcome(changed, "internal", note=a.comment, data={"satisfaction": a.satisfaction})


def _close(case: Case, a: Close, staff: StaffMember, now: datetime, policy: Policy) -> _Outcome:
    return _Outcome(case.moved_to(Status.CLOSED, now), "public")


def _review_decision(
    case: Case, a: ReviewDecision, staff: StaffMember, now: datetime, policy: Policy
) -> _Outcome:
    if case.decided_by == staff.id:
        raise ForbiddenError(Message("forbidden_same_person"))
    changed = replace(case.moved_to(Status.RESPONDED, now).meeting("review", now), decided_by=staff.id)
    return _Outcome(changed, "public", data=_decision_data(a.decision, a.reasons, a.remedy))


def _outcome(case: Case, action: StaffAction, staff: StaffMember, now: datetime, policy: Policy) -> _Outcome:
    match action:
        case Accept():
            return _accept(case, action, staff, now, policy)
        case Reject():
            return _reject(case, action, staff, now, policy)
        case Transfer():
            return _transfer(case, action, staff, now, policy)
        case Start():
            return _start(case, action, staff, now, policy)
        case Note():
            return _note(case, action, staff, now, policy)
        case Reply():
            return _reply(case, action, staff, now, policy)
        case Extend():
            return _extend(case, action, staff, now, policy)
        case Respond():
            return _respond(case, action, staff, now, policy)
        case Callback():
            return _callback(case, action, staff, now, policy)
        case Close():
            return _close(case, action, staff, now, policy)
        case ReviewDecision():
            return _review_decision(case, action, staff, now, policy)


def apply_staff_action(
    case: Case, action: StaffAction, staff: StaffMember, *, now: datetime, policy: Policy
) -> tuple[Case, Event]:
    """The case after ``action`` by ``staff`` and the event recording it, or a refusal that says why."""
    name = action_name(action)
    staff.ensure_role(ACTION_ROLES[name])
    staff.ensure_may_work_on(case)
    staying = _STAYING.get(name)
    if staying is not None and case.status not in staying:
        raise _refuse_here(case, name)
    try:
        outcome = _outcome(case, action, staff, now, policy)
    except TransitionNotAllowedError:
        raise _refuse_here(case, name) from None
    changed = outcome.case.touched(now)
    event = Event(
        tracking_no=case.tracking_no,
        seq=changed.version,
        at=now,
        actor=staff.actor,
        action=name,
        visibility=outcome.visibility,
        from_status=case.status,
        to_status=changed.status,
        note=outcome.note,
        data=dict(outcome.data or {}),
    )
    return changed, event
