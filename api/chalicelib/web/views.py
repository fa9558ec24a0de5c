"""What the API shows: JSON views built field by field from allowlists, so personal data cannot
reach a public response by adding an attribute to a case."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any, TypedDict

from ..domain import moments
from ..domain.case import Case, CaseSummary, Event
from ..domain.complaint import CHANNELS, COMPLAINANT_TYPES, REGISTRATION_CHANNELS
from ..domain.deadlines import Policy
from ..domain.lifecycle import Status
from ..domain.messages import Message, render
from ..domain.staff import StaffMember
from ..domain.tracking import format_code
from ..domain.vocabulary import LANGUAGES, Lang, categories, departments, label, rejection_reasons, terms

if TYPE_CHECKING:  # types only: importing the staff and self-service services is not a lookup's cost
    from ..services.case_messages import CaseMessages
    from ..services.self_service import ComplainantView
    from ..services.staff_cases import StaffCaseView
    from ..services.submissions import Receipt

__all__ = [
    "case_messages_view",
    "case_summary_view",
    "complainant_view",
    "format_local",
    "iso",
    "meta_view",
    "public_status_view",
    "queue_item_view",
    "receipt_view",
    "staff_case_view",
]

LabelDict = dict[str, str]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def format_local(moment: datetime, lang: Lang, policy: Policy) -> str:
    return moments.format_local(moment, lang, policy.zone)


def _sentences(lang: Lang, *parts: str) -> str:
    # Chinese sentences run on; English ones need a space between them.
    return ("" if lang == "zh" else " ").join(part for part in parts if part)


class DeadlineView(TypedDict):
    kind: str
    label: LabelDict
    due_at: str
    provisional: bool
    met_at: str | None
    overdue: bool


class MilestoneView(TypedDict):
    status: str
    label: LabelDict
    at: str


class CodeLabel(TypedDict):
    code: str
    label: LabelDict


class PublicStatusView(TypedDict):
    """The public status of a case: no personal data, nothing anyone wrote in free text."""

    tracking_no: str
    status: str
    status_label: LabelDict
    category: CodeLabel
    channel: CodeLabel
    submitted_at: str
    updated_at: str
    deadlines: list[DeadlineView]
    milestones: list[MilestoneView]


def _deadlines_view(case: Case, now: datetime) -> list[DeadlineView]:
    # A closed or withdrawn case owes nothing any more: its unmet deadlines are not shown as pending.
    still_open = case.open_deadlines
    return [
        {
            "kind": d.kind,
            "label": label("deadline", d.kind).as_dict(),
            "due_at": iso(d.due_at),
            "provisional": d.provisional,
            "met_at": iso(d.met_at) if d.met_at else None,
            "overdue": d in still_open and d.is_overdue(now),
        }
        for d in case.deadlines
        if d.met_at is not None or d in still_open
    ]


def _milestones_view(case: Case) -> list[MilestoneView]:
    return [
        {"status": m.status.value, "label": label("status", m.status.value).as_dict(), "at": iso(m.at)}
        for m in case.milestones
    ]


def public_status_view(case: Case, now: datetime) -> PublicStatusView:
    return {
        "tracking_no": format_code(case.tracking_no),
        "status": case.status.value,
        "status_label": label("status", case.status.value).as_dict(),
        "category": {
            "code": case.details.category,
            "label": categories()[case.details.category].label.as_dict(),
        },
        "channel": {"code": case.channel, "label": label("channel", case.channel).as_dict()},
        "submitted_at": iso(case.submitted_at),
        "updated_at": iso(case.updated_at),
        "deadlines": _deadlines_view(case, now),
        "milestones": _milestones_view(case),
    }


def receipt_view(receipt: Receipt, policy: Policy) -> dict[str, Any]:
    case = receipt.case
    decide = case.deadline("decide")
    due = decide.due_at if decide else case.submitted_at
    next_steps = {
        lang: _sentences(
            lang,
            render(Message("next_steps", {"due": format_local(due, lang, policy)}), lang),
            "" if case.complainant.anonymous else render(Message("next_steps_contact"), lang),
        )
        for lang in LANGUAGES
    }
    return {
        "tracking_no": format_code(case.tracking_no),
        "access_code": format_code(receipt.access_code),
        "status": case.status.value,
        "status_label": label("status", case.status.value).as_dict(),
        "submitted_at": iso(case.submitted_at),
        "reply_due_at": iso(due),
        "reply_due_provisional": bool(decide and decide.provisional),
        "next_steps": next_steps,
    }


def meta_view(policy: Policy) -> dict[str, Any]:
    # The actions' rules are imported where they are used: a cold public lookup needs none of them.
    from ..domain.actions import STAFF_ACTIONS

    def listed(section: str, codes: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
        entries = terms(section)
        return [{"code": code, "label": entries[code].as_dict()} for code in (codes or tuple(entries))]

    def limits(source: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {"code": x.code, "label": x.label.as_dict(), "note": x.note.as_dict(), x.unit: x.amount}
            for x in source.values()
        ]

    return {
        "categories": [
            {
                "code": c.code,
                "label": c.label.as_dict(),
                "group": c.group,
                "department": c.department,
                "confidential": c.confidential,
                "claim": c.claim,
            }
            for c in categories().values()
        ],
        "channels": listed("channel", CHANNELS),
        "registration_channels": listed("channel", REGISTRATION_CHANNELS),
        "complainant_types": listed("complainant_type", COMPLAINANT_TYPES),
        "statuses": listed("status", tuple(s.value for s in Status)),
        "departments": [{"code": d.code, "label": d.label.as_dict()} for d in departments().values()],
        "time_limits": limits(policy.limits),
        "windows": limits(policy.windows),
        "bounds": limits(policy.bounds),
        "rejection_reasons": [
            {"code": r.code, "label": r.label.as_dict()} for r in rejection_reasons().values()
        ],
        "acknowledge_methods": listed("acknowledge_method"),
        # What the staff console shows of each action: who sees what is written in it.
        "staff_actions": [
            {"code": rule.name, "label": label("action", rule.name).as_dict(), "visibility": rule.visibility}
            for rule in STAFF_ACTIONS
        ],
        "priorities": listed("priority"),
        "decisions": listed("decision"),
        "satisfaction_levels": listed("satisfaction"),
        "roles": listed("role"),
    }


# --- Staff views ---------------------------------------------------------------------------------


@cache
def _coded_once(section: str, code: str) -> dict[str, Any]:
    return {"code": code, "label": label(section, code).as_dict()}


def _coded(section: str, code: str | None) -> dict[str, Any] | None:
    # The same few labels stand on every line of a queue page: built once, shared (never mutated).
    return _coded_once(section, code) if code else None


@cache
def _department_once(code: str) -> dict[str, Any] | None:
    return {"code": code, "label": departments()[code].label.as_dict()} if code in departments() else None


def _department(code: str | None) -> dict[str, Any] | None:
    return _department_once(code) if code else None


@cache
def _category(code: str) -> dict[str, Any]:
    return {"code": code, "label": categories()[code].label.as_dict()}


def case_summary_view(case: CaseSummary, now: datetime, policy: Policy) -> dict[str, Any]:
    """One line of the staff queue: no complainant identity, so listing logs no personal-data view."""
    from ..domain.chasing import escalation_level  # the staff's views only

    return {
        "tracking_no": format_code(case.tracking_no),
        "version": case.version,
        "status": case.status.value,
        "status_label": _coded_once("status", case.status.value)["label"],
        "category": _category(case.category),
        "department": _department(case.department),
        "suggested_department": _department(categories()[case.category].department),
        "priority": _coded("priority", case.priority),
        "channel": _coded("channel", case.channel),
        "subject": case.subject,
        "confidential": case.confidential,
        "submitted_at": iso(case.submitted_at),
        "updated_at": iso(case.updated_at),
        "next_due": (
            {
                "kind": case.next_due_kind,
                "label": label("deadline", case.next_due_kind).as_dict(),
                "due_at": iso(case.next_due_at),
            }
            if case.next_due_kind and case.next_due_at
            else None
        ),
        "overdue": case.is_overdue(now),
        # 0 in time, 1 once the next clock has run out (escalated), 2 once escalated a second time.
        "escalation_level": escalation_level(case.next_due_at, now, policy) if case.next_due_at else 0,
    }


def queue_item_view(
    case: CaseSummary, now: datetime, policy: Policy, *, delivery_failed: bool
) -> dict[str, Any]:
    return {**case_summary_view(case, now, policy), "delivery_failed": delivery_failed}


def _complainant_view(case: Case, visible: bool) -> dict[str, Any]:
    c = case.complainant
    shown: dict[str, Any] = {
        "type": _coded("complainant_type", c.type),
        "anonymous": c.anonymous,
        "preferred_language": c.preferred_language,
        "redacted": not visible,
    }
    if visible:
        shown.update(
            name=c.name, organization=c.organization, credit_code=c.credit_code, phone=c.phone, email=c.email
        )
    return shown


def _event_view(event: Event) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": iso(event.at),
        "actor": {"kind": event.actor.kind, "name": event.actor.name, "role": event.actor.role},
        "action": event.action,
        "action_label": label("action", event.action).as_dict(),
        "visibility": event.visibility,
        "from_status": event.from_status.value if event.from_status else None,
        "to_status": event.to_status.value if event.to_status else None,
        "note": event.note,
        "data": dict(event.data),
    }


def staff_case_view(view: StaffCaseView, staff: StaffMember, now: datetime, policy: Policy) -> dict[str, Any]:
    from ..domain.actions import allowed_staff_actions, withheld_staff_actions

    case = view.case
    d = case.details
    return {
        **case_summary_view(case.summary, now, policy),
        "identity_visible": view.identity_visible,
        "complainant": _complainant_view(case, view.identity_visible),
        "details": {
            "subject": d.subject,
            "description": d.description,
            "location": d.location,
            "occurred_on": d.occurred_on.isoformat() if d.occurred_on else None,
            "desired_outcome": d.desired_outcome,
            "claim_amount": str(d.claim_amount) if d.claim_amount is not None else None,
        },
        "deadlines": _deadlines_view(case, now),
        "milestones": _milestones_view(case),
        "review_count": case.review_count,
        "handled_by": list(case.handled_by),
        "callback_satisfaction": _coded("satisfaction", case.callback_satisfaction),
        "complainant_rating": _coded("satisfaction", case.complainant_rating),
        "extension_request": _extension_request_view(case),
        "history": [_event_view(e) for e in view.history],
        "allowed_actions": allowed_staff_actions(case, staff),
        "withheld_actions": [
            {"action": name, "reason": {lang: render(reason, lang) for lang in LANGUAGES}}
            for name, reason in withheld_staff_actions(case, staff).items()
        ],
    }


def _extension_request_view(case: Case) -> dict[str, Any] | None:
    asked = case.extension_request
    if asked is None:
        return None
    return {
        "deadline": asked.deadline,
        "deadline_label": label("deadline", asked.deadline).as_dict(),
        "due_at": iso(asked.due_at),
        "reason": asked.reason,
        "by": asked.by_name,
        "at": iso(asked.at),
    }


# --- The complainant's own view -------------------------------------------------------------------

_LABELLED_DATA = {"decision": "decision", "satisfaction": "satisfaction", "method": "acknowledge_method"}


def _message_data(data: Mapping[str, str]) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for key, value in data.items():
        if key in _LABELLED_DATA:
            shown[key] = _coded(_LABELLED_DATA[key], value)
        elif key == "reason_code" and value in rejection_reasons():
            shown[key] = {"code": value, "label": rejection_reasons()[value].label.as_dict()}
        elif key in ("reasons", "remedy", "to", "deadline"):
            shown[key] = value
    return shown


def complainant_view(view: ComplainantView, now: datetime, policy: Policy) -> dict[str, Any]:
    """What the complainant sees with their access code: their complaint, the messages and decisions
    addressed to them, and what they may do now. No staff names, no internal notes."""
    from ..domain.complainant_actions import allowed_complainant_actions

    case = view.case
    d = case.details
    decided_at = case.last_decision_at()

    def window_end(window: str) -> str | None:
        return iso(policy.due(window, decided_at).at) if decided_at else None

    return {
        **public_status_view(case, now),
        "complaint": {
            "subject": d.subject,
            "description": d.description,
            "location": d.location,
            "occurred_on": d.occurred_on.isoformat() if d.occurred_on else None,
            "desired_outcome": d.desired_outcome,
            "claim_amount": str(d.claim_amount) if d.claim_amount is not None else None,
            "anonymous": case.complainant.anonymous,
        },
        "messages": [
            {
                "at": iso(e.at),
                "from": "complainant" if e.actor.kind == "complainant" else "portal",
                "action": e.action,
                "action_label": label("action", e.action).as_dict(),
                "text": e.note,
                "data": _message_data(e.data),
            }
            for e in view.messages
        ],
        "allowed_actions": allowed_complainant_actions(case, now, policy),
        "review_request_until": window_end("review_request") if case.review_count == 0 else None,
        "feedback_until": window_end("feedback")
        if case.status in (Status.RESPONDED, Status.CLOSED)
        else None,
        "rating": _coded("satisfaction", case.complainant_rating),
        "review_count": case.review_count,
    }


# --- What was sent about a case ----------------------------------------------------------------


def _masked(address: str) -> str:
    """Enough of an address to recognise it, not to use it: li***@example.cn, +86 138****8000."""
    if "@" in address:
        local, _, domain = address.partition("@")
        return f"{local[:2]}***@{domain}"
    return f"{address[:-8]}****{address[-4:]}" if len(address) > 8 else "****"


def case_messages_view(view: CaseMessages) -> dict[str, Any]:
    """A case's messages: the complainant's address masked, and hidden altogether from whoever may not
    see who complained (a confidential complaint); staff mailboxes as they are."""
    items = []
    for message in view.messages:
        notice = message.notice
        if notice.role == "complainant":
            recipient = _masked(notice.address) if view.identity_visible else None
        else:
            recipient = notice.address
        items.append(
            {
                "id": notice.id,
                "template": notice.template,
                "template_label": label("message", notice.template).as_dict(),
                "role": notice.role,
                "role_label": label("recipient", notice.role).as_dict(),
                "channel": notice.channel,
                "recipient": recipient,
                "lang": notice.lang,
                "created_at": iso(notice.created_at),
                "state": message.state,
                "state_label": label("message_state", message.state).as_dict(),
                "attempts": message.attempts,
                "next_attempt_at": iso(message.next_attempt_at) if message.state == "pending" else None,
                "sent_at": iso(message.sent_at) if message.sent_at else None,
                "error": message.error,
                "resendable": view.may_resend and message.state == "failed",
            }
        )
    return {"tracking_no": format_code(view.case.tracking_no), "items": items}
