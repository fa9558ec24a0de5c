"""The API's scheduled jobs, run in a process of their own with the API's environment.

``python -m scripts.lib.job_runner list`` and ``... run NAME --at ISO-TIME`` (cwd: the repository
root; the environment must hold the API's settings, see ``scripts.lib.stack.api_environment``).
``./scripts/jobs`` and the scheduler of ``./scripts/serve`` start it through ``JobProcess`` and
``list_jobs``; neither imports the API itself. Only this process loads the API's modules: PynamoDB
binds its models to table names and endpoints when they are defined, from the environment of
whoever imports them first.

Its answer is one line on stdout, ``JOB-RUNNER`` and JSON; the job's own logs go to stderr.
Exit codes: 0 done, 1 the job raised, 2 no job of that name.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any, Protocol, cast

from scripts.lib.paths import API_DIR, REPO_ROOT

__all__ = [
    "DEFAULT_REGISTRY",
    "JobInfo",
    "JobProcess",
    "JobRunError",
    "RunOutcome",
    "RunnableJob",
    "UnknownJobError",
    "list_jobs",
    "load_jobs",
    "parse_moment",
]

# Where the API registers its jobs (api/chalicelib/jobs/registry.py); tests name their own.
DEFAULT_REGISTRY = "chalicelib.jobs.registry:JOBS"
_MARKER = "JOB-RUNNER "
_UNKNOWN_JOB_EXIT = 2


class JobSchedule(Protocol):
    def expression(self) -> str: ...

    def next_after(self, moment: datetime) -> datetime: ...


class JobReportLike(Protocol):
    @property
    def counts(self) -> Mapping[str, int]: ...

    @property
    def more(self) -> bool: ...


class RunnableJob(Protocol):
    """What ``chalicelib.jobs.registry.Job`` is, as far as running it goes."""

    @property
    def name(self) -> str: ...

    @property
    def schedule(self) -> JobSchedule: ...

    @property
    def description(self) -> str: ...

    @property
    def run(self) -> Callable[[datetime], JobReportLike]: ...


class JobRunError(RuntimeError):
    """The runner process could not run or answer (not: the job raised; that is an outcome)."""


class UnknownJobError(JobRunError):
    def __init__(self, name: str, names: Sequence[str]) -> None:
        self.name = name
        self.names = list(names)
        known = (
            ", ".join(self.names)
            if self.names
            else "none yet (JOBS in api/chalicelib/jobs/registry.py is empty)"
        )
        super().__init__(f"there is no job named {name!r}; the jobs are: {known}")


@dataclass(frozen=True, slots=True)
class JobInfo:
    name: str
    schedule: str  # EventBridge's expression, as deployed
    description: str
    next_at: datetime  # its next firing after now


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """One run: its counts, or why it failed (``error`` is None when the job finished)."""

    job: str
    at: datetime
    seconds: float
    counts: Mapping[str, int] = field(default_factory=dict)
    more: bool = False
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def parse_moment(text: str) -> datetime:
    """An ISO 8601 moment with its UTC offset (``2027-01-05T09:00:00+08:00``, or ``...Z``)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 time such as 2027-01-05T09:00:00+08:00") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{text!r} has no UTC offset: write it like 2027-01-05T09:00:00+08:00")
    return moment


def load_jobs(registry: str = DEFAULT_REGISTRY) -> list[RunnableJob]:
    """The jobs ``MODULE:ATTRIBUTE`` names (importing the API's modules: only in a runner process)."""
    module_name, _, attribute = registry.partition(":")
    if not module_name or not attribute:
        raise JobRunError(f"a job registry is named MODULE:ATTRIBUTE, not {registry!r}")
    if str(API_DIR) not in sys.path:
        sys.path.insert(0, str(API_DIR))
    jobs = list(getattr(importlib.import_module(module_name), attribute))
    names = [job.name for job in jobs]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise JobRunError(f"{registry} names a job twice: {', '.join(duplicates)}")
    return cast(list[RunnableJob], jobs)


# ---- the runner process -------------------------------------------------------------------------


def _emit(payload: Mapping[str, Any]) -> None:
    sys.stdout.write(_MARKER + json.dumps(payload, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _configure_logging() -> None:
    # As api/app.py has it: the API's own lines at INFO, the SDKs at WARNING (botocore's debug
    # output holds request bodies).
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(message)s")
    logging.getLogger("chalicelib").setLevel(logging.INFO)


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0][:200]}" if text else type(error).__name__


