"""Attachments without AWS (issue 12): the limits and their messages, safe names, who sees what,
what processing keeps and refuses, and that a refused offer or upload leaves nothing behind."""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import pytest
from msgspec.structs import replace

from chalicelib.domain.attachments import (
    Attachment,
    AttachmentLimitError,
    attachment_policy,
    check_room,
    load_attachment_policy,
    parse_quarantine_key,
    quarantine_key,
    safe_name,
)
from chalicelib.domain.case import COMPLAINANT
from chalicelib.domain.deadlines import default_policy
from chalicelib.domain.errors import ForbiddenError, InvalidInputError, NotFoundError
from chalicelib.domain.messages import render
from chalicelib.domain.staff import StaffMember
from chalicelib.processing.content import clean_file
from chalicelib.services.attachment_processing import CleanOutcome, process_quarantine
from chalicelib.services.attachments import (
    PresignedPost,
    UploadRequest,
    offer_complainant_upload,
    offer_staff_upload,
    open_as_staff,
    staff_attachments,
)
from chalicelib.services.submissions import submit_complaint
from chalicelib.storage.attachment_storage import MemoryAttachmentStore
from chalicelib.storage.memory import MemoryAttemptCounter, MemoryCaseRepository
from tests.support.memory import memory_repository
from tests.support.uploads import camera_jpeg

from .test_complaint_rules import PERSON

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
LIMITS = attachment_policy()
OFFICER = StaffMember("officer-1", "王专员", frozenset({"officer"}))
SUPERVISOR = StaffMember("supervisor-1", "张主管", frozenset({"supervisor"}))
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\nstartxref\n9\n%%EOF\n"


class FakeBucket:
    """The ObjectStore protocol in memory: presigning is only recorded."""

    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, str]] = {}
        self.signed: list[str] = []

    def presigned_post(
        self, key: str, *, content_type: str, max_size: int, expires_in: int, redirect: str | None
    ) -> PresignedPost:
        self.signed.append(key)
        return PresignedPost("http://s3.test/bucket", {"key": key, "Content-Type": content_type})

    def presigned_get(self, key: str, *, filename: str, content_type: str, expires_in: int) -> str:
        return f"http://s3.test/bucket/{key}?name={filename}"

    def read(self, key: str, *, max_size: int) -> tuple[bytes, Mapping[str, str]] | None:
        found = self.objects.get(key)
        return None if found is None else (found[0][: max_size + 1], {})

    def write(self, key: str, data: bytes, *, content_type: str, metadata: Mapping[str, str]) -> None:
        self.objects[key] = (data, content_type)

    def delete(self, key: str) -> None:
        self.objects.pop(key, None)

    def keys(self, prefix: str, *, limit: int) -> list[str]:
        return sorted(k for k in self.objects if k.startswith(prefix))[:limit]


def _filed(repository: MemoryCaseRepository, **changes: object) -> tuple[str, str]:
    receipt = submit_complaint(
        repository,
        replace(PERSON, **changes),
        channel="web",
        actor=COMPLAINANT,
        idempotency_key=None,
        access_code_secret="s" * 40,
        now=NOW,
        policy=default_policy(),
    )
    return receipt.case.tracking_no, receipt.access_code


def _offer(
    repository: MemoryCaseRepository,
    store: MemoryAttachmentStore,
    bucket: FakeBucket,
    number: str,
    code: str,
    request: UploadRequest,
    *,
    now: datetime = NOW,
) -> Attachment:
    return offer_complainant_upload(
        repository,
        MemoryAttemptCounter(),
        store,
        bucket,
        number,
        code,
        request,
        client="client",
        redirect=None,
        now=now,
        policy=default_policy(),
        limits=LIMITS,
    ).attachment


def _process(
    repository: MemoryCaseRepository, store: MemoryAttachmentStore, bucket: FakeBucket
) -> dict[str, int]:
    return process_quarantine(
        repository, store, bucket, clean=clean_file, scan=None, now=NOW, limits=LIMITS
    ).counts


# --- The rules -----------------------------------------------------------------------------------


