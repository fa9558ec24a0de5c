"""Processing an upload that arrived in quarantine: scan it, sniff and clean it, keep the clean copy,
record it on the case with an event, remove the original. Runs from the S3 event of the upload on
AWS, and as the ``process_attachments`` job (the local stack; the fallback sweep on AWS).

Each step may be repeated without harm, so a run that dies part way is completed by the next one
(the original stays in quarantine until the last step):

1. the record is settled (``ready`` or ``refused``) on condition that it is still pending: of two
   runs of one upload, one settles it and the other stops;
2. for a ready file, the event is written with the case's next version, unless the history already
   has it (a version conflict re-reads the case and the history: the event is written once);
3. the original is deleted from quarantine.

A key in quarantine whose record is ready but whose event is missing resumes at step 2.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from msgspec import Struct, field
from msgspec.structs import replace

from ..domain.attachments import (
    QUARANTINE_PREFIX,
    Attachment,
    AttachmentPolicy,
    counted,
    parse_quarantine_key,
    safe_name,
    stored_key,
)
from ..domain.case import COMPLAINANT, Actor, Event
from ..domain.errors import VersionConflictError
from .attachments import AttachmentStore, ObjectStore
from .repository import CaseRepository

__all__ = [
    "ATTACHED",
    "CleanOutcome",
    "Cleaner",
    "ProcessingCounts",
    "ScanFailedError",
    "ScanVerdict",
    "process_quarantine",
    "process_upload",
]

ATTACHED = "attachment_added"
_WRITE_ATTEMPTS = 3
# Uploads handled by one run (each is read whole: 10 MB at most).
_PAGE = 50


class ScanFailedError(RuntimeError):
    """The scanner could not give a verdict: the upload stays in quarantine for the next run."""


class CleanOutcome(Struct, frozen=True):
    data: bytes
    content_type: str
    sha256: str


# (bytes, allowed types) -> the clean copy, or the message key of the refusal.
Cleaner = Callable[[bytes, tuple[str, ...]], "CleanOutcome | str"]
# bytes -> True when clean; ``ScanFailedError`` when it cannot tell.
ScanVerdict = Callable[[bytes], bool]


class ProcessingCounts(Struct):
    counts: dict[str, int] = field(default_factory=dict)
    more: bool = False

    def add(self, outcome: str) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + 1


def _actor(attachment: Attachment) -> Actor:
    if attachment.uploaded_by == "complainant":
        return COMPLAINANT
    return Actor(kind="staff", id=attachment.staff_id, name=attachment.staff_name)


def _record_event(repository: CaseRepository, attachment: Attachment, now: datetime) -> None:
    """The case's event for a ready file, once. It names the file by id only: its name may say who
    complained, and the history is shown to staff who may not see that on a confidential case."""
    for attempt in range(_WRITE_ATTEMPTS):
        case = repository.get(attachment.tracking_no)
        if case is None:
            return
        history = repository.history(case.tracking_no)
        if any(e.action == ATTACHED and e.data.get("attachment") == attachment.id for e in history):
            return
        changed = case.touched(now)
        event = Event(
            tracking_no=case.tracking_no,
            seq=changed.version,
            at=now,
            actor=_actor(attachment),
            action=ATTACHED,
            visibility="internal",
            data={
                "attachment": attachment.id,
                "uploaded_by": attachment.uploaded_by,
                "content_type": attachment.content_type or "",
                "size": str(attachment.size),
                "sha256": attachment.sha256 or "",
            },
        )
        try:
            repository.save(changed, event)
        except VersionConflictError:
            if attempt == _WRITE_ATTEMPTS - 1:
                raise
            continue
        return


def process_upload(
    repository: CaseRepository,
    store: AttachmentStore,
    objects: ObjectStore,
    key: str,
    *,
    clean: Cleaner,
    scan: ScanVerdict | None,
    now: datetime,
    limits: AttachmentPolicy,
) -> str:
    """Process one quarantine key; what happened (``ready``, ``refused``, ``stray``, ``missing``)."""
    parsed = parse_quarantine_key(key)
    attachment = None if parsed is None else store.get(*parsed)
    if attachment is None or attachment.state == "refused":
        objects.delete(key)  # nobody offered this upload, or it was refused already
        return "stray"
    if attachment.state == "ready":  # a run died after settling it: finish its work
        _record_event(repository, attachment, now)
        objects.delete(key)
        return "ready"
    found = objects.read(key, max_size=attachment.declared_size)
    if found is None:
        return "missing"
    data, _ = found
    outcome = _inspect(data, attachment, store, scan=scan, clean=clean, now=now, limits=limits)
    if isinstance(outcome, str):
        refused = replace(attachment, state="refused", refusal=outcome, processed_at=now)
        store.settle(refused)
        objects.delete(key)
        return "refused"
    objects.write(
        stored_key(attachment.tracking_no, attachment.id),
        outcome.data,
        content_type=outcome.content_type,
        metadata={"sha256": outcome.sha256},
    )
    ready = replace(
        attachment,
        state="ready",
        name=safe_name(attachment.name, outcome.content_type),
        content_type=outcome.content_type,
        size=len(outcome.data),
        sha256=outcome.sha256,
        processed_at=now,
    )
    if not store.settle(ready):
        return "settled_elsewhere"
    _record_event(repository, ready, now)
    objects.delete(key)
    return "ready"


def _inspect(
    data: bytes,
    attachment: Attachment,
    store: AttachmentStore,
    *,
    scan: ScanVerdict | None,
    clean: Cleaner,
    now: datetime,
    limits: AttachmentPolicy,
) -> CleanOutcome | str:
    # Scanned as uploaded, before anything parses it.
    if scan is not None and not scan(data):
        return "attachment_refused_malware"
    if len(data) > attachment.declared_size or not data:
        return "attachment_refused_damaged"  # S3's policy keeps to the range; never trust only that
    outcome = clean(data, limits.content_types)
    if isinstance(outcome, str):
        return outcome
    # The case's limits again, against the files already kept (offers may have raced each other).
    others = [a for a in counted(store.of_case(attachment.tracking_no), now) if a.state == "ready"]
    others = [a for a in others if a.id != attachment.id]
    used = sum(a.counted_size for a in others)
    if len(others) >= limits.max_files_per_case or used + len(outcome.data) > limits.max_total_bytes:
        return "attachment_refused_limit"
    return outcome


def process_quarantine(
    repository: CaseRepository,
    store: AttachmentStore,
    objects: ObjectStore,
    *,
    clean: Cleaner,
    scan: ScanVerdict | None,
    now: datetime,
    limits: AttachmentPolicy,
) -> ProcessingCounts:
    """Every upload waiting in quarantine, a page at a time (the job's sweep)."""
    counts = ProcessingCounts()
    keys = objects.keys(QUARANTINE_PREFIX, limit=_PAGE + 1)
    counts.more = len(keys) > _PAGE
    for key in keys[:_PAGE]:
        try:
            outcome = process_upload(
                repository, store, objects, key, clean=clean, scan=scan, now=now, limits=limits
            )
        except ScanFailedError:
            outcome = "scan_failed"
        counts.add(outcome)
    return counts
