"""Jobs registered only by tests (the API's registry may be empty): the job runner, the scheduler and
``./scripts/jobs`` are given them with ``--registry tests.support.sample_jobs:JOBS`` (or ``:STACK_JOBS``).

They run in runner processes, so they tell the test what they saw through files in the folder
``SAMPLE_JOBS_DIR`` names (a variable the stack passes through like any other of the caller's).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from datetime import time as clock_time
from pathlib import Path

from chalicelib.jobs.registry import Job, JobReport
from chalicelib.jobs.schedule import DailyAt, Every
from scripts.lib.job_runner import RunnableJob

__all__ = [
    "JOBS",
    "MAIL_TO",
    "REFUSING_JOBS",
    "SMS_TO",
    "STACK_JOBS",
    "EverySecond",
    "SampleJob",
    "read_records",
]

MAIL_TO = "jobs-check@example.cn"
SMS_TO = "+8613800138000"
_BEIJING = timezone(timedelta(hours=8))
# What a run reports of the environment it got: the settings that point it at the stack.
_SEEN = (
    "STAGE",
    "STORAGE",
    "TABLE_PREFIX",
    "DYNAMODB_ENDPOINT_URL",
    "SES_ENDPOINT_URL",
    "SNS_ENDPOINT_URL",
    "MESSAGES",
    "ACCESS_CODE_SECRET",
)


@dataclass(frozen=True, slots=True)
class EverySecond:
    """A schedule faster than any real one, so that a test sees several firings in seconds."""

    def expression(self) -> str:
        return "rate(1 second)"

    def next_after(self, moment: datetime) -> datetime:
        return datetime.fromtimestamp(int(moment.timestamp()) + 1, UTC)


@dataclass(frozen=True, slots=True)
class SampleJob:
    name: str
    schedule: EverySecond
    description: str
    run: Callable[[datetime], JobReport]


def _folder() -> Path:
    folder = Path(os.environ["SAMPLE_JOBS_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _record(job: str, **fields: object) -> None:
    path = _folder() / f"{job}-{time.time_ns()}-{os.getpid()}.json"
    path.write_text(json.dumps({"job": job, "pid": os.getpid(), **fields}), encoding="utf-8")


def read_records(folder: Path, job: str) -> list[dict[str, object]]:
    """What the runs of ``job`` recorded, in the order they ran."""
    records = [json.loads(path.read_text(encoding="utf-8")) for path in folder.glob("*.json")]
    records = [record for record in records if record["job"] == job]
    return sorted(records, key=lambda record: str(record.get("started", record.get("at", ""))))


def _record_environment(now: datetime) -> JobReport:
    _record("record", at=now.isoformat(), env={name: os.environ.get(name) for name in _SEEN})
    return JobReport(counts={"runs": 1, "seen": len(_SEEN)})


def _fail(now: datetime) -> JobReport:
    raise RuntimeError("a planted failure")


# While this file is in the records' folder, a slow run lasts until it is gone (at most a minute):
# a test that stops the scheduler midway holds the run it stops, however long stopping takes.
HOLD_SLOW = "hold-slow"


def _slow(now: datetime) -> JobReport:
    started = time.time()
    hold = Path(os.environ["SAMPLE_JOBS_DIR"]) / HOLD_SLOW
    held = hold.exists()
    # Its pid, should it be stopped midway, and whether it was held.
    _record("slow-start", at=now.isoformat(), started=started, held=held)
    time.sleep(2.5)
    while held and hold.exists() and time.time() < started + 60:
        time.sleep(0.05)
    _record("slow", at=now.isoformat(), started=started, ended=time.time())
    return JobReport(counts={"slept": 1})


def _send_messages(now: datetime) -> JobReport:
    """Sends one e-mail and one SMS the way the API's delivery will: through the settings' endpoints."""
    import boto3

    from chalicelib.settings import get_settings

    settings = get_settings()
    if settings.ses_endpoint_url is None or settings.sns_endpoint_url is None:
        raise RuntimeError("the stack gave no local SES/SNS endpoints")
    ses = boto3.client("sesv2", endpoint_url=settings.ses_endpoint_url, region_name=settings.region)
    ses.send_email(
        FromEmailAddress=settings.mail_from,
        Destination={"ToAddresses": [MAIL_TO]},
        Content={
            "Simple": {
                "Subject": {"Data": f"定时任务 {now.isoformat()}", "Charset": "UTF-8"},
                "Body": {"Text": {"Data": "本邮件由测试任务发出。", "Charset": "UTF-8"}},
            }
        },
    )
    sns = boto3.client("sns", endpoint_url=settings.sns_endpoint_url, region_name=settings.region)
    sns.publish(PhoneNumber=SMS_TO, Message=f"【投诉平台】测试任务 {now.isoformat()}")
    return JobReport(counts={"mails": 1, "sms": 1})


def _count_tables(now: datetime) -> JobReport:
    """How many of the stack's tables this run sees: the same DynamoDB Local and table prefix."""
    import boto3

    from chalicelib.settings import get_settings

    settings = get_settings()
    client = boto3.client(
        "dynamodb", endpoint_url=settings.dynamodb_endpoint_url, region_name=settings.region
    )
    prefix = settings.cases_table.removesuffix("-cases")
    names = client.list_tables()["TableNames"]
    return JobReport(counts={"tables": sum(name.startswith(prefix + "-") for name in names)}, more=True)


_RECORD = SampleJob(
    "record", EverySecond(), "records the moment and the environment it got", _record_environment
)

# For the scheduler: three jobs every second, one of which always fails and one takes 2.5 s.
JOBS: tuple[RunnableJob, ...] = (
    _RECORD,
    SampleJob("failing", EverySecond(), "always raises", _fail),
    SampleJob("slow", EverySecond(), "takes 2.5 s, longer than its interval", _slow),
)

# For a whole stack: the real registry's Job type, on real schedules, and one that fires every second.
STACK_JOBS: tuple[RunnableJob, ...] = (
    _RECORD,
    Job(
        "send_messages",
        DailyAt(clock_time(8, 30), _BEIJING),
        "sends an e-mail and an SMS through the stack's local servers",
        _send_messages,
    ),
    Job("count_tables", Every(60), "counts the stack's tables", _count_tables),
)


class _RefusingSender:
    """A provider that refuses every message for good, as SES refuses a rejected address."""

    def send(self, notice: object) -> str:
        from chalicelib.services.message_delivery import ProviderError

        raise ProviderError("MessageRejected", transient=False)


def _deliver_refused(now: datetime) -> JobReport:
    """The real delivery of what is due, through a provider that refuses it all: each message failed."""
    from chalicelib.domain.deadlines import default_policy
    from chalicelib.services.message_delivery import deliver_due
    from chalicelib.settings import get_settings
    from chalicelib.storage import outbox_for, repository_for

    settings = get_settings()
    counts = deliver_due(
        outbox_for(settings), _RefusingSender(), repository_for(settings), now=now, policy=default_policy()
    )
    return JobReport(counts.as_counts(), counts.more)


# For a stack whose provider refuses everything: what is due becomes failed, for staff to resend.
REFUSING_JOBS: tuple[RunnableJob, ...] = (
    Job("deliver_refused", Every(60), "delivers what is due to a provider that refuses it", _deliver_refused),
)
