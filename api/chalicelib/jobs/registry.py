"""The scheduled jobs: each a name, a schedule and what it does at a given moment.

``api/app.py`` registers every job with ``@app.schedule`` (EventBridge on AWS); locally
``./scripts/serve`` runs them on the same schedules and ``./scripts/jobs run NAME [--at TIME]`` runs
one once, as if at that moment. A job is idempotent: run twice for the same moment, the second run
finds nothing left to do; and safe to run twice at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, time

from msgspec import Struct, field

from ..domain.deadlines import default_policy
from .schedule import DailyAt, Every, Poll, Schedule

__all__ = ["JOBS", "Job", "JobReport", "job_named"]


class JobReport(Struct, frozen=True):
    """What a run did, counted (never who or what about: the counts go to the logs)."""

    counts: Mapping[str, int] = field(default_factory=dict)
    # True when the run stopped at its page bound with work left: the next run continues.
    more: bool = False


class Job(Struct, frozen=True):
    name: str
    # When EventBridge fires it on AWS.
    schedule: Schedule
    description: str
    run: Callable[[datetime], JobReport]
    # When the local scheduler fires it, if more often than ``schedule``.
    local_schedule: Schedule | Poll | None = None

    @property
    def local(self) -> Schedule | Poll:
        return self.local_schedule or self.schedule


def _deliver_outbox(now: datetime) -> JobReport:
    from ..messaging.senders import sender_for
    from ..services.message_delivery import deliver_due
    from ..settings import get_settings
    from ..storage import outbox_for, repository_for

    settings = get_settings()
    counts = deliver_due(
        outbox_for(settings), sender_for(settings), repository_for(settings), now=now, policy=default_policy()
    )
    return JobReport(counts.as_counts(), counts.more)


def _scheduled_work(name: str) -> Callable[[datetime], JobReport]:
    def run(now: datetime) -> JobReport:
        from ..services import scheduled_work
        from ..settings import get_settings
        from ..storage import job_cursors_for, outbox_for, repository_for

        settings = get_settings()
        repository, policy = repository_for(settings), default_policy()
        outbox, cursors = outbox_for(settings), job_cursors_for(settings)
        if name == "auto_close":
            counts = scheduled_work.auto_close(repository, cursors, now=now, policy=policy)
        elif name == "daily_digest":
            counts = scheduled_work.daily_digest(repository, outbox, now=now, policy=policy)
        elif name == "chase_deadlines":
            counts = scheduled_work.chase_deadlines(repository, outbox, cursors, now=now, policy=policy)
        else:
            counts = scheduled_work.remind_to_rate(repository, outbox, cursors, now=now, policy=policy)
        return JobReport(counts.counts, counts.more)

    return run


def _monthly_report(now: datetime) -> JobReport:
    from .monthly_report import run

    return run(now)


def _process_attachments(now: datetime) -> JobReport:
    from .attachments import process_attachments

    return process_attachments(now)


_ZONE = default_policy().zone

JOBS: tuple[Job, ...] = (
    Job(
        "deliver_outbox",
        Every(minutes=1),
        "Send the e-mail and text messages waiting in the outbox.",
        _deliver_outbox,
        # Locally a message is sent within seconds of the request that wrote it.
        local_schedule=Poll(seconds=3),
    ),
    Job(
        "chase_deadlines",
        Every(minutes=15),
        "Remind whoever must act before a time limit runs out; escalate once it has, and again later.",
        _scheduled_work("chase_deadlines"),
    ),
    Job(
        "daily_digest",
        DailyAt(time(8, 30), _ZONE),
        "On working days at 08:30 Beijing time, tell the supervisors what is overdue and due soon.",
        _scheduled_work("daily_digest"),
    ),
    Job(
        "auto_close",
        DailyAt(time(2, 0), _ZONE),
        "Close responded and rejected cases whose window to ask for a review has passed.",
        _scheduled_work("auto_close"),
    ),
    Job(
        "remind_to_rate",
        DailyAt(time(10, 0), _ZONE),
        "Remind a complainant once to rate the outcome of a response.",
        _scheduled_work("remind_to_rate"),
    ),
    Job(
        "process_attachments",
        Every(minutes=10),
        "Check the files uploaded into quarantine, keep their clean copies on their cases, remove the rest.",
        _process_attachments,
        # On AWS each upload's S3 event processes it at once; locally a file is ready within seconds.
        local_schedule=Poll(seconds=3),
    ),
    # --- The monthly report (jobs/monthly_report.py): after midnight, Beijing time, every day.
    Job(
        "monthly_report",
        DailyAt(time(0, 30), _ZONE),
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
