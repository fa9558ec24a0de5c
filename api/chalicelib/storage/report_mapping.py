"""The reports table (``ReportRecord``), and report facts (domain/report_facts.py) as its items and back.

The case's own facts travel as one JSON text (``core``): a month's report reads thousands of them,
and one text per item parses faster than a typed map. What only the events say are attributes of
their own, so that a change can set one of them (``SET reject_reason``, ``ADD extended``) without
reading the item first, and every other stays as an earlier change left it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pynamodb.attributes import (
    BinaryAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.expressions.update import Action
from pynamodb.models import Model

from ..domain.lifecycle import Status
from ..domain.report_facts import CaseCore, CaseFacts, ClockFact, Marks
from .models import _Meta

__all__ = [
    "FACTS_ATTRIBUTES",
    "FACTS_PREFIX",
    "ReportRecord",
    "core_text",
    "facts_from_item",
    "facts_key",
    "facts_record",
    "marks_actions",
]


class ReportRecord(Model):
    """The monthly report's table. Under each month (``YYYY-MM``, Beijing time):

    - ``case#<tracking_no>``: the facts of a case the month concerns (domain/report_facts.py), the
      case's own as JSON text (``core``) and what only its events said (the other attributes),
      written in the case's own transactions;
    - ``carried``: present once the cases open at the end of the month before were carried in;
    - ``snapshot#figures`` and ``snapshot#part#<n>``: the month's frozen report, its figures as JSON
      text and its whole document gzip-compressed in parts (items hold at most 400 KB).

    Under ``public``, the published statistics ending at each month, and ``latest``.
    """

    class Meta(_Meta):
        pass

    month = UnicodeAttribute(hash_key=True)
    item = UnicodeAttribute(range_key=True)
    core = UnicodeAttribute(null=True)
    reject_reason = UnicodeAttribute(null=True)
    respond_decision = UnicodeAttribute(null=True)
    review_decision = UnicodeAttribute(null=True)
    review_decided_at = UTCDateTimeAttribute(null=True)
    callback_at = UTCDateTimeAttribute(null=True)
    rating_at = UTCDateTimeAttribute(null=True)
    extended = UnicodeSetAttribute(null=True)
    body = UnicodeAttribute(null=True)
    data = BinaryAttribute(null=True, legacy_encoding=False)
    parts = NumberAttribute(null=True)
    frozen_at = UTCDateTimeAttribute(null=True)
    # The month the ``latest`` statistics end at.
    of_month = UnicodeAttribute(null=True)


FACTS_PREFIX = "case#"
# The marks a later event replaces (``extended`` only grows).
_SET_MARKS = (
    "reject_reason",
    "respond_decision",
    "review_decision",
    "review_decided_at",
    "callback_at",
    "rating_at",
)
# What a report reads of a facts item.
FACTS_ATTRIBUTES = ("core", *_SET_MARKS, "extended")


def facts_key(tracking_no: str) -> str:
    return f"{FACTS_PREFIX}{tracking_no}"


def _utc(moment: datetime) -> str:
    # Every moment in UTC: the report compares thousands, and aware moments of one time zone
    # compare some thirty times as fast as moments of two.
    return moment.astimezone(UTC).isoformat()


def core_text(core: CaseCore) -> str:
    return json.dumps(
        {
            "n": core.tracking_no,
            "v": core.version,
            "r": _utc(core.received_at),
            "ch": core.channel,
            "c": core.category,
            "cf": core.confidential,
            "t": core.complainant_type,
            "an": core.anonymous,
            "re": core.reachable,
            "s": core.status.value,
            "d": core.department,
            "p": core.priority,
            "k": [[c.kind, _utc(c.due_at), _utc(c.met_at) if c.met_at else None] for c in core.clocks],
            "m": [[status.value, _utc(at)] for status, at in core.milestones],
            "cs": core.callback_satisfaction,
            "cr": core.complainant_rating,
            "l": core.location,
            "i": list(core.identity_keys),
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


# A month's report parses thousands of cores: a lookup is quicker than calling the enumeration.
_STATUS = {status.value: status for status in Status}


def _core(text: str) -> CaseCore:
    raw = json.loads(text)
    moment = datetime.fromisoformat
    return CaseCore(
        tracking_no=raw["n"],
        version=raw["v"],
        received_at=moment(raw["r"]),
        channel=raw["ch"],
        category=raw["c"],
        confidential=raw["cf"],
        complainant_type=raw["t"],
        anonymous=raw["an"],
        reachable=raw["re"],
        status=_STATUS[raw["s"]],
        department=raw["d"],
        priority=raw["p"],
        clocks=tuple(
            [ClockFact(kind, moment(due), moment(met) if met else None) for kind, due, met in raw["k"]]
        ),
        milestones=tuple([(_STATUS[status], moment(at)) for status, at in raw["m"]]),
        callback_satisfaction=raw["cs"],
        complainant_rating=raw["cr"],
        location=raw["l"],
        identity_keys=tuple(raw["i"]),
    )


def _text(item: dict[str, Any], name: str) -> str | None:
    value = item.get(name)
    return value.get("S") if value else None


def _stored_moment(item: dict[str, Any], name: str) -> datetime | None:
    # As UTCDateTimeAttribute stores it ("2025-06-01T08:00:00.000000+0000"), which ISO parsing reads.
    text = _text(item, name)
    return datetime.fromisoformat(text) if text else None


def facts_from_item(item: dict[str, Any]) -> CaseFacts:
    """Facts from a raw item of a Query (no model per item: a month holds thousands)."""
    extended = item.get("extended")
    return CaseFacts(
        core=_core(item["core"]["S"]),
        marks=Marks(
            reject_reason=_text(item, "reject_reason"),
            respond_decision=_text(item, "respond_decision"),
            review_decision=_text(item, "review_decision"),
            review_decided_at=_stored_moment(item, "review_decided_at"),
            callback_at=_stored_moment(item, "callback_at"),
            rating_at=_stored_moment(item, "rating_at"),
            extended=frozenset(extended["SS"]) if extended else frozenset(),
        ),
    )


def marks_actions(marks: Marks) -> list[Action]:
    """The updates that record ``marks`` and leave every mark they do not set as it was."""
    actions: list[Action] = []
    for name in _SET_MARKS:
        value = getattr(marks, name)
        if value is not None:
            actions.append(getattr(ReportRecord, name).set(value))
    if marks.extended:
        actions.append(ReportRecord.extended.add(set(marks.extended)))
    return actions


def facts_record(month: str, facts: CaseFacts) -> ReportRecord:
    """The whole item of ``facts`` in ``month`` (a copy carried into a month)."""
    m = facts.marks
    return ReportRecord(
        month=month,
        item=facts_key(facts.tracking_no),
        core=core_text(facts.core),
        reject_reason=m.reject_reason,
        respond_decision=m.respond_decision,
        review_decision=m.review_decision,
        review_decided_at=m.review_decided_at,
        callback_at=m.callback_at,
        rating_at=m.rating_at,
        extended=set(m.extended) or None,
    )
