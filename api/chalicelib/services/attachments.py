"""Attachments as use cases: offer an upload (a presigned S3 POST), list a case's files, open one
(a presigned GET), for complainants (with the access code) and staff (by the identity rules).

The API never carries a file's bytes: the browser posts the file straight to S3, under a quarantine
key and within a policy S3 itself enforces (size range, type, expiry, signature). Offering an
upload writes one ``pending`` record, which counts against the case's limits until its offer
expires; processing (services/attachment_processing.py) makes it ``ready`` or ``refused``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from msgspec import Struct

from ..domain.attachments import (
    Attachment,
    AttachmentPolicy,
    AttachmentVisibility,
    Uploader,
    check_room,
    check_upload,
    complainant_sees,
    ensure_staff_may_open,
    new_attachment_id,
    quarantine_key,
    room_for_one,
    safe_name,
    staff_sees,
    stored_key,
)
from ..domain.case import Case
from ..domain.complainant_actions import COMPLAINANT_ACTIONS
from ..domain.deadlines import Policy
from ..domain.errors import NotFoundError
from ..domain.messages import Message
from ..domain.staff import StaffMember
from .lookup import find_case
from .repository import AccessEntry, AttemptCounter, CaseRepository
from .self_service import _verified as verified_case

__all__ = [
    "AttachmentStore",
    "ObjectStore",
    "PresignedPost",
    "UploadOffer",
    "UploadRequest",
    "complainant_attachments",
    "offer_complainant_form_upload",
    "offer_complainant_upload",
    "offer_staff_upload",
    "open_as_complainant",
    "open_as_staff",
    "staff_attachments",
]

# What the access log records for a staff member opening a file.
OPEN_PURPOSE = "attachment_open"


class PresignedPost(Struct, frozen=True):
    url: str
    fields: Mapping[str, str]


class ObjectStore(Protocol):
    """The bucket, as the attachments use it (storage/object_store.py on S3)."""

    def presigned_post(
        self,
        key: str,
        *,
        content_type: str,
        max_size: int,
        expires_in: int,
        redirect: str | None,
    ) -> PresignedPost:
        """A POST that S3 accepts only for ``key``, exactly ``content_type``, 1..``max_size`` bytes,
        within ``expires_in`` seconds; with ``redirect``, S3 answers it with a 303 to
        that URL (a plain form post then comes back to the portal)."""
        ...

    def presigned_get(self, key: str, *, filename: str, content_type: str, expires_in: int) -> str: ...

    def read(self, key: str, *, max_size: int) -> tuple[bytes, Mapping[str, str]] | None:
        """The object's bytes (at most ``max_size`` + 1 are read) and metadata; None when absent."""
        ...

    def write(self, key: str, data: bytes, *, content_type: str, metadata: Mapping[str, str]) -> None: ...

    def delete(self, key: str) -> None: ...

    def keys(self, prefix: str, *, limit: int) -> list[str]: ...


class AttachmentStore(Protocol):
    """A case's attachment records (storage/attachment_records.py on DynamoDB)."""

    def of_case(self, tracking_no: str) -> list[Attachment]:
        """Every record of the case, oldest first."""
        ...

    def get(self, tracking_no: str, attachment_id: str) -> Attachment | None: ...

    def add(self, attachment: Attachment) -> None:
        """Write a new record (refused if its id is taken)."""
        ...

    def settle(self, attachment: Attachment) -> bool:
        """Write a pending record's outcome (ready or refused) on condition that it is still
        pending; False when it was not (another run settled it first)."""
        ...


class UploadRequest(Struct, frozen=True):
    name: str
    content_type: str
    size: int
    visibility: AttachmentVisibility = "internal"


class UploadOffer(Struct, frozen=True):
    attachment: Attachment
    post: PresignedPost


# The rule of adding information is the rule of adding files: the same statuses, one definition.
_ADD_INFORMATION = next(rule for rule in COMPLAINANT_ACTIONS if rule.name == "add_information")


def _offer(
    store: AttachmentStore,
    objects: ObjectStore,
    case: Case,
    request: UploadRequest,
    *,
    uploaded_by: Uploader,
    staff: StaffMember | None,
    redirect: str | None,
    now: datetime,
    policy: AttachmentPolicy,
) -> UploadOffer:
    check_upload(request.content_type, request.size, policy)
    check_room(store.of_case(case.tracking_no), request.size, now=now, policy=policy)
    attachment = Attachment(
        tracking_no=case.tracking_no,
        id=new_attachment_id(),
        state="pending",
        uploaded_by=uploaded_by,
        name=safe_name(request.name),
        declared_type=request.content_type,
        declared_size=request.size,
        created_at=now,
        offer_expires_at=now + policy.upload_expiry,
        visibility=request.visibility if uploaded_by == "staff" else "internal",
        staff_id=staff.id if staff else None,
        staff_name=staff.name if staff else None,
    )
    # Signed first, written last: an offer that could not be made leaves no record behind.
    post = objects.presigned_post(
        quarantine_key(case.tracking_no, attachment.id),
        content_type=request.content_type,
        max_size=request.size,
        expires_in=policy.upload_expiry_seconds,
        redirect=redirect,
    )
    store.add(attachment)
    return UploadOffer(attachment, post)


def _case_taking_information(
    repository: CaseRepository,
    attempts: AttemptCounter,
    typed_number: str,
    access_code: str,
    *,
    client: str,
    now: datetime,
    policy: Policy,
) -> Case:
    """The complainant's case (the access code checked), while they may add information to it:
    when they may upload to it."""
    case = verified_case(repository, attempts, typed_number, access_code, client=client, now=now)
    refusal = _ADD_INFORMATION.refusal(case, now, policy)
    if refusal is not None:
        raise refusal
    return case