def test_the_policy_is_read_from_policy_json_and_checked() -> None:
    assert LIMITS.max_file_bytes == 10 * 1024 * 1024
    assert "application/pdf" in LIMITS.content_types
    with pytest.raises(ValueError, match="content_types"):
        load_attachment_policy({**_raw(), "content_types": ["text/html"]})
    with pytest.raises(ValueError, match="max_files_per_case"):
        load_attachment_policy({**_raw(), "max_files_per_case": 0})


def _raw() -> dict[str, object]:
    return {
        "max_file_bytes": 10,
        "max_files_per_case": 2,
        "max_total_bytes": 20,
        "upload_expiry_seconds": 60,
        "open_expiry_seconds": 60,
        "quarantine_days": 1,
        "content_types": ["image/png"],
    }


@pytest.mark.parametrize(
    ("typed", "content_type", "kept"),
    [
        ("../../etc/passwd", None, "passwd"),
        ("C:\\Users\\李\\现场照片.JPEG", "image/jpeg", "现场照片.jpg"),
        ("report.pdf.exe", "application/pdf", "report.pdf.exe.pdf"),
        ("\u202egpj.exe", "image/png", "gpj.exe.png"),
        ("...", None, "file"),
        ("a<script>b.png", "image/png", "a_script_b.png"),
    ],
)
def test_a_files_name_is_made_safe(typed: str, content_type: str | None, kept: str) -> None:
    assert safe_name(typed, content_type) == kept


def test_quarantine_keys_name_their_case_and_file_and_nothing_else_parses() -> None:
    assert parse_quarantine_key(quarantine_key("7K3M9QX2HD4P", "0123456789abcdef")) == (
        "7K3M9QX2HD4P",
        "0123456789abcdef",
    )
    for key in ("cases/7K3M9QX2HD4P/0123456789abcdef", "quarantine/../x", "quarantine/7K3M9QX2HD4P/zz"):
        assert parse_quarantine_key(key) is None


def _attachment(size: int, *, state: str = "ready", offer_expires_at: datetime = NOW) -> Attachment:
    return Attachment(
        tracking_no="7K3M9QX2HD4P",
        id="0" * 16,
        state=state,  # type: ignore[arg-type]
        uploaded_by="complainant",
        name="f.jpg",
        declared_type="image/jpeg",
        declared_size=size,
        created_at=NOW,
        offer_expires_at=offer_expires_at,
        size=size if state == "ready" else None,
    )


def test_the_case_limits_count_ready_files_and_live_offers_but_not_expired_ones() -> None:
    limits = load_attachment_policy(_raw())
    check_room([_attachment(10)], 10, now=NOW, policy=limits)
    with pytest.raises(AttachmentLimitError) as total:
        check_room([_attachment(15)], 10, now=NOW, policy=limits)
    assert total.value.message.key == "attachment_limit_total"
    assert set(total.value.fields) == {"size"}
    mb = 1024 * 1024
    with pytest.raises(AttachmentLimitError) as real:
        check_room([_attachment(45 * mb)], 6 * mb, now=NOW, policy=LIMITS)
    assert render(real.value.message, "zh") == "每件投诉的附件合计不能超过 50 MB，剩余可上传 5 MB。"
    assert render(real.value.message, "en") == "A complaint's files can total at most 50 MB; 5 MB are left."
    live_offer = _attachment(5, state="pending", offer_expires_at=NOW + timedelta(minutes=5))
    with pytest.raises(AttachmentLimitError) as count:
        check_room([_attachment(1), live_offer], 1, now=NOW, policy=limits)
    assert render(count.value.message, "zh") == "每件投诉最多可附 2 个文件，已达上限。"
    assert (
        render(count.value.message, "en")
        == "A complaint can have at most 2 files, and this one has reached that limit."
    )
    expired_offer = _attachment(5, state="pending", offer_expires_at=NOW - timedelta(seconds=1))
    check_room([_attachment(1), expired_offer], 1, now=NOW, policy=limits)


# --- Processing ----------------------------------------------------------------------------------


