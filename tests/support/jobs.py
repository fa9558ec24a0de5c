"""Run one of the API's jobs against a test stack, as ``./scripts/jobs run NAME --at ...`` runs it
against ``./scripts/serve``: in a runner process, with the settings the stack gave its API.

    outcome = run_stack_job(local_stack, "escalate", at=datetime(2027, 1, 5, 9, tzinfo=BEIJING))
    assert outcome.ok and outcome.counts["sent"] == 2
"""

from __future__ import annotations

import os
from datetime import datetime

from scripts.lib.job_runner import DEFAULT_REGISTRY, RunOutcome
from scripts.lib.jobs_cli import run_job
from scripts.lib.stack import LocalStack

__all__ = ["run_stack_job"]


def run_stack_job(
    stack: LocalStack, name: str, *, at: datetime, registry: str = DEFAULT_REGISTRY
) -> RunOutcome:
    """The outcome of one run of ``name`` as if at ``at`` (a failure is an outcome, not an exception;
    an unknown name raises ``UnknownJobError``)."""
    if stack.state_file is None:
        raise AssertionError("this stack records no state file: start it with start_test_stack(...)")
    # A test stack has a secret of its own, not .local/access-code-secret.
    environ = {**os.environ, "ACCESS_CODE_SECRET": stack.config.access_code_secret}
    return run_job(name, at, stack_file=stack.state_file, registry=registry, environ=environ)
