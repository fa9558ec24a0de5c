"""What staff do to a case, each action defined once in ``STAFF_ACTIONS``.

A definition names the action, the input it takes, the roles that may take it, the statuses it may
be taken in, any further condition (with the reason given when it does not hold) and its effect.
``allowed_staff_actions`` (what the console offers) and ``apply_staff_action`` (what the API
accepts) both read ``refusal``, so an action is offered exactly when taking it can succeed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from msgspec import Struct
from msgspec.structs import replace

from .action_rules import EVERY_STATUS, CatalogCode, Effect, leading_to, not_now, refused
from .case import Actor, Case, Deadline, Event, Priority, Visibility
from .deadlines import Policy
from .errors import DomainError, ForbiddenError, InvalidInputError
from .extensions import (
    ApproveExtension,
    DeclineExtension,
    RequestExtension,
    approve_extension,
    decline_extension,
    extended_to,
    extension_pending,
    request_extension,
    something_to_extend,
    something_to_request,
)
from .lifecycle import Status
from .messages import Message, field_message
from .staff import ALL_STAFF, OFFICE, SUPERVISORS, Role, StaffMember
from .vocabulary import categories, departments, rejection_reasons

__all__ = [
    "ACKNOWLEDGE_METHODS",
    "DECISIONS",
    "SATISFACTION_LEVELS",
    "STAFF_ACTIONS",
    "SYSTEM",
    "Accept",
    "Acknowledge",
    "AcknowledgeMethod",
    "Callback",
    "CallbackUnreachable",
    "Close",
    "Decision",
    "Extend",
    "LiftConfidentiality",
    "Note",
    "Reject",
    "Reply",
    "Respond",
    "ReviewDecision",
    "Satisfaction",
    "StaffAction",
    "StaffActionRule",
    "Start",
    "Transfer",
    "allowed_staff_actions",
    "apply_staff_action",
    "apply_system_action",
    "rule_for",
    "rule_named",
    "withheld_staff_actions",
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
# How the complainant of a complaint registered by staff was told its tracking number.
AcknowledgeMethod = Literal["phone", "in_person", "letter", "email", "sms"]
ACKNOWLEDGE_METHODS: tuple[AcknowledgeMethod, ...] = ("phone", "in_person", "letter", "email", "sms")

_RESPOND_LIMIT: dict[Priority, str] = {
    "normal": "respond_normal",
    "major": "respond_major",
    "urgent": "respond_urgent",
}


# --- What each action takes ------------------------------------------------------------------------
# The wire schemas are derived from these fields (web/schemas.py): ``str`` is text people write,
# ``str | None`` optional text, ``datetime`` a moment with its offset, a Literal or a CatalogCode a
# choice.


class Accept(Struct, frozen=True):
    category: CatalogCode
    department: CatalogCode
    priority: Priority


class Reject(Struct, frozen=True):
    reason_code: CatalogCode
    explanation: str


class Acknowledge(Struct, frozen=True):
    method: AcknowledgeMethod


class Transfer(Struct, frozen=True):
    department: CatalogCode
    reason: str


class Start(Struct, frozen=True):
    pass


class Note(Struct, frozen=True):
    note: str


class Reply(Struct, frozen=True):
    message: str


class Extend(Struct, frozen=True):
    due_at: datetime
    reason: str


class Respond(Struct, frozen=True):
    decision: Decision
    reasons: str
    remedy: str | None = None


class Callback(Struct, frozen=True):
    satisfaction: Satisfaction
    comment: str | None = None


class CallbackUnreachable(Struct, frozen=True):
    """Nobody answered the call back: try again then."""

    retry_at: datetime
    comment: str | None = None


class Close(Struct, frozen=True):
    pass


class ReviewDecision(Struct, frozen=True):
    decision: Decision
    reasons: str
    remedy: str | None = None


class LiftConfidentiality(Struct, frozen=True):
    reason: str


StaffAction = (
    Accept
    | Reject
    | Acknowledge
    | Transfer
    | Start
    | Note
    | Reply
    | Extend
    | RequestExtension
    | ApproveExtension
    | DeclineExtension
    | Respond
    | Callback
    | CallbackUnreachable
    | Close
    | ReviewDecision
    | LiftConfidentiality
)

A = TypeVar("A")


class StaffActionRule(Struct, Generic[A], frozen=True):
    """One staff action, whole."""

    name: str
    input: type[A]
    roles: frozenset[Role]
    statuses: frozenset[Status]
    # Whether its history event is shown to the complainant.
    visibility: Visibility
    effect: Callable[[Case, A, StaffMember, datetime, Policy], Effect]
    # What else must hold of the case and the person, as the refusal to give when it does not.
    condition: Callable[[Case, StaffMember], DomainError | None] | None = None

    def refusal(self, case: Case, staff: StaffMember) -> DomainError | None:
        """Why ``staff`` may not take this action on ``case`` now, or ``None`` if they may."""
        standing = self.standing(case, staff)
        if standing is not None or self.condition is None:
            return standing
        return self.condition(case, staff)

    def standing(self, case: Case, staff: StaffMember) -> DomainError | None:
        """The refusal by role, department or status alone (the action's condition aside)."""
        if not staff.roles & self.roles:
            return ForbiddenError(Message("forbidden_role"))
        try:
            staff.ensure_may_work_on(case)
        except ForbiddenError as error:
            return error
        return not_now(case, self.name) if case.status not in self.statuses else None


# --- Conditions ----------------------------------------------------------------------------------


def _acknowledgement_owed(case: Case, staff: StaffMember) -> DomainError | None:
    deadline = case.deadline("acknowledge")
    return None if deadline is not None and deadline.met_at is None else refused("nothing_to_acknowledge")


def _complainant_reachable(case: Case, staff: StaffMember) -> DomainError | None:
    return None if case.reachable else refused("callback_no_contact")


def _callback_owed(case: Case, staff: StaffMember) -> DomainError | None:
    unreachable = _complainant_reachable(case, staff)
    if unreachable is not None:
        return unreachable
    owed = any(d.kind == "callback" for d in case.open_deadlines)
    return None if owed else refused("no_callback_owed")


def _took_no_part(case: Case, staff: StaffMember) -> DomainError | None:
    # The review is the complainant's second look: nobody who accepted, rejected or responded to
    # the complaint, or decided an earlier review of it, may decide it.
    return ForbiddenError(Message("forbidden_same_person")) if staff.id in case.handled_by else None


def _is_confidential(case: Case, staff: StaffMember) -> DomainError | None:
    return None if case.confidential else refused("not_confidential")


# --- Effects ---------------------------------------------------------------------------------------


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


def _accept(case: Case, a: Accept, staff: StaffMember, now: datetime, policy: Policy) -> Effect:
    errors: dict[str, Message] = {}
    if a.category not in categories():
        errors["category"] = field_message("invalid_choice", "category")
    if a.department not in departments():
        errors["department"] = field_message("invalid_choice", "department")
    if errors:
        raise InvalidInputError(errors)
    # Re-categorising never lifts confidentiality; into a confidential category it sets it at once.
    confidential = case.confidential or categories()[a.category].confidential
    changed = replace(
        case.moved_to(Status.ACCEPTED, now).meeting("decide", now),
        details=replace(case.details, category=a.category),
        confidential=confidential,
        department=a.department,
        priority=a.priority,
    ).handled_by_also(staff.id)
    changed = _report_deadline(_respond_deadline(changed, a.priority, now, policy), now, policy)
    data = {"category": a.category, "department": a.department, "priority": a.priority}
    if confidential and not case.confidential:
        data["confidential"] = "true"
    return Effect(changed, data=data)


def _reject(case: Case, a: Reject, staff: StaffMember, now: datetime, policy: Policy) -> Effect:
    if a.reason_code not in rejection_reasons():
        raise InvalidInputError({"reason_code": field_message("invalid_choice", "reason_code")})
    changed = case.moved_to(Status.REJECTED, now).meeting("decide", now).handled_by_also(staff.id)
    # The explanation is addressed to the complainant: the domain's rules say the reasons are explained in detail.
    return Effect(changed, note=a.explanation, data={"reason_code": a.reason_code})


def _acknowledge(case: Case, a: Acknowledge, staff: StaffMember, now: datetime, policy: Policy) -> Effect:
    return Effect(case.meeting("acknowledge", now), data={"method": a.method})


def _transfer(case: Case, a: Transfer, staff: StaffMember, now: datetime, policy: Policy) -> Effect:
    _ensure_known_department(a.department)
    changed = _report_deadline(replace(case, department=a.department), now, policy)
    return Effect(changed, note=a.reason, data={"from": case.department or "", "to": a.department})


def _start(case: Case, a: Start, staff: StaffMember, now: datetime, policy: Policy) -> Effect:
    # Starting work is the department's first report; for an urgent case it is the attendance too.
    return Effect(case.moved_to(Status.IN_PROGRESS, now).meeting("report", now).meeting("attend", now))


def _note(case: Case, a: Note, staff: StaffMember, now: datetime, policy: Policy) -> Effect:
    return Effect(case, note=a.note)


def _reply(case: Case, a: Reply, staff: StaffMember, now: datetime, policy: Policy) -> Effect:
    return Effect(case, note=a.message)


def _extend(case: Case, a: Extend, staff: StaffMember, now: datetime, policy: Policy) -> Effect:
    changed, data = extended_to(case, a.due_at, now, policy)
    return Effect(changed, note=a.reason, data=data)


def _decision_data(decision: Decision, reasons: str, remedy: str | None) -> dict[str, str]:
    data = {"decision": decision, "reasons": reasons}
    if remedy:
        data["remedy"] = remedy
    return data


def _respond(case: Case, a: Respond, staff: StaffMember, now: datetime, policy: Policy) -> Effect:
    changed = case.moved_to(Status.RESPONDED, now).meeting("respond", now).meeting("report", now)
    changed = changed.handled_by_also(staff.id)
    if changed.reachable:  # nobody to call back on an anonymous complaint: no clock that cannot be met
        callback = policy.due("callback", now)
        changed = changed.with_deadline(Deadline("callback", callback.at, callback.provisional))
    return Effect(changed, data=_decision_data(a.decision, a.reasons, a.remedy))


def _callback(case: Case, a: Callback, staff: StaffMember, now: datetime, policy: Policy) -> Effect:
    changed = replace(case.meeting("callback", now), callback_satisfaction=a.satisfaction)
    return Effect(changed, note=a.comment, data={"satisfaction": a.satisfaction})


def _callback_unreachable(
    case: Case, a: CallbackUnreachable, staff: StaffMember, now: datetime, policy: Policy
) -> Effect:
    # The call back's clock moves to when it is tried again, so the worklist brings it back then.
    latest = policy.due("callback_retry_max", now)
    if a.retry_at <= now:
        raise InvalidInputError({"retry_at": Message("retry_not_later")})
    if a.retry_at > latest.at:
        bound = policy.bounds["callback_retry_max"]
        raise InvalidInputError({"retry_at": Message("retry_too_late", {"amount": bound.amount})})
    changed = case.with_deadline(Deadline("callback", a.retry_at))
    return Effect(changed, note=a.comment, data={"retry_at": a.retry_at.isoformat()})


def _close(case: Case, a: Close, staff: StaffMember, now: datetime, policy: Policy) -> Effect:
    return Effect(case.moved_to(Status.CLOSED, now))


def _review_decision(
    case: Case, a: ReviewDecision, staff: StaffMember, now: datetime, policy: Policy
) -> Effect:
    changed = case.moved_to(Status.RESPONDED, now).meeting("review", now).handled_by_also(staff.id)
    return Effect(changed, data=_decision_data(a.decision, a.reasons, a.remedy))


def _lift_confidentiality(
    case: Case, a: LiftConfidentiality, staff: StaffMember, now: datetime, policy: Policy
) -> Effect:
    return Effect(replace(case, confidential=False), note=a.reason)


# --- The definitions -------------------------------------------------------------------------------

_OPEN_TO_CHANGE = frozenset({Status.ACCEPTED, Status.IN_PROGRESS, Status.UNDER_REVIEW})

# Officers run the process, handlers work their department's cases, supervisors may do everything
# and alone extend time limits, decide reviews and lift confidentiality. In the console's order.
STAFF_ACTIONS: tuple[StaffActionRule[Any], ...] = (
    StaffActionRule("accept", Accept, OFFICE, leading_to(Status.ACCEPTED), "public", _accept),
    StaffActionRule("reject", Reject, OFFICE, leading_to(Status.REJECTED), "public", _reject),
    StaffActionRule(
        "acknowledge",
        Acknowledge,
        OFFICE,
        EVERY_STATUS - {Status.CLOSED, Status.WITHDRAWN},
        "public",
        _acknowledge,
        _acknowledgement_owed,
    ),
    StaffActionRule("transfer", Transfer, OFFICE, _OPEN_TO_CHANGE, "internal", _transfer),
    StaffActionRule("start", Start, ALL_STAFF, leading_to(Status.IN_PROGRESS), "public", _start),
    # An internal note may record anything, whenever.
    StaffActionRule("note", Note, ALL_STAFF, EVERY_STATUS, "internal", _note),
    StaffActionRule(
        "reply", Reply, ALL_STAFF, EVERY_STATUS - {Status.CLOSED, Status.WITHDRAWN}, "public", _reply
    ),
    StaffActionRule("extend", Extend, SUPERVISORS, _OPEN_TO_CHANGE, "public", _extend, something_to_extend),
    # Others ask; a supervisor approves (the complainant is told, as of an extension) or declines.
    StaffActionRule(
        "request_extension",
        RequestExtension,
        frozenset({"officer", "handler"}),
        _OPEN_TO_CHANGE,
        "internal",
        request_extension,
        something_to_request,
    ),
    StaffActionRule(
        "approve_extension",
        ApproveExtension,
        SUPERVISORS,
        _OPEN_TO_CHANGE,
        "public",
        approve_extension,
        extension_pending,
    ),
    StaffActionRule(
        "decline_extension",
        DeclineExtension,
        SUPERVISORS,
        _OPEN_TO_CHANGE,
        "internal",
        decline_extension,
        extension_pending,
    ),
    # A review ends with a review decision, by someone else: never with a plain response.
    StaffActionRule(
        "respond",
        Respond,
        ALL_STAFF,
        leading_to(Status.RESPONDED) - {Status.UNDER_REVIEW},
        "public",
        _respond,
    ),
    StaffActionRule(
        "callback",
        Callback,
        OFFICE,
        frozenset({Status.RESPONDED, Status.CLOSED}),
        "internal",
        _callback,
        _complainant_reachable,
    ),
    StaffActionRule(
        "callback_unreachable",
        CallbackUnreachable,
        OFFICE,
        frozenset({Status.RESPONDED}),
        "internal",
        _callback_unreachable,
        _callback_owed,
    ),
    StaffActionRule("close", Close, OFFICE, leading_to(Status.CLOSED), "public", _close),
    StaffActionRule(
        "review_decision",
        ReviewDecision,
        SUPERVISORS,
        frozenset({Status.UNDER_REVIEW}),
        "public",
        _review_decision,
        _took_no_part,
    ),
    StaffActionRule(
        "lift_confidentiality",
        LiftConfidentiality,
        SUPERVISORS,
        EVERY_STATUS,
        "internal",
        _lift_confidentiality,
        _is_confidential,
    ),
)

_BY_INPUT: dict[type[Any], StaffActionRule[Any]] = {rule.input: rule for rule in STAFF_ACTIONS}


def rule_for(action: StaffAction) -> StaffActionRule[Any]:
    return _BY_INPUT[type(action)]


def rule_named(name: str) -> StaffActionRule[Any]:
    return next(rule for rule in STAFF_ACTIONS if rule.name == name)


def allowed_staff_actions(case: Case, staff: StaffMember) -> list[str]:
    """The actions ``staff`` may take on ``case`` now, for the console to offer."""
    return [rule.name for rule in STAFF_ACTIONS if rule.refusal(case, staff) is None]


def withheld_staff_actions(case: Case, staff: StaffMember) -> dict[str, Message]:
    """The actions ``staff`` could take by role, department and status but may not as this person
    (a review decision by someone who handled the case), with the reason the console shows. A
    refusal for the state of the case (nothing left to extend) is plain from the case itself."""
    withheld: dict[str, Message] = {}
    for rule in STAFF_ACTIONS:
        if rule.condition is None or rule.standing(case, staff) is not None:
            continue
        refusal = rule.condition(case, staff)
        if isinstance(refusal, ForbiddenError):
            withheld[rule.name] = refusal.message
    return withheld


def _recorded(
    case: Case, rule: StaffActionRule[Any], effect: Effect, actor: Actor, now: datetime
) -> tuple[Case, Event]:
    """The changed case one version on, and the event that records the change."""
    changed = effect.case.touched(now)
    event = Event(
        tracking_no=case.tracking_no,
        seq=changed.version,
        at=now,
        actor=actor,
        action=rule.name,
        visibility=rule.visibility,
        from_status=case.status,
        to_status=changed.status,
        note=effect.note,
        data=dict(effect.data or {}),
    )
    return changed, event


def apply_staff_action(
    case: Case, action: StaffAction, staff: StaffMember, *, now: datetime, policy: Policy
) -> tuple[Case, Event]:
    """The case after ``action`` by ``staff`` and the event recording it, or a refusal that says why."""
    rule = rule_for(action)
    refusal = rule.refusal(case, staff)
    if refusal is not None:
        raise refusal
    return _recorded(case, rule, rule.effect(case, action, staff, now, policy), staff.actor, now)


# The portal itself, when it acts on a case: the history says so.
SYSTEM = Actor(kind="system", name="投诉平台", role="system")
# What the portal may do by itself: record that a message told the complainant their tracking
# number, and close a case whose review window passed without a request.
_SYSTEM_ACTIONS = frozenset({"acknowledge", "close"})
_SYSTEM_MEMBER = StaffMember(id="system", name="投诉平台", roles=frozenset())


def apply_system_action(
    case: Case, action: StaffAction, *, now: datetime, policy: Policy
) -> tuple[Case, Event]:
    """An action the portal takes by itself, with the action's own statuses, condition and effect
    (no person's role or department: nobody is acting)."""
    rule = rule_for(action)
    if rule.name not in _SYSTEM_ACTIONS:
        raise ValueError(f"the portal does not {rule.name} by itself")
    if case.status not in rule.statuses:
        raise not_now(case, rule.name)
    refusal = rule.condition(case, _SYSTEM_MEMBER) if rule.condition else None
    if refusal is not None:
        raise refusal
    return _recorded(case, rule, rule.effect(case, action, _SYSTEM_MEMBER, now, policy), SYSTEM, now)
