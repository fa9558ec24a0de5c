"""The local scheduler ./scripts/serve runs (scripts/lib/job_scheduler.py), with jobs and a launcher
of the test's own and a clock the test moves: which runs it starts, for which moments, what it logs."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from datetime import time as clock_time

import pytest

from chalicelib.jobs.registry import Job, JobReport
from chalicelib.jobs.schedule import DailyAt, Every, Schedule
from scripts.lib.job_runner import RunOutcome
from scripts.lib.job_scheduler import Scheduler, describe_outcome

BEIJING = timezone(timedelta(hours=8))
START = datetime(2027, 1, 5, 0, 59, 30, tzinfo=UTC)  # 08:59:30 in Beijing


def _at(hour: int, minute: int, second: int = 0, day: int = 5) -> datetime:
    return datetime(2027, 1, day, hour, minute, second, tzinfo=UTC)


class ManualClock:
    """Shows the moment the test sets; the scheduler looks at it again every few milliseconds."""

    def __init__(self, moment: datetime) -> None:
        self._moment = moment
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._moment

    def set(self, moment: datetime) -> None:
        with self._lock:
            self._moment = moment

    def seconds_until(self, moment: datetime) -> float:
        return 0.005


class RecordingLauncher:
    """Runs nothing: records each run; can hold a job's runs until released, or make them raise."""

    def __init__(self) -> None:
        self.failing: set[str] = set()
        self.held: dict[str, threading.Event] = {}
        self.cancelled = threading.Event()
        self.most_at_once: dict[str, int] = {}
        self._runs: list[tuple[str, datetime]] = []
        self._active: dict[str, int] = {}
        self._lock = threading.Lock()

    def run(self, job: str, at: datetime) -> RunOutcome:
        with self._lock:
            self._runs.append((job, at))
            self._active[job] = self._active.get(job, 0) + 1
            self.most_at_once[job] = max(self.most_at_once.get(job, 0), self._active[job])
        try:
            if job in self.held:
                self.held[job].wait(10)
                if self.cancelled.is_set():
                    return RunOutcome(job=job, at=at, seconds=0.1, error="the runner ended without an answer")
            if job in self.failing:
                raise RuntimeError("a planted failure")
            return RunOutcome(job=job, at=at, seconds=0.25, counts={"sent": 2, "failed": 0})
        finally:
            with self._lock:
                self._active[job] -= 1

    def cancel_all(self) -> None:
        self.cancelled.set()
        for event in self.held.values():
            event.set()

    def moments(self, job: str) -> list[datetime]:
        with self._lock:
            return [at for name, at in self._runs if name == job]


def _eventually(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.005)


def _job(name: str, schedule: Schedule) -> Job:
    return Job(name, schedule, f"the test's {name}", lambda now: JobReport())


JOBS = [_job("deliver", Every(1)), _job("digest", DailyAt(clock_time(8, 30), BEIJING))]


@pytest.fixture
def launcher() -> RecordingLauncher:
    return RecordingLauncher()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def lines() -> list[str]:
    return []


@pytest.fixture
def scheduler(launcher: RecordingLauncher, clock: ManualClock, lines: list[str]) -> Iterator[Scheduler]:
    running = Scheduler(JOBS, launcher, clock=clock, log=lines.append).start()
    try:
        yield running
    finally:
        running.stop()


def _move_to(clock: ManualClock, launcher: RecordingLauncher, moment: datetime, job: str, runs: int) -> None:
    clock.set(moment)
    _eventually(lambda: len(launcher.moments(job)) >= runs, f"{runs} run(s) of {job} at {moment}")


def test_a_job_runs_at_each_of_its_firings_and_is_told_the_moment_it_was_due(
    scheduler: Scheduler, launcher: RecordingLauncher, clock: ManualClock
) -> None:
    time.sleep(0.05)
    assert launcher.moments("deliver") == []  # nothing before its first firing

    _move_to(clock, launcher, _at(1, 0), "deliver", 1)
    _move_to(clock, launcher, _at(1, 1, 30), "deliver", 2)
    _move_to(clock, launcher, _at(1, 2), "deliver", 3)
    time.sleep(0.05)

    assert launcher.moments("deliver") == [_at(1, 0), _at(1, 1), _at(1, 2)]


def test_the_daily_job_runs_at_its_time_in_beijing(
    scheduler: Scheduler, launcher: RecordingLauncher, clock: ManualClock
) -> None:
    clock.set(_at(0, 29, 59, day=6))  # 08:29:59 on the 6th in Beijing
    _eventually(lambda: len(launcher.moments("deliver")) == 1, "the catch-up run of deliver")
    time.sleep(0.05)
    assert launcher.moments("digest") == []

    _move_to(clock, launcher, _at(0, 30, day=6), "digest", 1)

    assert launcher.moments("digest") == [datetime(2027, 1, 6, 8, 30, tzinfo=BEIJING)]


def test_after_a_gap_a_job_runs_once_for_its_latest_due_moment(
    scheduler: Scheduler, launcher: RecordingLauncher, clock: ManualClock
) -> None:
    _move_to(clock, launcher, _at(1, 0), "deliver", 1)
    _move_to(clock, launcher, _at(1, 5, 10), "deliver", 2)  # as after a suspended laptop
    time.sleep(0.05)

    assert launcher.moments("deliver") == [_at(1, 0), _at(1, 5)]


