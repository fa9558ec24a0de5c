"""The scheduled jobs' Lambda handlers: a run that stops at its page bound with work left is followed
by another at once while the function has time for one as long; otherwise one run per firing."""

from __future__ import annotations

import json
import logging
from datetime import datetime

import pytest
from msgspec.structs import replace

from chalicelib.jobs.handlers import METRICS_NAMESPACE, metrics_line, run_while_time_is_left
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


def test_on_lambda_each_runs_counts_are_an_embedded_metrics_line(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="chalicelib")
    assert (
        run_while_time_is_left(job_with_more(1), Remaining(seconds=300, per_look=1), "portal-ChaseDeadlines")
        == 2
    )
    # The log line stays as well (the privacy tests read it).
    assert sum('"job": "chase_deadlines"' in record.getMessage() for record in caplog.records) == 2
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 2
    for line in lines:
        [directive] = line["_aws"]["CloudWatchMetrics"]
        assert directive["Namespace"] == METRICS_NAMESPACE
        assert directive["Dimensions"] == [["Function"]]
        assert directive["Metrics"] == [{"Name": "cases", "Unit": "Count"}]
        # Each metric's value is the member of its name; the function names the stack's job.
        assert (line["Function"], line["cases"], line["job"]) == (
            "portal-ChaseDeadlines",
            1,
            "chase_deadlines",
        )
    assert [line["more"] for line in lines] == [True, False]


def test_off_lambda_a_run_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    run_while_time_is_left(job_with_more(0), None)
    assert capsys.readouterr().out == ""


def test_a_metrics_line_of_no_counts_names_no_metric() -> None:
    line = json.loads(metrics_line("auto_close", JobReport({}), "f", 1_700_000_000_000))
    assert line["_aws"]["CloudWatchMetrics"][0]["Metrics"] == []
    assert line["_aws"]["Timestamp"] == 1_700_000_000_000
