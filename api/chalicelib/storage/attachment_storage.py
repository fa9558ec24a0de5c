"""Where attachments are kept: their records (DynamoDB, or memory in development) and their files
(the S3 bucket), one of each per configuration, made at first use."""

from __future__ import annotations

import threading
from dataclasses import replace
from functools import lru_cache

from ..domain.attachments import Attachment, AttachmentsUnavailableError
from ..services.attachments import AttachmentStore, ObjectStore
from ..settings import Settings

__all__ = ["MemoryAttachmentStore", "attachment_store_for", "forget_attachment_storage", "object_store_for"]


class MemoryAttachmentStore:
    """The same guarantees as the table, in one process (development and unit tests)."""

    def __init__(self) -> None:
        self._records: dict[tuple[str, str], Attachment] = {}
        self._lock = threading.Lock()

    def of_case(self, tracking_no: str) -> list[Attachment]:
        with self._lock:
            found = [a for (number, _), a in self._records.items() if number == tracking_no]
        return sorted(found, key=lambda a: a.created_at)

    def get(self, tracking_no: str, attachment_id: str) -> Attachment | None:
        with self._lock:
            return self._records.get((tracking_no, attachment_id))

    def add(self, attachment: Attachment) -> None:
        with self._lock:
            key = (attachment.tracking_no, attachment.id)
            if key in self._records:
                raise RuntimeError(f"attachment id {attachment.id} is taken")
            self._records[key] = replace(attachment)

    def settle(self, attachment: Attachment) -> bool:
        with self._lock:
            key = (attachment.tracking_no, attachment.id)
            stored = self._records.get(key)
            if stored is None or stored.state != "pending":
                return False
            self._records[key] = attachment
            return True


@lru_cache(maxsize=4)
def attachment_store_for(settings: Settings) -> AttachmentStore:
    if settings.storage == "memory":
        return MemoryAttachmentStore()
    from .attachment_records import AttachmentRecord, DynamoAttachmentStore
    from .connection import dynamodb_for

    dynamodb = dynamodb_for(settings)
    return DynamoAttachmentStore(dynamodb.connection, dynamodb.table(AttachmentRecord))


@lru_cache(maxsize=4)
def object_store_for(settings: Settings) -> ObjectStore:
    """The bucket; ``AttachmentsUnavailableError`` (503) when none is configured."""
    if settings.attachments_bucket is None:
        raise AttachmentsUnavailableError()
    from .object_store import S3ObjectStore

    return S3ObjectStore(settings, settings.attachments_bucket)


def forget_attachment_storage() -> None:
    attachment_store_for.cache_clear()
    object_store_for.cache_clear()