def test_a_camera_jpeg_loses_its_exif_and_gps_and_stands_upright() -> None:
    from PIL import Image

    outcome = clean_file(camera_jpeg(width=60, height=40, orientation=6), LIMITS.content_types)
    assert isinstance(outcome, CleanOutcome)
    clean = Image.open(io.BytesIO(outcome.data))
    assert outcome.content_type == "image/jpeg"
    assert not clean.getexif()
    assert clean.size == (40, 60)


def test_png_and_webp_are_reencoded_and_pdfs_kept_as_they_are() -> None:
    from PIL import Image

    for fmt, mime in (("PNG", "image/png"), ("WEBP", "image/webp")):
        out = io.BytesIO()
        Image.new("RGBA", (8, 8), (1, 2, 3, 4)).save(out, fmt)
        outcome = clean_file(out.getvalue(), LIMITS.content_types)
        assert isinstance(outcome, CleanOutcome)
        assert outcome.content_type == mime
    pdf = clean_file(PDF, LIMITS.content_types)
    assert isinstance(pdf, CleanOutcome)
    assert pdf.data == PDF


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "attachment_refused_type"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "attachment_refused_type",
        ),
        (b"GIF89a" + b"\x00" * 40, "attachment_refused_type"),
        (camera_jpeg()[:200], "attachment_refused_damaged"),
        (b"%PDF-1.4\nno end at all", "attachment_refused_damaged"),
    ],
)
def test_what_is_not_an_allowed_file_or_does_not_decode_is_refused(data: bytes, reason: str) -> None:
    assert clean_file(data, LIMITS.content_types) == reason


# --- The use cases -------------------------------------------------------------------------------


def test_an_offer_past_the_case_limits_is_refused_in_both_languages_and_writes_nothing() -> None:
    repository, store, bucket = memory_repository(), MemoryAttachmentStore(), FakeBucket()
    number, code = _filed(repository)
    for n in range(LIMITS.max_files_per_case):
        _offer(repository, store, bucket, number, code, UploadRequest(f"{n}.jpg", "image/jpeg", 1000))
    with pytest.raises(AttachmentLimitError) as refused:
        _offer(repository, store, bucket, number, code, UploadRequest("more.jpg", "image/jpeg", 1000))
    assert "最多可附 10 个文件" in render(refused.value.message, "zh")
    assert len(store.of_case(number)) == LIMITS.max_files_per_case
    assert len(bucket.signed) == LIMITS.max_files_per_case
    # Once the offers run out unused, they no longer count.
    later = NOW + LIMITS.upload_expiry + timedelta(seconds=1)
    _offer(repository, store, bucket, number, code, UploadRequest("later.jpg", "image/jpeg", 1000), now=later)


def test_a_wrong_type_or_size_is_refused_by_field_and_writes_nothing() -> None:
    repository, store, bucket = memory_repository(), MemoryAttachmentStore(), FakeBucket()
    number, code = _filed(repository)
    request = UploadRequest("x.svg", "image/svg+xml", LIMITS.max_file_bytes + 1)
    with pytest.raises(InvalidInputError) as refused:
        _offer(repository, store, bucket, number, code, request)
    assert set(refused.value.fields) == {"content_type", "size"}
    assert render(refused.value.fields["size"], "en") == "A file can be at most 10 MB."
    assert store.of_case(number) == []
    assert bucket.signed == []
    with pytest.raises(ForbiddenError):
        _offer(
            repository, store, bucket, number, "WRONG-CODE-0000-0000", UploadRequest("a.jpg", "image/jpeg", 1)
        )


def test_processing_keeps_a_clean_copy_records_one_event_and_leaves_quarantine_empty() -> None:
    repository, store, bucket = memory_repository(), MemoryAttachmentStore(), FakeBucket()
    number, code = _filed(repository)
    photo = camera_jpeg()
    offered = _offer(
        repository, store, bucket, number, code, UploadRequest("照片.jpeg", "image/jpeg", len(photo))
    )
    bucket.objects[quarantine_key(number, offered.id)] = (photo, "image/jpeg")
    version = repository.get(number).version  # type: ignore[union-attr]
    assert _process(repository, store, bucket) == {"ready": 1}
    ready = store.get(number, offered.id)
    assert ready is not None
    assert (ready.state, ready.name, ready.content_type) == ("ready", "照片.jpg", "image/jpeg")
    assert set(bucket.objects) == {f"cases/{number}/{offered.id}"}
    case = repository.get(number)
    assert case is not None
    assert case.version == version + 1
    [event] = [e for e in repository.history(number) if e.action == "attachment_added"]
    assert event.data["attachment"] == offered.id
    assert event.visibility == "internal"
    assert _process(repository, store, bucket) == {}


