"""Cases as PynamoDB records and back; queue summaries read from raw index items."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from ..domain.case import (
    Case,
    CaseSummary,
    Deadline,
    ExtensionRequest,
    Milestone,
    Priority,
)
from ..domain.complaint import Channel, Complainant, ComplainantType, ComplaintDetails
from ..domain.lifecycle import Status
from ..domain.moments import EARLIEST, LATEST, to_utc
from ..domain.vocabulary import Lang
from ..services.identity_keys import IdentityKeys
from .models import CaseRecord, ComplainantMap, queue_key

__all__ = [
    "OPEN",
    "WAITING",
    "case_from_record",
    "case_to_record",
    "summary_from_item",
]

# The open queue's partition: cases staff still owe something (``CaseRecord.queue``).
OPEN = "open"
# The extension queue's one partition: an extension asked for and not yet decided.
WAITING = "waiting"


def case_to_record(case: Case, keys: IdentityKeys) -> CaseRecord:
    """The record of ``case``, with the keyed hashes of its complainant's identifiers."""
    c, d = case.complainant, case.details
    record = CaseRecord(
        tracking_no=case.tracking_no,
        status=case.status.value,
        channel=case.channel,
        category=d.category,
        department=case.department,
        priority=case.priority,
        confidential=case.confidential,
        access_code_hash=case.access_code_hash,
        complainant=ComplainantMap(
            type=c.type,
            anonymous=c.anonymous,
            preferred_language=c.preferred_language,
            name=c.name,
            organization=c.organization,
            credit_code=c.credit_code,
            phone=c.phone,
            email=c.email,
        ),
        subject=d.subject,
        description=d.description,
        location=d.location,
        occurred_on=d.occurred_on.isoformat() if d.occurred_on else None,
        desired_outcome=d.desired_outcome,
        claim_amount=str(d.claim_amount) if d.claim_amount is not None else None,
        submitted_at=case.submitted_at,
        submitted_month=case.submitted_month,
        updated_at=case.updated_at,
        queue_at=case.next_due_at or case.updated_at,
        queue_key=queue_key(case.next_due_at or case.updated_at, case.tracking_no),
        next_due_kind=case.next_deadline.kind if case.next_deadline else None,
        deadline_entries=[
            {
                "kind": d.kind,
                "due_at": d.due_at.isoformat(),
                "provisional": d.provisional,
                "met_at": d.met_at.isoformat() if d.met_at else None,
            }
            for d in case.deadlines
        ],
        milestone_entries=[{"status": m.status.value, "at": m.at.isoformat()} for m in case.milestones],
        review_count=case.review_count,
        handled_by=list(case.handled_by),
        callback_satisfaction=case.callback_satisfaction,
        complainant_rating=case.complainant_rating,
        extension_request=_request_entry(case.extension_request),
        extension_waiting=WAITING if case.extension_request is not None else None,
        queue=OPEN if case.awaits_staff else None,
        phone_key=keys.phone,
        email_key=keys.email,
        credit_code_key=keys.credit_code,
        name_key=keys.name,
        organization_key=keys.organization,
        search_keys=True,
        report_facts=True,
    )
    # PynamoDB writes version + 1 on condition that the stored version is the one read; a new
    # record has no version and is written as version 1 on condition that none exists.
    if case.version > 1:
        record.version = case.version - 1
    return record


