"""The local stand-in for EventBridge: fires every registered job at its schedule's times.

``chalice local`` never fires ``@app.schedule``; ``./scripts/serve`` runs this module as a child
process (``python -m scripts.lib.job_scheduler``) with the API's environment. It reads the jobs and
their schedules from the API's registry, and runs each firing in a runner process of its own
(``scripts.lib.job_runner``): the API's process stays clean, a job that hangs or crashes takes
nothing else with it, and stopping the stack stops a run midway (the runners are in this process's
group, which ``./scripts/serve`` signals as a whole).

Rules, as EventBridge has them where it matters locally:
- a job is told the moment it was due (``schedule.next_after``), not the moment it happened to start;
- never two runs of one job at once: a firing while the last run still goes is skipped (and said);
- after a gap (a suspended laptop), a job runs once, for its latest due moment, not once per miss;
- a job that raises is logged and fires again at its next time.
Each run is one line on stdout: job, moment, counts (or the failure), how long it took.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import IO, Protocol

from scripts.lib.job_runner import (
    DEFAULT_REGISTRY,
    JobProcess,
    JobRunError,
    JobSchedule,
    RunOutcome,
    load_jobs,
)

__all__ = [
    "ChildLauncher",
    "Clock",
    "Launcher",
    "ScheduledJob",
    "Scheduler",
    "WallClock",
    "describe_outcome",
    "format_moment",
    "scheduler_command",
]

# A run that takes longer is killed and reported as failed (Lambda's own limit is 15 minutes).
RUN_TIMEOUT_SECONDS = 15 * 60
# How long the loop sleeps at most before looking at the clock again (it may have jumped).
_MAX_SLEEP_SECONDS = 30.0


class ScheduledJob(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def schedule(self) -> JobSchedule: ...


def _local(job: ScheduledJob) -> JobSchedule:
    """The schedule a job keeps here: its local one where it has one (a stand-in for an event
    that starts it on AWS), else EventBridge's."""
    local: JobSchedule | None = getattr(job, "local", None)
    return local or job.schedule


class Clock(Protocol):
    def now(self) -> datetime: ...

    def seconds_until(self, moment: datetime) -> float:
        """Real seconds to sleep until the clock shows ``moment``."""
        ...


class WallClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def seconds_until(self, moment: datetime) -> float:
        return (moment - self.now()).total_seconds()


class Launcher(Protocol):
    def run(self, job: str, at: datetime) -> RunOutcome:
        """Run ``job`` as if at ``at``; block until it is done."""
        ...

    def cancel_all(self) -> None:
        """Stop every run in progress and start no more."""
        ...