def test_a_job_that_raises_is_logged_and_the_scheduler_goes_on(
    launcher: RecordingLauncher, clock: ManualClock, lines: list[str], scheduler: Scheduler
) -> None:
    launcher.failing.add("deliver")

    _move_to(clock, launcher, _at(1, 0), "deliver", 1)
    _eventually(lambda: any("FAILED" in line for line in lines), "the failure's line")
    _move_to(clock, launcher, _at(1, 1), "deliver", 2)

    assert "deliver at 2027-01-05T01:00:00Z: FAILED (0.0 s): RuntimeError: a planted failure" in lines
    assert launcher.moments("deliver") == [_at(1, 0), _at(1, 1)]


def test_a_firing_while_the_last_run_still_goes_is_skipped_never_run_alongside_it(
    launcher: RecordingLauncher, clock: ManualClock, lines: list[str], scheduler: Scheduler
) -> None:
    release = launcher.held["deliver"] = threading.Event()

    _move_to(clock, launcher, _at(1, 0), "deliver", 1)
    clock.set(_at(1, 1))
    _eventually(lambda: any("skipped" in line for line in lines), "the skipped firing's line")
    release.set()
    _eventually(lambda: not scheduler.running(), "the held run to end")
    _move_to(clock, launcher, _at(1, 2), "deliver", 2)

    assert "deliver at 2027-01-05T01:01:00Z: skipped, its run at 2027-01-05T01:00:00Z is still going" in lines
    assert launcher.moments("deliver") == [_at(1, 0), _at(1, 2)]
    assert launcher.most_at_once["deliver"] == 1


def test_stopping_stops_the_run_in_progress_and_fires_nothing_more(
    launcher: RecordingLauncher, clock: ManualClock, lines: list[str], scheduler: Scheduler
) -> None:
    launcher.held["deliver"] = threading.Event()
    _move_to(clock, launcher, _at(1, 0), "deliver", 1)
    assert scheduler.running() == ["deliver"]

    scheduler.stop()

    assert launcher.cancelled.is_set()
    assert scheduler.running() == []
    assert lines[-1] == "deliver at 2027-01-05T01:00:00Z: stopped with the stack"
    clock.set(_at(2, 0))
    time.sleep(0.05)
    assert launcher.moments("deliver") == [_at(1, 0)]


def test_without_jobs_it_says_there_is_nothing_to_schedule(launcher: RecordingLauncher) -> None:
    lines: list[str] = []
    scheduler = Scheduler([], launcher, clock=ManualClock(START), log=lines.append).start()
    scheduler.stop()

    assert lines == ["no jobs are registered: nothing to schedule"]


def test_it_starts_by_naming_each_job_its_schedule_and_first_firing(
    scheduler: Scheduler, lines: list[str]
) -> None:
    assert lines[:2] == [
        "deliver: rate(1 minute), first at 2027-01-05T01:00:00Z",
        "digest: cron(30 0 * * ? *), first at 2027-01-06T00:30:00Z",
    ]


@pytest.mark.parametrize(
    ("outcome", "line"),
    [
        (
            RunOutcome(job="deliver", at=_at(1, 0), seconds=0.44, counts={"sent": 2, "failed": 0}),
            "deliver at 2027-01-05T01:00:00Z: sent=2 failed=0 (0.4 s)",
        ),
        (
            RunOutcome(job="remind", at=datetime(2027, 1, 5, 9, 0, tzinfo=BEIJING), seconds=1.0, more=True),
            "remind at 2027-01-05T01:00:00Z: nothing counted, more to do: the next run goes on (1.0 s)",
        ),
        (
            RunOutcome(job="digest", at=_at(0, 30), seconds=0.06, error="KeyError: 'x'"),
            "digest at 2027-01-05T00:30:00Z: FAILED (0.1 s): KeyError: 'x'",
        ),
    ],
)
def test_a_run_is_one_line_job_moment_counts(outcome: RunOutcome, line: str) -> None:
    assert describe_outcome(outcome) == line


class _YieldingOut:
    """A stdout whose every write gives other threads their turn: two writes of one line (text, then
    newline) get interleaved with another thread's unless the line is written whole."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        time.sleep(0)
        self.parts.append(text)
        return len(text)

    def flush(self) -> None:
        pass


def test_lines_of_runs_ending_at_once_never_run_into_each_other(monkeypatch: pytest.MonkeyPatch) -> None:
    out = _YieldingOut()
    monkeypatch.setattr("sys.stdout", out)
    log = Scheduler([], RecordingLauncher()).log

    def write_many(job: str) -> None:
        for n in range(200):
            log(f"[jobs] {job} at 2027-01-05T01:00:0{n % 10}Z: runs=1")

    threads = [threading.Thread(target=write_many, args=(f"job{t}",)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = "".join(out.parts).splitlines()
    assert len(lines) == 800
    assert all(line.startswith("[jobs] job") and line.endswith(": runs=1") for line in lines)
