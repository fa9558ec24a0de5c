"""The attachments table: one record per file of a case (``domain.attachments.Attachment``).

Access patterns (never Scan): a case's files in order, and one file, by the table's key
(tracking_no, attachment id). The record is written pending when an upload is offered and settled
once (ready or refused) by processing, on condition that it is still pending: two processing runs
of the same upload settle it once. Refused records, and pending ones whose upload never came, expire
by TTL (``expires_at``); ready ones are kept with the case.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import PutError
from pynamodb.models import Model

from .models import _Meta
from .sdk_errors import call

if TYPE_CHECKING:  # the connection imports this module for its model alone, on every cold start
    from ..domain.attachments import Attachment, AttachmentState, AttachmentVisibility, Uploader

__all__ = ["AttachmentRecord", "DynamoAttachmentStore", "attachment_from_record", "attachment_record"]

_REFUSED = "ConditionalCheckFailedException"
# How long a refused record stays listed (the complainant learns why), and a pending one after its
# offer ran out (long enough for an upload that arrived at the last moment to be processed).
REFUSED_KEPT = timedelta(days=30)
PENDING_KEPT = timedelta(days=2)


class AttachmentRecord(Model):
    class Meta(_Meta):
        pass

    tracking_no = UnicodeAttribute(hash_key=True)
    attachment_id = UnicodeAttribute(range_key=True)
    state = UnicodeAttribute()
    uploaded_by = UnicodeAttribute()
    name = UnicodeAttribute()
    declared_type = UnicodeAttribute()
    declared_size = NumberAttribute()
    created_at = UTCDateTimeAttribute()
    offer_expires_at = UTCDateTimeAttribute()
    visibility = UnicodeAttribute()
    staff_id = UnicodeAttribute(null=True)
    staff_name = UnicodeAttribute(null=True)
    content_type = UnicodeAttribute(null=True)
    size = NumberAttribute(null=True)
    sha256 = UnicodeAttribute(null=True)
    processed_at = UTCDateTimeAttribute(null=True)
    refusal = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)


def _expiry(attachment: Attachment) -> datetime | None:
    if attachment.state == "pending":
        return attachment.offer_expires_at + PENDING_KEPT
    if attachment.state == "refused":
        return (attachment.processed_at or attachment.created_at) + REFUSED_KEPT
    return None


def attachment_record(attachment: Attachment) -> AttachmentRecord:
    return AttachmentRecord(
        attachment.tracking_no,
        attachment.id,
        state=attachment.state,
        uploaded_by=attachment.uploaded_by,
        name=attachment.name,
        declared_type=attachment.declared_type,
        declared_size=attachment.declared_size,
        created_at=attachment.created_at,
        offer_expires_at=attachment.offer_expires_at,
        visibility=attachment.visibility,
        staff_id=attachment.staff_id,
        staff_name=attachment.staff_name,
        content_type=attachment.content_type,
        size=attachment.size,
        sha256=attachment.sha256,
        processed_at=attachment.processed_at,
        refusal=attachment.refusal,
        expires_at=_expiry(attachment),
    )


def attachment_from_record(r: AttachmentRecord) -> Attachment:
    from ..domain.attachments import Attachment

    size: float | None = r.size  # null until processed (PynamoDB types it as always present)
    return Attachment(
        tracking_no=r.tracking_no,
        id=r.attachment_id,
        state=cast("AttachmentState", r.state),
        uploaded_by=cast("Uploader", r.uploaded_by),
        name=r.name,
        declared_type=r.declared_type,
        declared_size=int(r.declared_size),
        created_at=r.created_at,
        offer_expires_at=r.offer_expires_at,
        visibility=cast("AttachmentVisibility", r.visibility),
        staff_id=r.staff_id,
        staff_name=r.staff_name,
        content_type=r.content_type,
        size=None if size is None else int(size),
        sha256=r.sha256,
        processed_at=r.processed_at,
        refusal=r.refusal,
    )


class DynamoAttachmentStore:
    def __init__(self, connection: Any, table: str) -> None:
        self._connection = connection
        self._table = table

    def of_case(self, tracking_no: str) -> list[Attachment]:
        def read() -> list[dict[str, Any]]:
            items: list[dict[str, Any]] = []
            start = None
            while True:
                page = self._connection.query(
                    self._table, tracking_no, consistent_read=True, exclusive_start_key=start
                )
                items.extend(page.get("Items", []))
                start = page.get("LastEvaluatedKey")
                if not start:
                    return items

        records = [AttachmentRecord.from_raw_data(item) for item in call(read)]
        return sorted((attachment_from_record(r) for r in records), key=lambda a: a.created_at)

    def get(self, tracking_no: str, attachment_id: str) -> Attachment | None:
        item = call(
            lambda: self._connection.get_item(self._table, tracking_no, attachment_id, consistent_read=True)
        ).get("Item")
        return attachment_from_record(AttachmentRecord.from_raw_data(item)) if item else None

    def _put(self, attachment: Attachment, condition: Any) -> bool:
        record = attachment_record(attachment)
        try:
            call(
                lambda: self._connection.put_item(
                    self._table,
                    attachment.tracking_no,
                    attachment.id,
                    attributes=record.serialize(),
                    condition=condition,
                )
            )
        except PutError as error:
            if error.cause_response_code == _REFUSED:
                return False
            raise
        return True

    def add(self, attachment: Attachment) -> None:
        if not self._put(attachment, AttachmentRecord.attachment_id.does_not_exist()):
            raise RuntimeError(f"attachment id {attachment.id} is taken")  # 64 random bits: never

    def settle(self, attachment: Attachment) -> bool:
        return self._put(attachment, AttachmentRecord.state == "pending")
