"""``./scripts/jobs``: list the jobs, run one as if at a moment with the running stack's settings, and
clear errors for an unknown job or a stack that is not running. The stack is this test process,
recorded in a state file as ``./scripts/serve`` records itself; the jobs are the test's own
(``tests/support/sample_jobs.py``)."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scripts.lib.paths import REPO_ROOT
from scripts.lib.stack import StackConfig, stack_settings
from scripts.lib.stack_state import write_state
from tests.support.sample_jobs import read_records

SECRET = "c" * 48
STACK_JOBS = "tests.support.sample_jobs:STACK_JOBS"
FAILING_JOBS = "tests.support.sample_jobs:JOBS"


def _config(tmp_path: Path) -> StackConfig:
    return StackConfig(
        portal_port=9100,
        api_port=9110,
        dynamodb_port=9120,
        mail_port=9105,
        sms_port=9106,
        site_dir=tmp_path / "site",
        access_code_secret=SECRET,
        staff_auth_dir=tmp_path / "staff-auth",
        table_prefix="t-jobs-cli",
    )


@pytest.fixture
def stack_file(tmp_path: Path) -> Path:
    path = tmp_path / "stack.json"
    config = _config(tmp_path)
    write_state(path, settings=stack_settings(config), storage="dynamodb", urls={})
    return path


def _jobs(tmp_path: Path, *args: str, secret: str = SECRET) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SAMPLE_JOBS_DIR": str(tmp_path / "records"), "ACCESS_CODE_SECRET": secret}
    return subprocess.run(
        [str(REPO_ROOT / "scripts" / "jobs"), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_list_names_each_job_with_its_schedule_and_description_without_a_stack(tmp_path: Path) -> None:
    done = _jobs(tmp_path, "--stack-file", str(tmp_path / "absent.json"), "--registry", STACK_JOBS, "list")

    assert done.returncode == 0, done.stderr
    assert "send_messages  cron(30 0 * * ? *)" in done.stdout
    assert "sends an e-mail and an SMS through the stack's local servers" in done.stdout
    assert "count_tables   rate(60 minutes)" in done.stdout
    assert "record         rate(1 second)" in done.stdout


def test_list_shows_the_apis_own_registry_by_default(tmp_path: Path) -> None:
    from chalicelib.jobs.registry import JOBS

    done = _jobs(tmp_path, "list")

    assert done.returncode == 0, done.stderr
    if JOBS:
        for job in JOBS:
            assert job.name in done.stdout
    else:
        assert "No jobs are registered yet" in done.stdout


def test_run_at_a_moment_gives_the_job_that_moment_and_the_running_stacks_settings(
    tmp_path: Path, stack_file: Path
) -> None:
    done = _jobs(
        tmp_path,
        "--stack-file",
        str(stack_file),
        "--registry",
        STACK_JOBS,
        "run",
        "record",
        "--at",
        "2027-01-05T09:00:00+08:00",
    )

    assert done.returncode == 0, done.stderr
    assert "as if at  2027-01-05T09:00:00+08:00 (2027-01-05T01:00:00Z)" in done.stdout
    assert "runs      1" in done.stdout
    assert "more      no" in done.stdout
    [record] = read_records(tmp_path / "records", "record")
    assert record["at"] == "2027-01-05T01:00:00+00:00"
    assert record["env"] == {
        "STAGE": "local",
        "STORAGE": "dynamodb",
        "TABLE_PREFIX": "t-jobs-cli",
        "DYNAMODB_ENDPOINT_URL": "http://localhost:9120",
        "SES_ENDPOINT_URL": "http://localhost:9105",
        "SNS_ENDPOINT_URL": "http://localhost:9106",
        "MESSAGES": None,
        "ACCESS_CODE_SECRET": SECRET,
    }


def test_run_without_a_moment_runs_as_of_now(tmp_path: Path, stack_file: Path) -> None:
    before = datetime.now(UTC)
    done = _jobs(tmp_path, "--stack-file", str(stack_file), "--registry", STACK_JOBS, "run", "record")
    after = datetime.now(UTC)

    assert done.returncode == 0, done.stderr
    [record] = read_records(tmp_path / "records", "record")
    assert before <= datetime.fromisoformat(str(record["at"])) <= after


def test_an_unknown_job_is_refused_with_the_names_there_are(tmp_path: Path, stack_file: Path) -> None:
    done = _jobs(tmp_path, "--stack-file", str(stack_file), "--registry", STACK_JOBS, "run", "escalate")

    assert done.returncode == 2
    assert (
        "there is no job named 'escalate'; the jobs are: record, send_messages, count_tables" in done.stderr
    )


def test_run_says_so_when_the_stack_is_not_running(tmp_path: Path) -> None:
    done = _jobs(
        tmp_path, "--stack-file", str(tmp_path / "stack.json"), "--registry", STACK_JOBS, "run", "record"
    )

    assert done.returncode == 1
    assert "the local stack is not running" in done.stderr
    assert "./scripts/serve" in done.stderr
    assert not (tmp_path / "records").exists()


def test_run_refuses_another_secret_than_the_stacks(tmp_path: Path, stack_file: Path) -> None:
    done = _jobs(
        tmp_path, "--stack-file", str(stack_file), "--registry", STACK_JOBS, "run", "record", secret="d" * 48
    )

    assert done.returncode == 1
    assert "ACCESS_CODE_SECRET is not the one the running stack uses" in done.stderr
    assert not (tmp_path / "records").exists()


def test_a_job_that_raises_fails_the_run_with_its_traceback(tmp_path: Path, stack_file: Path) -> None:
    done = _jobs(tmp_path, "--stack-file", str(stack_file), "--registry", FAILING_JOBS, "run", "failing")

    assert done.returncode == 1
    assert "FAILED    RuntimeError: a planted failure" in done.stdout
    assert "Traceback (most recent call last)" in done.stderr


def test_a_moment_without_an_offset_is_refused(tmp_path: Path, stack_file: Path) -> None:
    done = _jobs(tmp_path, "--stack-file", str(stack_file), "run", "record", "--at", "2027-01-05T09:00")

    assert done.returncode == 2
    assert "has no UTC offset" in done.stderr


def test_the_state_file_is_what_the_run_reads(tmp_path: Path, stack_file: Path) -> None:
    # Ports changed for serve (MAIL_PORT=...) reach the job through the file, not through defaults.
    recorded = json.loads(stack_file.read_text(encoding="utf-8"))
    recorded["settings"]["SES_ENDPOINT_URL"] = "http://localhost:9999"
    stack_file.write_text(json.dumps(recorded), encoding="utf-8")

    done = _jobs(tmp_path, "--stack-file", str(stack_file), "--registry", STACK_JOBS, "run", "record")

    assert done.returncode == 0, done.stderr
    [record] = read_records(tmp_path / "records", "record")
    assert isinstance(record["env"], dict)
    assert record["env"]["SES_ENDPOINT_URL"] == "http://localhost:9999"
