"""Where attachments are kept: their records (DynamoDB, or memory in development) and their files
(the S3 bucket), one of each per configuration, made at first use."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING

from msgspec.structs import replace

from ..domain.attachments import Attachment, AttachmentsUnavailableError
from ..settings import Settings

if TYPE_CHECKING:  # the attachments' service (and the actions' rules it reads) loads on its routes only
    from ..services.attachments import AttachmentStore, ObjectStore, PresignedPost

__all__ = [
    "MemoryAttachmentStore",
    "NoBucket",
    "attachment_store_for",
    "forget_attachment_storage",
    "object_store_for",
]


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


class NoBucket:
    """No bucket is configured (a local stack without its S3): any use of it is
    ``AttachmentsUnavailableError`` (503), only once a request has passed every other check (a
    wrong role is still 403, a missing case 404)."""

    def presigned_post(
        self, key: str, *, content_type: str, max_size: int, expires_in: int, redirect: str | None
    ) -> PresignedPost:
        raise AttachmentsUnavailableError()

    def presigned_get(self, key: str, *, filename: str, content_type: str, expires_in: int) -> str:
        raise AttachmentsUnavailableError()

    def read(self, key: str, *, max_size: int) -> tuple[bytes, Mapping[str, str]] | None:
        raise AttachmentsUnavailableError()

    def write(self, key: str, data: bytes, *, content_type: str, metadata: Mapping[str, str]) -> None:
        raise AttachmentsUnavailableError()

    def delete(self, key: str) -> None:
        raise AttachmentsUnavailableError()

    def keys(self, prefix: str, *, limit: int) -> list[str]:
        raise AttachmentsUnavailableError()


@lru_cache(maxsize=4)
def object_store_for(settings: Settings) -> ObjectStore:
    """The bucket (``NoBucket`` when none is configured)."""
    if settings.attachments_bucket is None:
        return NoBucket()
    from .object_store import S3ObjectStore

    return S3ObjectStore(settings, settings.attachments_bucket)


def forget_attachment_storage() -> None:
    attachment_store_for.cache_clear()
    object_store_for.cache_clear()
