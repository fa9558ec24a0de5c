"""The scheduled jobs: each a name, a schedule and what it does at a given moment.

``api/app.py`` registers every job with ``@app.schedule`` (EventBridge on AWS); locally
``./scripts/serve`` runs them on the same schedules and ``./scripts/jobs run NAME [--at TIME]`` runs
one once, as if at that moment. A job is idempotent: run twice for the same moment, the second run
finds nothing left to do; and safe to run twice at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time

from ..domain.deadlines import default_policy
from .schedule import DailyAt, Schedule

__all__ = ["JOBS", "Job", "JobReport", "job_named"]


@dataclass(frozen=True, slots=True)
class JobReport:
    """What a run did, counted (never who or what about: the counts go to the logs)."""

    counts: Mapping[str, int] = field(default_factory=dict)
    # True when the run stopped at its page bound with work left: the next run continues.
    more: bool = False


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    schedule: Schedule
    description: str
    run: Callable[[datetime], JobReport]


def _monthly_report(now: datetime) -> JobReport:
    from .monthly_report import run

    return run(now)


# Filled as the jobs land (delivering the outbox, reminders, escalation, the digest, auto-close).
JOBS: tuple[Job, ...] = (
    # --- The monthly report (jobs/monthly_report.py): after midnight, Beijing time, every day.
    Job(
        "monthly_report",
        DailyAt(time(0, 30), default_policy().zone),
        "Carry open cases into the new month, freeze the month before on the first working day after it, "
        "publish the statistics",
        _monthly_report,
    ),
)


def job_named(name: str) -> Job:
    for job in JOBS:
        if job.name == name:
            return job
    raise KeyError(name)
