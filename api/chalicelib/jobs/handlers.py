"""The scheduled jobs as Chalice event handlers (``@app.schedule``: one EventBridge rule and Lambda
per job on AWS), made from the registry so that no job is written twice.

Chalice names a handler's Lambda after the function's module and name (``chalicelib.jobs.handlers.
deliver_outbox``), so each handler is a module attribute named after its job.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from chalice.app import Blueprint, CloudWatchEvent

from .registry import JOBS, Job

__all__ = ["job_handlers"]

logger = logging.getLogger(__name__)

job_handlers = Blueprint(__name__)


def _handler(job: Job) -> Any:
    def handler(event: CloudWatchEvent) -> None:
        report = job.run(datetime.now(UTC))
        # Counts only: what a job did, never about whom.
        logger.info(json.dumps({"job": job.name, "counts": dict(report.counts), "more": report.more}))

    handler.__name__ = handler.__qualname__ = job.name
    return job_handlers.schedule(job.schedule.expression(), name=job.name, description=job.description)(
        handler
    )


for _job in JOBS:
    globals()[_job.name] = _handler(_job)
