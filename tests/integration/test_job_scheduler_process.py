"""The scheduler process ./scripts/serve runs (``python -m scripts.lib.job_scheduler``), with jobs
registered only by the test (``tests/support/sample_jobs.py``: every second; one always fails, one
takes longer than its interval): each firing runs in a runner process with the scheduler's
environment, is logged as one line, a failure stops nothing, one job never runs twice at once, and
stopping it leaves no run behind."""

from __future__ import annotations

import itertools
import os
import re
import time
from datetime import datetime
from pathlib import Path

from scripts.lib.job_scheduler import scheduler_command
from scripts.lib.paths import REPO_ROOT
from scripts.lib.processes import ManagedProcess
from tests.support.sample_jobs import HOLD_SLOW, read_records

_LINE = re.compile(r"^(?P<job>\w+) at (?P<at>\S+Z): (?P<rest>.*)$")


_JOBS = ("record", "failing", "slow")
_STOPPED = "stopped with the stack"


def _skipped(rest: str) -> bool:
    return rest.startswith("skipped, its run at ")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat_file:
        return stat_file.read().rpartition(")")[2].split()[0] != "Z"


def _runs(log: Path) -> list[tuple[str, datetime, str]]:
    if not log.exists():
        return []
    found = []
    for line in log.read_text(encoding="utf-8").splitlines():
        match = _LINE.match(line)
        if match:
            found.append((match["job"], datetime.fromisoformat(match["at"]), match["rest"]))
    return found


def test_the_scheduler_runs_each_job_on_its_schedule_in_its_own_process(tmp_path: Path) -> None:
    records, log, runs_log = tmp_path / "records", tmp_path / "scheduler.log", tmp_path / "job-runs.log"
    scheduler = ManagedProcess(
        "jobs",
        scheduler_command(registry="tests.support.sample_jobs:JOBS", runs_log=runs_log),
        cwd=REPO_ROOT,
        env={**os.environ, "SAMPLE_JOBS_DIR": str(records), "TABLE_PREFIX": "t-scheduler"},
        log_path=log,
    ).start()
    try:
        deadline = time.monotonic() + 60
        while True:
            runs = _runs(log)
            done = {job: [run for run in runs if run[0] == job and not _skipped(run[2])] for job in _JOBS}
            skipped = [run for run in runs if run[0] == "slow" and _skipped(run[2])]
            if len(done["record"]) >= 3 and len(done["failing"]) >= 2 and done["slow"] and skipped:
                break
            assert scheduler.running, f"the scheduler ended:\n{log.read_text(encoding='utf-8')}"
            assert time.monotonic() < deadline, f"too few runs:\n{log.read_text(encoding='utf-8')}"
            time.sleep(0.1)
        # One more slow run under way, held until the scheduler has stopped it (on a busy machine
        # stopping may take longer than a plain slow run has left).
        (records / HOLD_SLOW).touch()
        while not any(start.get("held") for start in read_records(records, "slow-start")):
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        code = scheduler.stop(timeout=10)
        (records / HOLD_SLOW).unlink(missing_ok=True)
    assert code == 0

    text = log.read_text(encoding="utf-8")
    assert "record: rate(1 second), first at" in text
    runs = _runs(log)
    # Each firing is one line: the job, the moment it was due, its counts (or why it was skipped:
    # a runner may take longer than a second to start on a busy machine).
    record_lines = [(at, rest) for job, at, rest in runs if job == "record"]
    assert all(
        re.fullmatch(
            r"runs=1 seen=8 \(\d+\.\d s\)|skipped, its run at \S+ is still going|stopped with the stack", rest
        )
        for _, rest in record_lines
    ), record_lines
    moments = [at for at, _ in record_lines]
    assert len(moments) == len(set(moments)), moments  # no moment fired twice
    assert all(moment.microsecond == 0 for moment in moments)
    record_moments = [at for at, rest in record_lines if rest.startswith("runs=")]
    # The runner process got the scheduler's environment and the moment it was due.
    recorded = read_records(records, "record")
    assert {str(record["at"]) for record in recorded} >= {moment.isoformat() for moment in record_moments}
    assert {record["env"]["TABLE_PREFIX"] for record in recorded if isinstance(record["env"], dict)} == {
        "t-scheduler"
    }
    assert len({record["pid"] for record in recorded}) == len(recorded)
    # A job that raises is logged each time and does not stop the others.
    failures = [rest for job, _, rest in runs if job == "failing" and not _skipped(rest) and rest != _STOPPED]
    assert failures
    assert all(
        re.fullmatch(r"FAILED \(\d+\.\d s\): RuntimeError: a planted failure", rest) for rest in failures
    ), failures
    assert "Traceback (most recent call last)" in runs_log.read_text(encoding="utf-8")
    # Never two runs of one job at once: firings during a run are skipped, the runs follow each other.
    assert any(rest.startswith("skipped, its run at") for job, _, rest in runs if job == "slow")
    slow = read_records(records, "slow")
    assert slow
    for earlier, later in itertools.pairwise(slow):
        assert float(str(later["started"])) >= float(str(earlier["ended"]))
    # Stopping stopped the run under way: no runner process is left.
    for started in read_records(records, "slow-start"):
        assert not _alive(int(str(started["pid"])))
    assert any(job == "slow" and rest == _STOPPED for job, _, rest in runs)
