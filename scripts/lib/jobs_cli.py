"""``./scripts/jobs``: the API's scheduled jobs, by hand, against the running local stack.

    ./scripts/jobs list                                   names, schedules, descriptions
    ./scripts/jobs run NAME                               run one once, as of now
    ./scripts/jobs run NAME --at 2027-01-05T09:00:00+08:00   ... as if it were that moment

A run uses exactly the settings the running ``./scripts/serve`` gives its API: serve records them in
``.local/stack.json`` (``scripts.lib.stack_state``; secrets by hash only) and this reads them back,
so nothing is derived twice and ports changed through PORTAL_PORT, MAIL_PORT etc. are followed. The
access-code secret comes from ACCESS_CODE_SECRET, else from .local/access-code-secret, as serve has
it. The job runs in a runner process of its own (``scripts.lib.job_runner``), as serve's scheduler
runs it; its logs go to stderr, its report to stdout.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scripts.lib.dynamodb_local import DUMMY_AWS_ENV
from scripts.lib.job_runner import (
    DEFAULT_REGISTRY,
    JobProcess,
    JobRunError,
    RunOutcome,
    UnknownJobError,
    list_jobs,
    parse_moment,
)
from scripts.lib.job_scheduler import format_moment
from scripts.lib.stack import ACCESS_CODE_SECRET_FILE, clean_environment
from scripts.lib.stack_state import STATE_FILE, StackState, StackUnavailableError, read_state

__all__ = ["job_environment", "main", "run_job"]


def _secrets(environ: Mapping[str, str], secret_file: Path) -> dict[str, str]:
    secret = environ.get("ACCESS_CODE_SECRET", "").strip()
    if not secret and secret_file.is_file():
        secret = secret_file.read_text(encoding="utf-8").strip()
    return {"ACCESS_CODE_SECRET": secret} if secret else {}


def job_environment(
    state: StackState,
    *,
    environ: Mapping[str, str] | None = None,
    secret_file: Path = ACCESS_CODE_SECRET_FILE,
) -> dict[str, str]:
    """The environment a job runs with against the stack ``state`` records: the API's."""
    base = os.environ if environ is None else environ
    if state.storage != "dynamodb":
        raise StackUnavailableError(
            f"the running stack keeps its data in the API's memory (STORAGE={state.storage}), where a "
            "job's process cannot see it: start ./scripts/serve with DynamoDB Local (Java) to run jobs"
        )
    return state.environment(clean_environment(base), _secrets(base, secret_file))


def run_job(
    name: str,
    at: datetime,
    *,
    stack_file: Path = STATE_FILE,
    registry: str = DEFAULT_REGISTRY,
    environ: Mapping[str, str] | None = None,
    secret_file: Path = ACCESS_CODE_SECRET_FILE,
) -> RunOutcome:
    """Run job ``name`` once as if at ``at`` against the running stack (what ``run`` does)."""
    env = job_environment(read_state(stack_file), environ=environ, secret_file=secret_file)
    process = JobProcess(name, at, env=env, registry=registry).start()
    try:
        return process.wait()
    finally:
        process.cancel()


def _report(outcome: RunOutcome) -> list[str]:
    utc = format_moment(outcome.at)
    given = outcome.at.isoformat(timespec="seconds")
    rows = [
        ("job", outcome.job),
        ("as if at", utc if outcome.at.utcoffset() == timedelta(0) else f"{given} ({utc})"),
    ]
    rows.append(("took", f"{outcome.seconds:.1f} s"))
    if outcome.error is not None:
        rows.append(("FAILED", f"{outcome.error} (its traceback is above)"))
    else:
        rows += [(key, str(value)) for key, value in outcome.counts.items()]
        if not outcome.counts:
            rows.append(("counts", "none"))
        rows.append(
            ("more", "yes: its page bound was reached, run it again to go on" if outcome.more else "no")
        )
    width = max(len(key) for key, _ in rows)
    return [f"  {key.ljust(width)}  {value}" for key, value in rows]


def _list(args: argparse.Namespace) -> int:
    try:
        env = job_environment(read_state(args.stack_file))
    except StackUnavailableError:
        # Listing needs no stack; the API's modules import without touching anything.
        env = clean_environment() | DUMMY_AWS_ENV | {"STAGE": "local", "STORAGE": "memory", "MESSAGES": "off"}
    jobs = list_jobs(env, registry=args.registry)
    if not jobs:
        print("No jobs are registered yet (JOBS in api/chalicelib/jobs/registry.py is empty).")
        return 0
    width = max(len(job.name) for job in jobs)
    for job in jobs:
        print(f"{job.name.ljust(width)}  {job.schedule}  next {format_moment(job.next_at)}")
        print(f"{' ' * width}  {job.description}")
    return 0


def _run(args: argparse.Namespace) -> int:
    at: datetime = args.at or datetime.now(UTC)
    try:
        env = job_environment(read_state(args.stack_file))
    except StackUnavailableError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 1
    print(f"==> {args.name} as if at {at.isoformat(timespec='seconds')}", file=sys.stderr, flush=True)
    process = JobProcess(args.name, at, env=env, registry=args.registry).start()
    try:
        outcome = process.wait()
    except UnknownJobError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\n==> interrupted: the run was stopped", file=sys.stderr)
        return 130
    finally:
        process.cancel()
    for line in _report(outcome):
        print(line)
    return 0 if outcome.ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="./scripts/jobs",
        description="Run the API's scheduled jobs against the running local stack (./scripts/serve).",
    )
    parser.add_argument(
        "--stack-file",
        type=Path,
        default=STATE_FILE,
        help="the running stack's record (default: .local/stack.json, written by ./scripts/serve)",
    )
    parser.add_argument(
        "--registry",
        default=DEFAULT_REGISTRY,
        help="where the jobs are registered, MODULE:ATTRIBUTE (default: %(default)s)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="the jobs: names, schedules (as EventBridge has them), descriptions")
    run = commands.add_parser("run", help="run one job once")
    run.add_argument("name", help="the job's name (./scripts/jobs list)")
    run.add_argument(
        "--at",
        type=_moment,
        default=None,
        help="run as if it were this moment: ISO 8601 with its UTC offset, e.g. 2027-01-05T09:00:00+08:00 "
        "(default: now)",
    )
    args = parser.parse_args(argv)
    try:
        return _list(args) if args.command == "list" else _run(args)
    except JobRunError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 1


def _moment(text: str) -> datetime:
    try:
        return parse_moment(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


if __name__ == "__main__":
    sys.exit(main())
