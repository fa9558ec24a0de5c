"""The whole local stack as ``./scripts/serve`` runs it, with the mail and SMS servers and the jobs'
scheduler (its jobs are the test's own, ``tests/support/sample_jobs.py:STACK_JOBS``): the jobs run
with the API's settings, ``./scripts/jobs`` reaches the running stack, and what a job sends lands in
the local servers where a test (or a person, in the viewers) reads it."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest

from scripts.lib.dynamodb_local import DUMMY_AWS_ENV
from scripts.lib.paths import REPO_ROOT
from scripts.lib.ports import is_port_free
from scripts.lib.stack import LocalStack, StackError
from tests.support import artifact_path, start_test_stack
from tests.support.jobs import run_stack_job
from tests.support.messages import wait_for_mail, wait_for_sms
from tests.support.sample_jobs import MAIL_TO, SMS_TO, read_records

REGISTRY = "tests.support.sample_jobs:STACK_JOBS"


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("job-records")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, records: Path) -> Iterator[LocalStack]:
    patch = pytest.MonkeyPatch()
    # The caller's variables reach the API and the jobs (only the settings' own are replaced).
    patch.setenv("SAMPLE_JOBS_DIR", str(records))
    try:
        try:
            running = start_test_stack(
                site_dir=tmp_path_factory.mktemp("site"),
                log_dir=artifact_path("logs", "stack-jobs-and-messages"),
                staff_auth_dir=tmp_path_factory.mktemp("staff-auth"),
                state_file=tmp_path_factory.mktemp("state") / "stack.json",
                run_schedules=True,
                jobs_registry=REGISTRY,
            )
        except StackError as error:
            pytest.fail(f"the local stack did not start: {error}", pytrace=False)
        try:
            yield running
        finally:
            running.stop()
    finally:
        patch.undo()


def _eventually_records(records: Path, job: str, count: int) -> list[dict[str, object]]:
    deadline = time.monotonic() + 60
    while len(found := read_records(records, job)) < count:
        assert time.monotonic() < deadline, f"fewer than {count} runs of {job}: {found}"
        time.sleep(0.1)
    return found


def test_the_stack_runs_the_mail_and_sms_servers_with_their_viewers(stack: LocalStack) -> None:
    assert stack.mail_viewer_url is not None
    assert stack.sms_data_url is not None
    with urllib.request.urlopen(stack.mail_viewer_url, timeout=10) as response:
        assert response.status == 200
        assert "text/html" in response.headers["Content-Type"]
    with urllib.request.urlopen(stack.sms_data_url, timeout=10) as response:
        assert response.status == 200
        assert isinstance(json.loads(response.read()), dict)  # {} until something is sent


def test_the_scheduler_fires_the_jobs_with_the_apis_settings(stack: LocalStack, records: Path) -> None:
    runs = _eventually_records(records, "record", 2)

    for run in runs:
        assert run["env"] == {
            "STAGE": "local",
            "STORAGE": "dynamodb",
            "TABLE_PREFIX": stack.config.table_prefix,
            "DYNAMODB_ENDPOINT_URL": stack.dynamodb_url,
            "SES_ENDPOINT_URL": stack.mail_url,
            "SNS_ENDPOINT_URL": stack.sms_url,
            "MESSAGES": None,
            "ACCESS_CODE_SECRET": stack.config.access_code_secret,
        }
    assert stack.config.log_dir is not None
    assert "record at " in (stack.config.log_dir / "jobs.log").read_text(encoding="utf-8")


def test_scripts_jobs_run_sends_through_the_stacks_mail_and_sms_servers(stack: LocalStack) -> None:
    assert stack.state_file is not None
    done = subprocess.run(
        [
            str(REPO_ROOT / "scripts" / "jobs"),
            "--stack-file",
            str(stack.state_file),
            "--registry",
            REGISTRY,
            "run",
            "send_messages",
            "--at",
            "2027-01-05T09:00:00+08:00",
        ],
        env={**os.environ, "ACCESS_CODE_SECRET": stack.config.access_code_secret},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "mails     1" in done.stdout
    [mail] = wait_for_mail(stack.mail_store_url, to=MAIL_TO)
    assert mail.subject == "定时任务 2027-01-05T01:00:00+00:00"
    assert mail.sender == "园区投诉受理中心 <complaints@park.example.cn>"
    [sms] = wait_for_sms(stack.sms_data_url, phone_number=SMS_TO)
    assert sms.message == "【投诉平台】测试任务 2027-01-05T01:00:00+00:00"


def test_a_job_run_from_a_test_sees_the_stacks_own_tables(stack: LocalStack) -> None:
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=stack.dynamodb_url,
        region_name=DUMMY_AWS_ENV["AWS_REGION"],
        aws_access_key_id=DUMMY_AWS_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=DUMMY_AWS_ENV["AWS_SECRET_ACCESS_KEY"],
    )
    tables = [
        name for name in dynamodb.list_tables()["TableNames"] if name.startswith(stack.config.table_prefix)
    ]

    outcome = run_stack_job(
        stack, "count_tables", at=datetime(2027, 1, 5, 1, 0, tzinfo=UTC), registry=REGISTRY
    )

    assert outcome.ok, outcome.error
    assert len(tables) >= 5
    assert outcome.counts == {"tables": len(tables)}
    assert outcome.more


def test_stopping_the_stack_stops_its_servers_and_scheduler_and_forgets_its_state(stack: LocalStack) -> None:
    # Runs last in this module: it stops the module's stack (stop is idempotent).
    assert stack.state_file is not None
    assert stack.state_file.exists()
    parts = [stack.mail, stack.sms]
    scheduler = stack.scheduler
    assert scheduler is not None

    stack.stop()

    assert not stack.state_file.exists()
    assert scheduler.poll() is not None
    for server in parts:
        assert server is not None
        assert not server.running
        assert is_port_free(server.port)
    done = subprocess.run(
        [str(REPO_ROOT / "scripts" / "jobs"), "--stack-file", str(stack.state_file), "run", "record"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert "the local stack is not running" in done.stderr
