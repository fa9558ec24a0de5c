"""The events' and the access log's tables: their models, and events and access-log entries as
records and back. Apart from the cases' model (models.py): a cold lookup reads neither.

Access patterns (never Scan):
- a case's history in order: events table, key (tracking_no, seq);
- who viewed a case's personal data: access-log table key; what one staff member viewed and
  searched: ``staff-index``.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any, cast

from pynamodb.attributes import (
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from ..domain.case import Actor, ActorKind, Event, Visibility
from ..domain.lifecycle import Status
from ..services.repository import AccessEntry
from .models import _Meta

__all__ = [
    "AccessLogRecord",
    "ActorMap",
    "EventRecord",
    "access_entry_from_record",
    "access_to_record",
    "event_from_record",
    "event_to_record",
]


class ActorMap(MapAttribute[str, Any]):
    kind = UnicodeAttribute()
    id = UnicodeAttribute(null=True)
    name = UnicodeAttribute(null=True)
    role = UnicodeAttribute(null=True)


class EventRecord(Model):
    class Meta(_Meta):
        pass

    tracking_no = UnicodeAttribute(hash_key=True)
    seq = NumberAttribute(range_key=True)
    at = UTCDateTimeAttribute()
    actor = ActorMap()
    action = UnicodeAttribute()
    visibility = UnicodeAttribute()
    from_status = UnicodeAttribute(null=True)
    to_status = UnicodeAttribute(null=True)
    note = UnicodeAttribute(null=True)
    data = MapAttribute[str, str](default=dict)


class StaffIndex(GlobalSecondaryIndex["AccessLogRecord"]):
    class Meta:
        index_name = "staff-index"
        projection = AllProjection()

    staff_id = UnicodeAttribute(hash_key=True)
    viewed_at = UnicodeAttribute(range_key=True)


class AccessLogRecord(Model):
    """Who saw a complainant's personal data, and when, and who searched by an identifier: by case
    (searches under ``search#<day>``), and by staff member."""

    class Meta(_Meta):
        pass

    tracking_no = UnicodeAttribute(hash_key=True)
    # ISO time plus a random suffix: two views in the same microsecond stay two entries.
    viewed_at = UnicodeAttribute(range_key=True)
    staff_id = UnicodeAttribute()
    staff_name = UnicodeAttribute()
    role = UnicodeAttribute()
    purpose = UnicodeAttribute()
    # A search's "<kind>:<keyed hash>" of each identifier it looked for.
    identifiers = UnicodeSetAttribute(null=True)

    by_staff = StaffIndex()


def event_to_record(event: Event) -> EventRecord:
    return EventRecord(
        tracking_no=event.tracking_no,
        seq=event.seq,
        at=event.at,
        actor=ActorMap(
            kind=event.actor.kind, id=event.actor.id, name=event.actor.name, role=event.actor.role
        ),
        action=event.action,
        visibility=event.visibility,
        from_status=event.from_status.value if event.from_status else None,
        to_status=event.to_status.value if event.to_status else None,
        note=event.note,
        data=dict(event.data),
    )


def event_from_record(record: EventRecord) -> Event:
    a = record.actor
    return Event(
        tracking_no=record.tracking_no,
        seq=int(record.seq),
        at=record.at,
        actor=Actor(kind=cast(ActorKind, a.kind), id=a.id, name=a.name, role=a.role),
        action=record.action,
        visibility=cast(Visibility, record.visibility),
        from_status=Status(record.from_status) if record.from_status else None,
        to_status=Status(record.to_status) if record.to_status else None,
        note=record.note,
        data={str(k): str(v) for k, v in record.data.as_dict().items()},
    )


def access_to_record(entry: AccessEntry) -> AccessLogRecord:
    return AccessLogRecord(
        tracking_no=entry.tracking_no,
        # A random suffix: two views in the same microsecond stay two entries.
        viewed_at=f"{entry.at.isoformat()}#{secrets.token_hex(4)}",
        staff_id=entry.staff_id,
        staff_name=entry.staff_name,
        role=entry.role,
        purpose=entry.purpose,
        identifiers=set(entry.identifiers) or None,
    )


def access_entry_from_record(record: AccessLogRecord) -> AccessEntry:
    return AccessEntry(
        tracking_no=record.tracking_no,
        at=datetime.fromisoformat(record.viewed_at.split("#")[0]),
        staff_id=record.staff_id,
        staff_name=record.staff_name,
        role=record.role,
        purpose=record.purpose,
        identifiers=tuple(sorted(record.identifiers or ())),
    )