def offer_complainant_upload(
    repository: CaseRepository,
    attempts: AttemptCounter,
    store: AttachmentStore,
    objects: ObjectStore,
    typed_number: str,
    access_code: str,
    request: UploadRequest,
    *,
    client: str,
    redirect: str | None,
    now: datetime,
    policy: Policy,
    limits: AttachmentPolicy,
) -> UploadOffer:
    """An upload for the complainant, while they may add information to the case."""
    case = _case_taking_information(
        repository, attempts, typed_number, access_code, client=client, now=now, policy=policy
    )
    return _offer(
        store,
        objects,
        case,
        request,
        uploaded_by="complainant",
        staff=None,
        redirect=redirect,
        now=now,
        policy=limits,
    )


def offer_complainant_form_upload(
    repository: CaseRepository,
    attempts: AttemptCounter,
    store: AttachmentStore,
    objects: ObjectStore,
    typed_number: str,
    access_code: str,
    content_type: str,
    *,
    client: str,
    redirect: str,
    now: datetime,
    policy: Policy,
    limits: AttachmentPolicy,
) -> UploadOffer:
    """An upload for a plain form (no script can tell the file's size first): up to the room one
    more file has, and S3 sends the browser to ``redirect`` once the file is stored."""
    case = _case_taking_information(
        repository, attempts, typed_number, access_code, client=client, now=now, policy=policy
    )
    check_upload(content_type, 1, limits)
    size = room_for_one(store.of_case(case.tracking_no), now=now, policy=limits)
    request = UploadRequest("attachment", content_type, size)
    return _offer(
        store,
        objects,
        case,
        request,
        uploaded_by="complainant",
        staff=None,
        redirect=redirect,
        now=now,
        policy=limits,
    )


def offer_staff_upload(
    repository: CaseRepository,
    store: AttachmentStore,
    objects: ObjectStore,
    staff: StaffMember,
    typed_number: str,
    request: UploadRequest,
    *,
    now: datetime,
    limits: AttachmentPolicy,
) -> UploadOffer:
    """An upload of staff's own evidence, internal unless marked public."""
    case = find_case(repository, typed_number)
    staff.ensure_may_work_on(case)
    return _offer(
        store, objects, case, request, uploaded_by="staff", staff=staff, redirect=None, now=now, policy=limits
    )


def complainant_attachments(
    repository: CaseRepository,
    attempts: AttemptCounter,
    store: AttachmentStore,
    typed_number: str,
    access_code: str,
    *,
    client: str,
    now: datetime,
) -> list[Attachment]:
    """The complainant's own files (and staff's public ones); pending uploads still in their offer's
    time show as being checked, expired ones not at all."""
    case = verified_case(repository, attempts, typed_number, access_code, client=client, now=now)
    return [a for a in _shown(store.of_case(case.tracking_no), now) if complainant_sees(a)]


def staff_attachments(
    repository: CaseRepository,
    store: AttachmentStore,
    staff: StaffMember,
    typed_number: str,
    *,
    now: datetime,
) -> tuple[list[Attachment], int]:
    """The files ``staff`` may see, and how many of the complainant's are withheld from them."""
    case = find_case(repository, typed_number)
    staff.ensure_may_work_on(case)
    shown = _shown(store.of_case(case.tracking_no), now)
    visible = [a for a in shown if staff_sees(staff, case, a)]
    return visible, len(shown) - len(visible)


def _shown(attachments: Sequence[Attachment], now: datetime) -> list[Attachment]:
    return [a for a in attachments if a.state != "pending" or now <= a.offer_expires_at]


def _ready(store: AttachmentStore, case: Case, attachment_id: str) -> Attachment:
    attachment = store.get(case.tracking_no, attachment_id)
    if attachment is None:
        raise NotFoundError(Message("attachment_not_found"))
    if attachment.state != "ready":
        pending = attachment.state == "pending"
        raise NotFoundError(Message("attachment_not_ready" if pending else "attachment_not_found"))
    return attachment


def _link(objects: ObjectStore, attachment: Attachment, limits: AttachmentPolicy) -> str:
    assert attachment.content_type is not None  # a ready attachment has its recorded type
    return objects.presigned_get(
        stored_key(attachment.tracking_no, attachment.id),
        filename=attachment.name,
        content_type=attachment.content_type,
        expires_in=limits.open_expiry_seconds,
    )


def open_as_staff(
    repository: CaseRepository,
    store: AttachmentStore,
    objects: ObjectStore,
    staff: StaffMember,
    typed_number: str,
    attachment_id: str,
    *,
    now: datetime,
    limits: AttachmentPolicy,
) -> str:
    """A short-lived link to the file; the opening is written to the access log before it is given."""
    case = find_case(repository, typed_number)
    staff.ensure_may_work_on(case)
    attachment = _ready(store, case, attachment_id)
    ensure_staff_may_open(staff, case, attachment)
    link = _link(objects, attachment, limits)
    repository.record_access(
        AccessEntry(
            tracking_no=case.tracking_no,
            at=now,
            staff_id=staff.id,
            staff_name=staff.name,
            role=staff.primary_role,
            purpose=OPEN_PURPOSE,
        )
    )
    return link


def open_as_complainant(
    repository: CaseRepository,
    attempts: AttemptCounter,
    store: AttachmentStore,
    objects: ObjectStore,
    typed_number: str,
    access_code: str,
    attachment_id: str,
    *,
    client: str,
    now: datetime,
    limits: AttachmentPolicy,
) -> str:
    case = verified_case(repository, attempts, typed_number, access_code, client=client, now=now)
    attachment = _ready(store, case, attachment_id)
    if not complainant_sees(attachment):
        raise NotFoundError(Message("attachment_not_found"))
    return _link(objects, attachment, limits)
