"""What the portal tells people when something happens to a case: which message, to whom, by which
channel, with which facts.

A ``Notice`` is decided here, in the domain, from the case and the event; it is written to the
outbox together with them and delivered later (services/message_delivery.py). Notices carry facts
only: codes, dates, the tracking number and, once, the access code of a complaint registered by
staff. Never what anyone wrote: e-mail and text messages are not a confidential channel (shared
inboxes, forwarded mail, previews on a locked phone), so a reply, a decision's reasons or an
extension's reason are read on the status page behind the access code, which the message links to.

Complainants are told in their own language by e-mail when they gave an address, else by text
message to a mobile number; an anonymous complaint, or one with only a landline, is told nothing.
Staff are told in Chinese at their mailboxes (catalog.json).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Literal

from msgspec import Struct, field

from .case import Case, Event
from .deadlines import Policy
from .extensions import EXTENDING_ACTIONS
from .vocabulary import Lang, departments, office_mailboxes

__all__ = [
    "COMPLAINANT_TEMPLATES",
    "STAFF_TEMPLATES",
    "MessageChannel",
    "Notice",
    "RecipientRole",
    "complainant_contact",
    "notice_id",
    "notices_for",
    "office_address",
    "staff_notice",
]

MessageChannel = Literal["email", "sms"]
RecipientRole = Literal["complainant", "department", "officers", "supervisors"]

# Messages to complainants, named after their templates (templates/messages/<lang>/<name>.*).
COMPLAINANT_TEMPLATES = (
    "acknowledgement",
    "accepted",
    "rejected",
    "reply",
    "extended",
    "responded",
    "review_decided",
    "closed",
    "rate_reminder",
)
# Messages to staff mailboxes.
STAFF_TEMPLATES = ("handling_notice", "reminder", "escalation", "digest")

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
# A complaint's status-changing or public events and the message each sends its complainant.
_COMPLAINANT_MESSAGE = {
    "submit": "acknowledgement",
    "register": "acknowledgement",
    "accept": "accepted",
    "reject": "rejected",
    "reply": "reply",
    "extend": "extended",
    "approve_extension": "extended",
    "respond": "responded",
    "review_decision": "review_decided",
    "close": "closed",
}


class Notice(Struct, frozen=True):
    """One message to send: who to, how, which template, and the facts it states."""

    id: str
    tracking_no: str
    template: str
    role: RecipientRole
    channel: MessageChannel
    address: str
    lang: Lang
    created_at: datetime
    # Facts, as text: codes, ISO times, numbers. Rendered with labels at delivery.
    params: Mapping[str, str] = field(default_factory=dict)
    # Sending it tells the complainant their tracking number: it meets the acknowledgement clock.
    meets_acknowledgement: bool = False


def notice_id(tracking_no: str, *parts: object) -> str:
    """A message's identity, the same however often it is decided (an event's seq, a clock and a
    level): writing it twice is writing it once."""
    material = ":".join(str(part) for part in (tracking_no, *parts))
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def complainant_contact(case: Case) -> tuple[MessageChannel, str] | None:
    """Where the complainant is told things: their e-mail, else a mobile number, else nowhere."""
    c = case.complainant
    if c.anonymous:
        return None
    if c.email:
        return "email", c.email
    if c.phone and _MOBILE.fullmatch(c.phone):
        return "sms", "+86" + c.phone
    if c.phone and c.phone.startswith("+"):
        return "sms", c.phone
    return None


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def _complainant_facts(case: Case, event: Event, policy: Policy, access_code: str | None) -> dict[str, str]:
    facts = {"status": case.status.value}
    due = {d.kind: d for d in case.deadlines}
    if event.action in ("submit", "register"):
        facts["decide_by"] = _iso(due["decide"].due_at if "decide" in due else None)
        if access_code is not None:
            facts["access_code"] = access_code
    elif event.action == "accept":
        facts["respond_by"] = _iso(due["respond"].due_at if "respond" in due else None)
    elif event.action == "reject":
        facts["reason_code"] = event.data.get("reason_code", "")
        facts["review_until"] = _iso(policy.due("review_request", event.at).at)
    elif event.action in EXTENDING_ACTIONS:
        facts["deadline"] = event.data.get("deadline", "")
        facts["new_due"] = event.data.get("to", "")
    elif event.action in ("respond", "review_decision"):
        facts["decision"] = event.data.get("decision", "")
        if event.action == "respond":
            facts["rate_until"] = _iso(policy.due("feedback", event.at).at)
            facts["review_until"] = _iso(policy.due("review_request", event.at).at)
    return facts


def notices_for(case: Case, event: Event, *, policy: Policy, access_code: str | None = None) -> list[Notice]:
    """The messages ``event`` (which made ``case`` what it is now) sends. ``access_code`` is given for
    a complaint staff registered: the acknowledgement is the only way its complainant gets it."""
    notices: list[Notice] = []
    template = _COMPLAINANT_MESSAGE.get(event.action) if event.visibility == "public" else None
    contact = complainant_contact(case)
    if template is not None and contact is not None:
        channel, address = contact
        registered = event.action == "register"
        notices.append(
            Notice(
                id=notice_id(case.tracking_no, event.seq, template, "complainant"),
                tracking_no=case.tracking_no,
                template=template,
                role="complainant",
                channel=channel,
                address=address,
                lang=case.complainant.preferred_language,
                created_at=event.at,
                params=_complainant_facts(case, event, policy, access_code if registered else None),
                meets_acknowledgement=registered,
            )
        )
    if event.action in ("accept", "transfer") and case.department in departments():
        notices.append(_handling_notice(case, event))
    return notices


def _handling_notice(case: Case, event: Event) -> Notice:
    """The handling notice (投诉处理通知单) to the department the case is routed to."""
    assert case.department is not None
    due = {d.kind: d for d in case.open_deadlines}
    params = {
        "category": case.details.category,
        "priority": case.priority or "normal",
        "department": case.department,
        "received_at": _iso(case.submitted_at),
        "routed_at": _iso(event.at),
        "report_by": _iso(due["report"].due_at if "report" in due else None),
        "respond_by": _iso(due["respond"].due_at if "respond" in due else None),
    }
    return staff_notice(
        case.tracking_no,
        "handling_notice",
        "department",
        departments()[case.department].mailbox,
        at=event.at,
        params=params,
        key=(event.seq,),
    )


def staff_notice(
    tracking_no: str,
    template: str,
    role: RecipientRole,
    address: str,
    *,
    at: datetime,
    params: Mapping[str, str],
    key: tuple[object, ...],
) -> Notice:
    """A message to a staff mailbox; ``key`` makes its identity (an event, or a clock and level)."""
    return Notice(
        id=notice_id(tracking_no, *key, template, role),
        tracking_no=tracking_no,
        template=template,
        role=role,
        channel="email",
        address=address,
        lang="zh",
        created_at=at,
        params=dict(params),
    )


def office_address(role: RecipientRole) -> str:
    """The complaint office's mailbox for ``role`` (officers or supervisors)."""
    mailboxes = office_mailboxes()
    return mailboxes.supervisors if role == "supervisors" else mailboxes.officers
