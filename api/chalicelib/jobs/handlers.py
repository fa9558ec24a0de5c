"""The scheduled jobs as Chalice event handlers (``@app.schedule``: one EventBridge rule and Lambda
per job on AWS), made from the registry so that no job is written twice.

Chalice names a handler's Lambda after the function's module and name (``chalicelib.jobs.handlers.
deliver_outbox``), so each handler is a module attribute named after its job.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from chalice.app import Blueprint, CloudWatchEvent

from .registry import JOBS, Job, JobReport

__all__ = ["METRICS_NAMESPACE", "job_handlers", "metrics_line", "run_while_time_is_left"]

logger = logging.getLogger(__name__)

job_handlers = Blueprint(__name__)


# Time kept back from the Lambda's timeout after the last run it starts.
_MARGIN_SECONDS = 10.0
# Where a run's counts become CloudWatch metrics (the deployment's alarms on failed deliveries and
# overdue cases read them: scripts/lib/deploy_template.py).
METRICS_NAMESPACE = "ComplaintPortal/Jobs"


def metrics_line(job: str, report: JobReport, function_name: str, at_ms: int) -> str:
    """A run's counts as one line of CloudWatch's embedded metric format: each count a metric of
    the function (one function per job and stack)."""
    counts = dict(report.counts)
    document = {
        "_aws": {
            "Timestamp": at_ms,
            "CloudWatchMetrics": [
                {
                    "Namespace": METRICS_NAMESPACE,
                    "Dimensions": [["Function"]],
                    "Metrics": [{"Name": name, "Unit": "Count"} for name in counts],
                }
            ],
        },
        "Function": function_name,
        **counts,
        "job": job,
        "counts": counts,
        "more": report.more,
    }
    return json.dumps(document)


def run_while_time_is_left(
    job: Job, remaining_ms: Callable[[], int] | None, function_name: str | None = None
) -> int:
    """Run ``job``; while a run stops at its page bound with work left (``more``, where it stopped is
    kept) and the function has time for another as long, run it again at once. How many runs.

    Each run's counts are logged; on Lambda (``function_name`` given) they also go to stdout as
    embedded metrics, a line of its own: the runtime's logging prefix would keep CloudWatch from
    reading a logged one as such."""
    runs = 0
    while True:
        started = time.monotonic()
        report = job.run(datetime.now(UTC))
        runs += 1
        took = time.monotonic() - started
        # Counts only: what a job did, never about whom.
        logger.info(json.dumps({"job": job.name, "counts": dict(report.counts), "more": report.more}))
        if function_name:
            print(metrics_line(job.name, report, function_name, int(time.time() * 1000)), flush=True)
        if not report.more or remaining_ms is None:
            return runs
        if remaining_ms() / 1000 < 2 * took + _MARGIN_SECONDS:
            return runs


def _handler(job: Job) -> Any:
    def handler(event: CloudWatchEvent) -> None:
        context = event.context
        run_while_time_is_left(
            job,
            getattr(context, "get_remaining_time_in_millis", None),
            getattr(context, "function_name", None),
        )

    handler.__name__ = handler.__qualname__ = job.name
    return job_handlers.schedule(job.schedule.expression(), name=job.name, description=job.description)(
        handler
    )


for _job in JOBS:
    globals()[_job.name] = _handler(_job)
