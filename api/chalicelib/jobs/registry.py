"""The scheduled jobs: each a name, a schedule and what it does at a given moment.

``api/app.py`` registers every job with ``@app.schedule`` (EventBridge on AWS); locally
``./scripts/serve`` runs them on the same schedules and ``./scripts/jobs run NAME [--at TIME]`` runs
one once, as if at that moment. A job is idempotent: run twice for the same moment, the second run
finds nothing left to do; and safe to run twice at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from .schedule import Schedule

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


# Filled as the jobs land (delivering the outbox, reminders, escalation, the digest, auto-close).
JOBS: tuple[Job, ...] = ()


def job_named(name: str) -> Job:
    for job in JOBS:
        if job.name == name:
            return job
    raise KeyError(name)
