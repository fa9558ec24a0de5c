"""Processing uploads: the ``process_attachments`` job (the local stack polls it every few seconds;
on AWS a sweep every 10 minutes catches anything an S3 event missed) and, on AWS, the function the
attachments bucket calls for each upload into quarantine (infra/resources.json wires the bucket's
notification to it: Chalice cannot package ``@app.on_s3_event`` for a bucket of its template).

Pillow and filetype are imported here, inside the runs, and nowhere on the API's path.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_plus

from chalice.app import Blueprint

from .registry import JobReport

__all__ = ["attachment_handlers", "process_attachments"]

logger = logging.getLogger(__name__)

attachment_handlers = Blueprint(__name__)


def _parts() -> dict[str, Any] | None:
    """What a run works with, or None when no bucket is configured (nothing to process)."""
    from ..domain.attachments import attachment_policy
    from ..processing.content import clean_file
    from ..processing.scanner import scanner_for
    from ..settings import get_settings
    from ..storage import repository_for
    from ..storage.attachment_storage import attachment_store_for, object_store_for

    settings = get_settings()
    if settings.attachments_bucket is None:
        return None
    return {
        "repository": repository_for(settings),
        "store": attachment_store_for(settings),
        "objects": object_store_for(settings),
        "clean": clean_file,
        "scan": scanner_for(settings.attachment_scanner, settings.clamscan_database),
        "limits": attachment_policy(),
    }


def process_attachments(now: datetime) -> JobReport:
    from ..services.attachment_processing import process_quarantine

    parts = _parts()
    if parts is None:
        return JobReport({"no_bucket": 1})
    counts = process_quarantine(now=now, **parts)
    return JobReport(dict(counts.counts), counts.more)


@attachment_handlers.lambda_function(name="process_attachment_upload")
def process_attachment_upload(event: dict[str, Any], context: Any) -> None:
    """S3's ObjectCreated notification for the quarantine prefix: process each upload it names."""
    from ..services.attachment_processing import ScanFailedError, process_upload

    parts = _parts()
    if parts is None:
        return
    for record in event.get("Records", []):
        key = unquote_plus(str(record.get("s3", {}).get("object", {}).get("key", "")))
        try:
            outcome = process_upload(key=key, now=datetime.now(UTC), **parts)
        except ScanFailedError:
            outcome = "scan_failed"  # left in quarantine: the sweep tries again
        logger.info(json.dumps({"job": "process_attachment_upload", "outcome": outcome}))
