"""Attachments: files complainants and staff add to a case as evidence (photos, receipts, contracts).

The rules live here, apart from any storage: the limits (policy.json ``attachments``), which types
are taken, how a file's name is made safe, how many and how much a case may hold, and who may see
and open which file. A file is uploaded straight to S3 under a quarantine key; it is processed
(type sniffed from its bytes, images re-encoded without metadata, PDFs checked, scanned) before
anyone can open it, and only then is it ``ready``.
"""

from __future__ import annotations

import json
import re
import secrets
import unicodedata
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import cache
from typing import Literal

from msgspec import Struct

from .case import Case
from .errors import DomainError, ForbiddenError, InvalidInputError, StorageUnavailableError
from .messages import Message
from .staff import StaffMember
from .vocabulary import DATA_DIR

__all__ = [
    "EXTENSIONS",
    "QUARANTINE_PREFIX",
    "STORED_PREFIX",
    "Attachment",
    "AttachmentLimitError",
    "AttachmentPolicy",
    "AttachmentState",
    "AttachmentVisibility",
    "AttachmentsUnavailableError",
    "Uploader",
    "attachment_policy",
    "check_room",
    "check_upload",
    "complainant_sees",
    "counted",
    "ensure_staff_may_open",
    "load_attachment_policy",
    "new_attachment_id",
    "parse_quarantine_key",
    "quarantine_key",
    "room_for_one",
    "safe_name",
    "staff_sees",
    "stored_key",
]

Uploader = Literal["complainant", "staff"]
AttachmentState = Literal["pending", "ready", "refused"]
AttachmentVisibility = Literal["internal", "public"]

# Where uploads land until processed (a lifecycle rule removes what is left there), and where the
# processed files are kept. Both are under the case's tracking number.
QUARANTINE_PREFIX = "quarantine/"
STORED_PREFIX = "cases/"

# The extension a stored file's name gets from its recorded (sniffed) type.
EXTENSIONS: dict[str, str] = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
}

_MB = 1024 * 1024
_NAME_MAX = 100
_ID_PATTERN = re.compile(r"^[0-9a-f]{16}$")
_TRACKING_PATTERN = re.compile(r"^[0-9A-Z]{12}$")


class AttachmentPolicy(Struct, frozen=True):
    max_file_bytes: int
    max_files_per_case: int
    max_total_bytes: int
    # How long a presigned upload may be used, and a presigned opening.
    upload_expiry_seconds: int
    open_expiry_seconds: int
    # How long an unprocessed upload may stay in quarantine before S3's lifecycle removes it.
    quarantine_days: int
    content_types: tuple[str, ...]

    @property
    def upload_expiry(self) -> timedelta:
        return timedelta(seconds=self.upload_expiry_seconds)


def load_attachment_policy(raw: object) -> AttachmentPolicy:
    """policy.json's ``attachments`` section, checked."""
    if not isinstance(raw, dict):
        raise ValueError("policy.json needs an attachments section")
    numbers = (
        "max_file_bytes",
        "max_files_per_case",
        "max_total_bytes",
        "upload_expiry_seconds",
        "open_expiry_seconds",
        "quarantine_days",
    )
    for name in numbers:
        value = raw.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"policy.json: attachments.{name} must be a positive whole number")
    types = raw.get("content_types")
    if not isinstance(types, list) or not types or any(t not in EXTENSIONS for t in types):
        raise ValueError(f"policy.json: attachments.content_types must be some of {', '.join(EXTENSIONS)}")
    if raw["max_file_bytes"] > raw["max_total_bytes"]:
        raise ValueError("policy.json: attachments.max_file_bytes exceeds max_total_bytes")
    return AttachmentPolicy(
        max_file_bytes=raw["max_file_bytes"],
        max_files_per_case=raw["max_files_per_case"],
        max_total_bytes=raw["max_total_bytes"],
        upload_expiry_seconds=raw["upload_expiry_seconds"],
        open_expiry_seconds=raw["open_expiry_seconds"],
        quarantine_days=raw["quarantine_days"],
        content_types=tuple(types),
    )


@cache
def attachment_policy() -> AttachmentPolicy:
    with (DATA_DIR / "policy.json").open(encoding="utf-8") as handle:
        return load_attachment_policy(json.load(handle).get("attachments"))


class Attachment(Struct, frozen=True):
    """One file of a case. ``pending`` from the moment an upload is offered until it is processed
    (or its offer expires unused); then ``ready`` with what processing found, or ``refused`` with the
    reason (the file itself is deleted)."""

    tracking_no: str
    id: str
    state: AttachmentState
    uploaded_by: Uploader
    # The safe name (``safe_name``); once ready its extension follows the recorded type.
    name: str
    # What the uploader said: the size is the most S3 accepts for this upload.
    declared_type: str
    declared_size: int
    created_at: datetime
    # Until when a pending upload counts against the case's limits (its offer's expiry).
    offer_expires_at: datetime
    visibility: AttachmentVisibility = "internal"
    staff_id: str | None = None
    staff_name: str | None = None
    content_type: str | None = None
    size: int | None = None
    sha256: str | None = None
    processed_at: datetime | None = None
    # The message key of the reason a refused file was refused.
    refusal: str | None = None

    def is_counted(self, now: datetime) -> bool:
        """Whether it takes room in the case's limits: ready, or an upload that may still arrive."""
        return self.state == "ready" or (self.state == "pending" and now <= self.offer_expires_at)

    @property
    def counted_size(self) -> int:
        return self.size if self.size is not None else self.declared_size


def counted(attachments: Iterable[Attachment], now: datetime) -> list[Attachment]:
    return [a for a in attachments if a.is_counted(now)]