def format_moment(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def describe_outcome(outcome: RunOutcome) -> str:
    """One line for a finished run: ``deliver_outbox at 2027-01-05T01:00:00Z: sent=2 failed=0 (0.4 s)``."""
    head = f"{outcome.job} at {format_moment(outcome.at)}"
    took = f"({outcome.seconds:.1f} s)"
    if outcome.error is not None:
        return f"{head}: FAILED {took}: {outcome.error}"
    counts = " ".join(f"{name}={value}" for name, value in outcome.counts.items()) or "nothing counted"
    more = ", more to do: the next run goes on" if outcome.more else ""
    return f"{head}: {counts}{more} {took}"


def _latest_due(schedule: JobSchedule, due: datetime, now: datetime) -> datetime:
    """The last firing at or before ``now``, starting from ``due`` (itself at or before now)."""
    while (following := schedule.next_after(due)) <= now:
        due = following
    return due


_PRINTING = threading.Lock()


def _print_line(line: str) -> None:
    """One whole line at a time: ``print`` writes the text and its newline separately, so that two
    runs ending at once could make "…stopped with the stackrecord at…" of two lines."""
    with _PRINTING:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


class Scheduler:
    """Fires ``jobs`` through ``launcher`` on their schedules, in a thread, until ``stop()``."""

    def __init__(
        self,
        jobs: Sequence[ScheduledJob],
        launcher: Launcher,
        *,
        clock: Clock | None = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.jobs = list(jobs)
        self.launcher = launcher
        self.clock: Clock = clock or WallClock()
        self.log = log or _print_line
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._runs: dict[str, tuple[datetime, threading.Thread]] = {}
        self._thread: threading.Thread | None = None

    def start(self) -> Scheduler:
        now = self.clock.now()
        due = {job.name: _local(job).next_after(now) for job in self.jobs}
        if not self.jobs:
            self.log("no jobs are registered: nothing to schedule")
        for job in self.jobs:
            self.log(f"{job.name}: {_local(job).expression()}, first at {format_moment(due[job.name])}")
        self._thread = threading.Thread(target=self._loop, args=(due,), name="job-scheduler", daemon=True)
        self._thread.start()
        return self

    def _loop(self, due: dict[str, datetime]) -> None:
        while not self._stopping.is_set():
            now = self.clock.now()
            for job in self.jobs:
                if due[job.name] <= now:
                    at = _latest_due(_local(job), due[job.name], now)
                    self._fire(job.name, at)
                    due[job.name] = _local(job).next_after(at)
            sleep = min([self.clock.seconds_until(moment) for moment in due.values()] + [_MAX_SLEEP_SECONDS])
            self._stopping.wait(max(sleep, 0.0))

    def _fire(self, name: str, at: datetime) -> None:
        with self._lock:
            if self._stopping.is_set():
                return
            previous = self._runs.get(name)
            if previous is not None and previous[1].is_alive():
                self.log(
                    f"{name} at {format_moment(at)}: skipped, its run at {format_moment(previous[0])} "
                    "is still going"
                )
                return
            worker = threading.Thread(target=self._run, args=(name, at), name=f"job-{name}", daemon=True)
            self._runs[name] = (at, worker)
            worker.start()

    def _run(self, name: str, at: datetime) -> None:
        try:
            outcome = self.launcher.run(name, at)
        except Exception as error:  # noqa: BLE001 - one run's failure never stops the scheduler
            outcome = RunOutcome(job=name, at=at, seconds=0.0, error=f"{type(error).__name__}: {error}")
        if self._stopping.is_set() and not outcome.ok:
            self.log(f"{name} at {format_moment(at)}: stopped with the stack")
            return
        self.log(describe_outcome(outcome))

    def running(self) -> list[str]:
        """The jobs with a run in progress."""
        with self._lock:
            return [name for name, (_, worker) in self._runs.items() if worker.is_alive()]

    def stop(self, timeout: float = 10.0) -> None:
        """Fire nothing more, stop the runs in progress, wait for them. Idempotent."""
        with self._lock:
            self._stopping.set()
            workers = [worker for _, worker in self._runs.values()]
        self.launcher.cancel_all()
        if self._thread is not None:
            self._thread.join(timeout)
        for worker in workers:
            worker.join(timeout)


class ChildLauncher:
    """Runs each firing in a runner process with ``env``; the job's logs go to ``stderr``."""

    def __init__(
        self,
        env: Mapping[str, str],
        *,
        registry: str = DEFAULT_REGISTRY,
        stderr: IO[str] | None = None,
        timeout: float = RUN_TIMEOUT_SECONDS,
    ) -> None:
        self.env = dict(env)
        self.registry = registry
        self.stderr = stderr
        self.timeout = timeout
        self._lock = threading.Lock()
        self._active: set[JobProcess] = set()
        self._closed = False

    def run(self, job: str, at: datetime) -> RunOutcome:
        process = JobProcess(job, at, env=self.env, registry=self.registry, stderr=self.stderr)
        with self._lock:
            if self._closed:
                return RunOutcome(job=job, at=at, seconds=0.0, error="the scheduler is stopping")
            if self.stderr is not None:
                # Runs of different jobs may write at once: each says where its lines begin.
                self.stderr.write(f"--- {job} at {format_moment(at)}\n")
                self.stderr.flush()
            process.start()
            self._active.add(process)
        try:
            return process.wait(self.timeout)
        finally:
            with self._lock:
                self._active.discard(process)

    def cancel_all(self) -> None:
        with self._lock:
            self._closed = True
            active = list(self._active)
        for process in active:
            process.cancel()


def scheduler_command(*, registry: str = DEFAULT_REGISTRY, runs_log: Path) -> list[str]:
    """The argv of the scheduler process (cwd: the repository root, env: the API's)."""
    return [
        sys.executable,
        "-m",
        "scripts.lib.job_scheduler",
        "--registry",
        registry,
        "--runs-log",
        str(runs_log),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.lib.job_scheduler", description=__doc__)
    parser.add_argument("--registry", default=DEFAULT_REGISTRY)
    parser.add_argument("--runs-log", type=Path, required=True, help="where the jobs' own output goes")
    args = parser.parse_args(argv)
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, request_stop)
    try:
        jobs = load_jobs(args.registry)
    except (JobRunError, ImportError, AttributeError) as error:
        print(f"ERROR: cannot read the jobs from {args.registry}: {error}", file=sys.stderr, flush=True)
        return 1
    runs_log: Path = args.runs_log
    runs_log.parent.mkdir(parents=True, exist_ok=True)
    with runs_log.open("a", encoding="utf-8") as job_output:
        launcher = ChildLauncher(os.environ, registry=args.registry, stderr=job_output)
        scheduler = Scheduler(jobs, launcher).start()
        if jobs:
            print(f"the jobs' own output goes to {runs_log}", flush=True)
        while not stop.wait(1.0):
            pass
        scheduler.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
