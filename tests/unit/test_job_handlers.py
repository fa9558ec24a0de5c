"""The scheduled jobs' Lambda handlers: a run that stops at its page bound with work left is followed
by another at once while the function has time for one as long; otherwise one run per firing."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from chalicelib.jobs.handlers import run_while_time_is_left
from chalicelib.jobs.registry import Job, JobReport, job_named


class Remaining:
    """A Lambda context's remaining time, falling by ``per_look`` seconds each time it is read."""

    def __init__(self, seconds: float, per_look: float) -> None:
        self.seconds, self.per_look = seconds, per_look

    def __call__(self) -> int:
        self.seconds -= self.per_look
        return int(self.seconds * 1000)


def job_with_more(runs_with_more: int) -> Job:
    """chase_deadlines, whose first ``runs_with_more`` runs stop at their page bound."""
    moments: list[datetime] = []

    def run(now: datetime) -> JobReport:
        moments.append(now)
        return JobReport({"cases": 1}, more=len(moments) <= runs_with_more)

    return replace(job_named("chase_deadlines"), run=run)


def test_a_run_with_more_to_do_is_followed_by_the_next_until_the_work_is_done() -> None:
    assert run_while_time_is_left(job_with_more(3), Remaining(seconds=300, per_look=1)) == 4


def test_no_further_run_starts_without_time_for_it() -> None:
    assert run_while_time_is_left(job_with_more(3), Remaining(seconds=10.5, per_look=1)) == 1
    assert run_while_time_is_left(job_with_more(3), Remaining(seconds=11.5, per_look=1)) == 2


def test_a_run_with_nothing_left_is_the_only_one_and_without_a_lambda_context_one_per_firing() -> None:
    assert run_while_time_is_left(job_with_more(0), Remaining(seconds=300, per_look=1)) == 1
    assert run_while_time_is_left(job_with_more(3), None) == 1