class AttachmentLimitError(InvalidInputError):
    """The case has no room left for this file (count or total size)."""

    code = "attachment_limit"

    def __init__(self, message: Message) -> None:
        super().__init__({"size": message}, message)


class AttachmentsUnavailableError(StorageUnavailableError):
    """No bucket is configured (a local stack without its S3): nothing can be uploaded or opened."""

    code = "attachments_unavailable"

    def __init__(self) -> None:
        DomainError.__init__(self, Message("attachments_unavailable"))


def _megabytes(amount: int) -> str:
    return f"{amount / _MB:.1f}".removesuffix(".0")


def check_upload(content_type: str, size: int, policy: AttachmentPolicy) -> None:
    """The file itself: a type on the list and at most the largest size (both fields at once)."""
    fields: dict[str, Message] = {}
    if content_type not in policy.content_types:
        fields["content_type"] = Message("attachment_type_not_allowed")
    if size > policy.max_file_bytes:
        fields["size"] = Message("attachment_too_large", {"max_mb": _megabytes(policy.max_file_bytes)})
    if fields:
        raise InvalidInputError(fields)


def check_room(existing: Iterable[Attachment], size: int, *, now: datetime, policy: AttachmentPolicy) -> None:
    """Refuse a file of ``size`` bytes that would take the case past its count or total size."""
    taken = counted(existing, now)
    if len(taken) >= policy.max_files_per_case:
        raise AttachmentLimitError(Message("attachment_limit_count", {"max": policy.max_files_per_case}))
    used = sum(a.counted_size for a in taken)
    if used + size > policy.max_total_bytes:
        left = max(policy.max_total_bytes - used, 0)
        raise AttachmentLimitError(
            Message(
                "attachment_limit_total",
                {"max_mb": _megabytes(policy.max_total_bytes), "left_mb": _megabytes(left)},
            )
        )


def room_for_one(existing: Iterable[Attachment], *, now: datetime, policy: AttachmentPolicy) -> int:
    """The most one more file may weigh (an upload whose size is not known beforehand, as a plain
    form's); ``AttachmentLimitError`` when the case has room for none."""
    check_room(existing, 1, now=now, policy=policy)
    used = sum(a.counted_size for a in counted(existing, now))
    return min(policy.max_file_bytes, policy.max_total_bytes - used)


# Characters kept in a name: letters and digits of any script, and a few harmless marks.
_KEPT_MARKS = frozenset(" ._-()（）")


def safe_name(raw: str, content_type: str | None = None) -> str:
    """A file name fit to show and to put in a Content-Disposition: its last path part only, in NFC,
    letters, digits, spaces and ``._-()`` only, no leading dots, at most 100 characters; with
    ``content_type`` it ends in that type's extension (``photo.JPEG`` is ``photo.jpg``; ``photo.exe``
    found to be a JPEG is ``photo.exe.jpg``). Nothing left: ``file``."""
    last = re.split(r"[/\\]", raw)[-1]
    text = unicodedata.normalize("NFC", last)
    kept = "".join(ch if (ch.isalnum() or ch in _KEPT_MARKS) else "_" for ch in text)
    kept = re.sub(r"_+", "_", re.sub(r"\s+", " ", kept)).strip(" ._")
    if content_type is not None:
        extension = EXTENSIONS.get(content_type, "")
        stem = kept
        if "." in kept:
            base, _, old = kept.rpartition(".")
            if "." + old.lower() in (extension, ".jpeg" if extension == ".jpg" else extension):
                stem = base
        stem = (stem or "file")[: _NAME_MAX - len(extension)].rstrip(" ._") or "file"
        return stem + extension
    return kept[:_NAME_MAX].rstrip(" ._") or "file"


def new_attachment_id() -> str:
    """64 random bits as 16 hex digits: the key of a case's file, never guessable from another."""
    return secrets.token_hex(8)


def quarantine_key(tracking_no: str, attachment_id: str) -> str:
    return f"{QUARANTINE_PREFIX}{tracking_no}/{attachment_id}"


def stored_key(tracking_no: str, attachment_id: str) -> str:
    return f"{STORED_PREFIX}{tracking_no}/{attachment_id}"


def parse_quarantine_key(key: str) -> tuple[str, str] | None:
    """(tracking number, attachment id) of a quarantine key, or None for any other key."""
    if not key.startswith(QUARANTINE_PREFIX):
        return None
    parts = key[len(QUARANTINE_PREFIX) :].split("/")
    if len(parts) != 2 or not _TRACKING_PATTERN.match(parts[0]) or not _ID_PATTERN.match(parts[1]):
        return None
    return parts[0], parts[1]


# --- Who sees what --------------------------------------------------------------------------------


def staff_sees(staff: StaffMember, case: Case, attachment: Attachment) -> bool:
    """Staff's own files are for every staff member who may work on the case; the complainant's
    follow the identity rules: on a confidential case they are for supervisors only."""
    return attachment.uploaded_by == "staff" or staff.sees_identity_of(case)


def ensure_staff_may_open(staff: StaffMember, case: Case, attachment: Attachment) -> None:
    staff.ensure_may_work_on(case)
    if not staff_sees(staff, case, attachment):
        raise ForbiddenError(Message("attachment_for_supervisors"))


def complainant_sees(attachment: Attachment) -> bool:
    """The complainant sees their own files (refused ones too, with the reason) and staff's files
    marked public once ready; never staff's internal ones."""
    if attachment.uploaded_by == "complainant":
        return True
    return attachment.visibility == "public" and attachment.state == "ready"