def case_from_record(record: CaseRecord) -> Case:
    # The casts narrow strings this module wrote from the domain's literal types.
    c = record.complainant
    claim_amount: str | None = record.claim_amount
    return Case(
        tracking_no=record.tracking_no,
        access_code_hash=record.access_code_hash,
        status=Status(record.status),
        channel=cast(Channel, record.channel),
        complainant=Complainant(
            type=cast(ComplainantType, c.type),
            anonymous=c.anonymous,
            preferred_language=cast(Lang, c.preferred_language),
            name=c.name,
            organization=c.organization,
            credit_code=c.credit_code,
            phone=c.phone,
            email=c.email,
        ),
        details=ComplaintDetails(
            category=record.category,
            subject=record.subject,
            description=record.description,
            location=record.location,
            occurred_on=date.fromisoformat(record.occurred_on) if record.occurred_on else None,
            desired_outcome=record.desired_outcome,
            claim_amount=Decimal(claim_amount) if claim_amount is not None else None,
        ),
        submitted_at=record.submitted_at,
        updated_at=record.updated_at,
        version=int(record.version or 0),
        confidential=record.confidential,
        department=record.department,
        priority=cast("Priority | None", record.priority),
        deadlines=_deadlines_from(record),
        milestones=tuple(
            Milestone(Status(m["status"]), _stored_moment(m["at"])) for m in record.milestone_entries
        ),
        review_count=int(record.review_count),
        handled_by=_handled_by(record),
        callback_satisfaction=record.callback_satisfaction,
        complainant_rating=record.complainant_rating,
        extension_request=_request_from(record.extension_request),
    )


def _request_entry(request: ExtensionRequest | None) -> dict[str, str] | None:
    if request is None:
        return None
    return {
        "deadline": request.deadline,
        "due_at": request.due_at.isoformat(),
        "reason": request.reason,
        "by_id": request.by_id,
        "by_name": request.by_name,
        "at": request.at.isoformat(),
    }


def _request_from(entry: dict[str, str] | None) -> ExtensionRequest | None:
    if not entry:
        return None
    return ExtensionRequest(
        deadline=entry["deadline"],
        due_at=_stored_moment(entry["due_at"]),
        reason=entry["reason"],
        by_id=entry["by_id"],
        by_name=entry["by_name"],
        at=_stored_moment(entry["at"]),
    )


def _handled_by(record: CaseRecord) -> tuple[str, ...]:
    if record.handled_by is not None:
        return tuple(str(staff_id) for staff_id in record.handled_by)
    return (record.decided_by,) if record.decided_by else ()


def _stored_moment(text: str) -> datetime:
    """A moment kept as ISO text, in UTC. Versions before the API bounded what it stores could keep
    one with no UTC equivalent (year 9999 at UTC-5): it reads as the edge of the span it lies
    beyond, so the case can still be shown and worked."""
    moment = datetime.fromisoformat(text)
    utc = to_utc(moment)
    if utc is not None:
        return utc
    return LATEST if moment.replace(tzinfo=None) >= LATEST.replace(tzinfo=None) else EARLIEST


def _deadlines_from(record: CaseRecord) -> tuple[Deadline, ...]:
    return tuple(
        Deadline(
            kind=d["kind"],
            due_at=_stored_moment(d["due_at"]),
            provisional=bool(d["provisional"]),
            met_at=_stored_moment(d["met_at"]) if d["met_at"] else None,
        )
        for d in record.deadline_entries
    )


def _text(item: dict[str, Any], name: str) -> str | None:
    value = item.get(name)
    return value.get("S") if value else None


def summary_from_item(item: dict[str, Any]) -> CaseSummary:
    """A case as an index projects it (models.SUMMARY_ATTRIBUTES), read from the raw item with the
    model's own attribute types. The queue's hot path skips building a model per item, which cost
    more than the rest of a listing together."""
    still_due = "queue" in item
    when = CaseRecord.submitted_at.deserialize
    due_at = when(item["queue_at"]["S"]) if still_due else None
    return CaseSummary(
        tracking_no=item["tracking_no"]["S"],
        version=int(item["version"]["N"]),
        status=Status(item["status"]["S"]),
        channel=cast(Channel, item["channel"]["S"]),
        category=item["category"]["S"],
        subject=item["subject"]["S"],
        confidential=bool(item["confidential"]["BOOL"]),
        submitted_at=when(item["submitted_at"]["S"]),
        updated_at=when(item["updated_at"]["S"]),
        department=_text(item, "department"),
        priority=cast("Priority | None", _text(item, "priority")),
        next_due_kind=_text(item, "next_due_kind") if still_due else None,
        next_due_at=due_at,
    )