def test_a_run_that_died_after_settling_writes_the_event_once_on_the_next_run() -> None:
    repository, store, bucket = memory_repository(), MemoryAttachmentStore(), FakeBucket()
    number, code = _filed(repository)
    offered = _offer(
        repository, store, bucket, number, code, UploadRequest("a.pdf", "application/pdf", len(PDF))
    )
    key = quarantine_key(number, offered.id)
    bucket.objects[key] = (PDF, "application/pdf")
    # As if a run settled the record and died before its event and the removal from quarantine.
    store.settle(replace(offered, state="ready", content_type="application/pdf", size=len(PDF), sha256="x"))
    assert _process(repository, store, bucket) == {"ready": 1}
    assert _process(repository, store, bucket) == {}
    assert len([e for e in repository.history(number) if e.action == "attachment_added"]) == 1
    assert key not in bucket.objects


def test_an_upload_past_the_limits_at_processing_is_refused_and_deleted() -> None:
    repository, store, bucket = memory_repository(), MemoryAttachmentStore(), FakeBucket()
    number, code = _filed(repository)
    offers = [
        _offer(
            repository, store, bucket, number, code, UploadRequest(f"{n}.pdf", "application/pdf", len(PDF))
        )
        for n in range(LIMITS.max_files_per_case)
    ]
    for offered in offers:
        bucket.objects[quarantine_key(number, offered.id)] = (PDF, "application/pdf")
    # One more ready file arrived meanwhile (another offer raced these).
    extra = replace(offers[0], id="f" * 16, state="ready", size=len(PDF), content_type="application/pdf")
    store.add(extra)
    counts = _process(repository, store, bucket)
    assert counts == {"ready": LIMITS.max_files_per_case - 1, "refused": 1}
    refused = [a for a in store.of_case(number) if a.state == "refused"]
    assert [a.refusal for a in refused] == ["attachment_refused_limit"]
    assert not [k for k in bucket.objects if k.startswith("quarantine/")]


def test_staff_see_their_own_files_and_only_supervisors_a_confidential_complainants() -> None:
    repository, store, bucket = memory_repository(), MemoryAttachmentStore(), FakeBucket()
    number, code = _filed(repository, category="staff_conduct")
    theirs = _offer(
        repository, store, bucket, number, code, UploadRequest("a.pdf", "application/pdf", len(PDF))
    )
    ours = offer_staff_upload(
        repository,
        store,
        bucket,
        OFFICER,
        number,
        UploadRequest("b.pdf", "application/pdf", len(PDF)),
        now=NOW,
        limits=LIMITS,
    ).attachment
    for offered in (theirs, ours):
        bucket.objects[quarantine_key(number, offered.id)] = (PDF, "application/pdf")
    _process(repository, store, bucket)
    shown, withheld = staff_attachments(repository, store, OFFICER, number, now=NOW)
    assert ([a.id for a in shown], withheld) == ([ours.id], 1)
    with pytest.raises(ForbiddenError):
        open_as_staff(repository, store, bucket, OFFICER, number, theirs.id, now=NOW, limits=LIMITS)
    assert repository.access_log(number) == []
    link = open_as_staff(repository, store, bucket, SUPERVISOR, number, theirs.id, now=NOW, limits=LIMITS)
    assert link.endswith("name=a.pdf")
    assert [(e.staff_name, e.purpose) for e in repository.access_log(number)] == [
        ("张主管", "attachment_open")
    ]
    with pytest.raises(NotFoundError):
        open_as_staff(repository, store, bucket, SUPERVISOR, number, "0" * 16, now=NOW, limits=LIMITS)
