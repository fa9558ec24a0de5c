"""The outbox table's records: messages written with the case change that causes them.

Access patterns (never Scan):
- a message by its id: table key;
- the messages waiting to be sent, earliest first: ``due-index``, sparse (an item is in it while it
  is pending or being sent, by ``due_key`` = next attempt time + id);
- a case's messages in order: ``case-index``;
- failed messages, for the digest: ``failed-index``, sparse.

The access code a registration's acknowledgement carries is kept apart (``access_code``) and
removed once the message is sent or given up on. Sent and failed messages expire by TTL after the
retention period. The delivery's conditional updates are in storage/outbox.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, cast

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from ..services.repository import MessageState, OutboxMessage
from .models import _Meta

if TYPE_CHECKING:  # the connection imports this module for its model alone, on every cold start
    from ..domain.notifications import MessageChannel, Notice, RecipientRole
    from ..domain.vocabulary import Lang

__all__ = [
    "DUE",
    "FAILED",
    "OutboxRecord",
    "message_from_record",
    "notice_record",
    "outbox_key",
    "record_is_new",
]

DUE = "due"
FAILED = "failed"
# The one parameter that is a secret: kept in an attribute of its own and removed once used.
_ACCESS_CODE = "access_code"


def _serialized(moment: datetime) -> str:
    return str(UTCDateTimeAttribute().serialize(moment))


def outbox_key(moment: datetime, message_id: str) -> str:
    return f"{_serialized(moment)}#{message_id}"


class DueIndex(GlobalSecondaryIndex["OutboxRecord"]):
    class Meta:
        index_name = "due-index"
        projection = AllProjection()

    due = UnicodeAttribute(hash_key=True)
    due_key = UnicodeAttribute(range_key=True)


class CaseIndex(GlobalSecondaryIndex["OutboxRecord"]):
    class Meta:
        index_name = "case-index"
        projection = AllProjection()

    tracking_no = UnicodeAttribute(hash_key=True)
    created_key = UnicodeAttribute(range_key=True)


class FailedIndex(GlobalSecondaryIndex["OutboxRecord"]):
    class Meta:
        index_name = "failed-index"
        projection = AllProjection()

    failed = UnicodeAttribute(hash_key=True)
    failed_key = UnicodeAttribute(range_key=True)


class OutboxRecord(Model):
    class Meta(_Meta):
        pass

    message_id = UnicodeAttribute(hash_key=True)
    tracking_no = UnicodeAttribute()
    template = UnicodeAttribute()
    role = UnicodeAttribute()
    channel = UnicodeAttribute()
    # The recipient's address: personal data (staff views of it are logged; never logged itself).
    address = UnicodeAttribute()
    lang = UnicodeAttribute()
    params = JSONAttribute()
    access_code = UnicodeAttribute(null=True)
    meets_acknowledgement = BooleanAttribute(default=False)
    created_at = UTCDateTimeAttribute()
    created_key = UnicodeAttribute()
    state = UnicodeAttribute()
    attempts = NumberAttribute(default=0)
    next_attempt_at = UTCDateTimeAttribute()
    # "due" while pending or being sent (the sparse due-index), absent afterwards.
    due = UnicodeAttribute(null=True)
    due_key = UnicodeAttribute(null=True)
    # "failed" once given up on (the sparse failed-index).
    failed = UnicodeAttribute(null=True)
    failed_key = UnicodeAttribute(null=True)
    lease_token = UnicodeAttribute(null=True)
    lease_until = UTCDateTimeAttribute(null=True)
    sent_at = UTCDateTimeAttribute(null=True)
    provider_id = UnicodeAttribute(null=True)
    error = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)

    due_messages = DueIndex()
    by_case = CaseIndex()
    failed_messages = FailedIndex()


def notice_record(notice: Notice) -> OutboxRecord:
    """A new message, pending from the moment its case change is written."""
    return OutboxRecord(
        message_id=notice.id,
        tracking_no=notice.tracking_no,
        template=notice.template,
        role=notice.role,
        channel=notice.channel,
        address=notice.address,
        lang=notice.lang,
        params={k: v for k, v in notice.params.items() if k != _ACCESS_CODE},
        access_code=notice.params.get(_ACCESS_CODE),
        meets_acknowledgement=notice.meets_acknowledgement,
        created_at=notice.created_at,
        created_key=outbox_key(notice.created_at, notice.id),
        state="pending",
        attempts=0,
        next_attempt_at=notice.created_at,
        due=DUE,
        due_key=outbox_key(notice.created_at, notice.id),
    )


# A message is written once: the same id again (a retried job run) changes nothing.
record_is_new: Condition = OutboxRecord.message_id.does_not_exist()


def message_from_record(record: OutboxRecord) -> OutboxMessage:
    from ..domain.notifications import Notice

    notice = Notice(
        id=record.message_id,
        tracking_no=record.tracking_no,
        template=record.template,
        role=cast("RecipientRole", record.role),
        channel=cast("MessageChannel", record.channel),
        address=record.address,
        lang=cast("Lang", record.lang),
        created_at=record.created_at,
        params={
            **{str(k): str(v) for k, v in dict(record.params or {}).items()},
            **({_ACCESS_CODE: record.access_code} if record.access_code else {}),
        },
        meets_acknowledgement=bool(record.meets_acknowledgement),
    )
    return OutboxMessage(
        notice=notice,
        state=cast(MessageState, record.state),
        attempts=int(record.attempts),
        next_attempt_at=record.next_attempt_at,
        lease_token=record.lease_token,
        sent_at=record.sent_at,
        provider_id=record.provider_id,
        error=record.error,
    )