def _run_one(jobs: Sequence[RunnableJob], name: str, at: datetime) -> int:
    job = next((job for job in jobs if job.name == name), None)
    if job is None:
        _emit({"unknown": name, "names": [job.name for job in jobs]})
        return _UNKNOWN_JOB_EXIT
    started = time.monotonic()
    try:
        # As on AWS (handlers.py passes datetime.now(UTC)): the job gets the moment in UTC.
        report = job.run(at.astimezone(UTC))
        counts = {str(key): int(value) for key, value in report.counts.items()}
        more = bool(report.more)
    except Exception as error:  # noqa: BLE001 - the job's failure is reported, with its traceback
        traceback.print_exc(file=sys.stderr)
        _emit({"error": _first_line(error), "seconds": time.monotonic() - started})
        return 1
    _emit({"counts": counts, "more": more, "seconds": time.monotonic() - started})
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.lib.job_runner")
    parser.add_argument("--registry", default=DEFAULT_REGISTRY)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list")
    run = commands.add_parser("run")
    run.add_argument("name")
    run.add_argument("--at", required=True, type=parse_moment)
    args = parser.parse_args(argv)
    _configure_logging()
    jobs = load_jobs(args.registry)
    if args.command == "list":
        now = datetime.now(UTC)
        _emit(
            {
                "jobs": [
                    {
                        "name": job.name,
                        "schedule": job.schedule.expression(),
                        "description": job.description,
                        "next_at": job.schedule.next_after(now).isoformat(),
                    }
                    for job in jobs
                ]
            }
        )
        return 0
    return _run_one(jobs, args.name, args.at)


# ---- starting it --------------------------------------------------------------------------------


def _command(registry: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "scripts.lib.job_runner", "--registry", registry, *args]


def _answer(stdout: str) -> dict[str, Any] | None:
    for line in reversed(stdout.splitlines()):
        if line.startswith(_MARKER):
            answer: dict[str, Any] = json.loads(line[len(_MARKER) :])
            return answer
    return None


def list_jobs(
    env: Mapping[str, str], *, registry: str = DEFAULT_REGISTRY, timeout: float = 120
) -> list[JobInfo]:
    """The registered jobs, read by a runner process with ``env``."""
    done = subprocess.run(
        _command(registry, "list"),
        cwd=REPO_ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    answer = _answer(done.stdout)
    if done.returncode != 0 or answer is None:
        raise JobRunError(f"listing the jobs failed (exit {done.returncode}):\n{done.stderr.strip()}")
    return [
        JobInfo(
            name=item["name"],
            schedule=item["schedule"],
            description=item["description"],
            next_at=datetime.fromisoformat(item["next_at"]),
        )
        for item in answer["jobs"]
    ]


class JobProcess:
    """One run of one job in a runner process. ``stderr``: where the job's logs go (None: ours).

    The process stays in our process group, so whoever stops us (``./scripts/serve`` signals the
    whole group) stops it too.
    """

    def __init__(
        self,
        name: str,
        at: datetime,
        *,
        env: Mapping[str, str],
        registry: str = DEFAULT_REGISTRY,
        stderr: IO[bytes] | IO[str] | None = None,
    ) -> None:
        self.name = name
        self.at = at
        self.env = dict(env)
        self.registry = registry
        self.stderr = stderr
        self._popen: subprocess.Popen[str] | None = None
        self._started = 0.0

    def start(self) -> JobProcess:
        self._started = time.monotonic()
        try:
            self._popen = subprocess.Popen(
                _command(self.registry, "run", self.name, "--at", self.at.isoformat()),
                cwd=REPO_ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=self.stderr,
                text=True,
            )
        except OSError as error:
            raise JobRunError(f"cannot start a runner for {self.name}: {error}") from error
        return self

    def wait(self, timeout: float | None = None) -> RunOutcome:
        """The run's outcome. Past ``timeout`` the run is killed and reported as failed."""
        if self._popen is None:
            raise JobRunError(f"the run of {self.name} was never started")
        try:
            stdout, _ = self._popen.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.cancel()
            stdout, _ = self._popen.communicate()
            return self._outcome(error=f"killed after {timeout:.0f} s without finishing")
        code = self._popen.returncode
        answer = _answer(stdout or "")
        if answer is None:
            how = f"killed by signal {-code}" if code < 0 else f"exit {code}"
            return self._outcome(error=f"the runner ended without an answer ({how})")
        if "unknown" in answer:
            raise UnknownJobError(answer["unknown"], answer["names"])
        seconds = float(answer.get("seconds", time.monotonic() - self._started))
        if "error" in answer:
            return self._outcome(error=str(answer["error"]), seconds=seconds)
        return self._outcome(counts=dict(answer["counts"]), more=bool(answer["more"]), seconds=seconds)

    def _outcome(
        self,
        *,
        counts: Mapping[str, int] | None = None,
        more: bool = False,
        error: str | None = None,
        seconds: float | None = None,
    ) -> RunOutcome:
        return RunOutcome(
            job=self.name,
            at=self.at,
            seconds=time.monotonic() - self._started if seconds is None else seconds,
            counts=dict(counts or {}),
            more=more,
            error=error,
        )

    def cancel(self) -> None:
        """Stop the run (SIGTERM, then SIGKILL). Idempotent."""
        if self._popen is None or self._popen.poll() is not None:
            return
        self._popen.terminate()
        try:
            self._popen.wait(5)
        except subprocess.TimeoutExpired:
            self._popen.kill()


if __name__ == "__main__":
    sys.exit(main())
