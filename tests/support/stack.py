"""DynamoDB Local and the whole local stack for tests: free ports, in-memory data, logs to files."""

from __future__ import annotations

import os
import re
import shutil
import uuid
from pathlib import Path
from typing import NoReturn

import pytest

from scripts.lib.dynamodb_local import DynamoDBLocal, DynamoDBLocalError, unavailable_reason
from scripts.lib.ports import free_port
from scripts.lib.stack import LocalStack, StackConfig, StackError, Storage, new_access_code_secret

__all__ = ["in_ci", "start_dynamodb_local", "start_test_stack", "unavailable", "unique_table_prefix"]

# A port picked by free_port() can be taken before the server binds it: try a few.
_ATTEMPTS = 3


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def unavailable(reason: str) -> NoReturn:
    """Skip, loudly, because something the test needs is missing; in CI (CI=true) that is a failure."""
    if in_ci():
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


def unique_table_prefix(label: str) -> str:
    """A TABLE_PREFIX no other test (or earlier run against the same database) uses."""
    slug = re.sub(r"[^a-zA-Z0-9]+", "-", label).strip("-").lower()[:40] or "test"
    return f"t-{slug}-{uuid.uuid4().hex[:8]}"


def start_dynamodb_local(*, log_path: Path | None = None) -> DynamoDBLocal:
    """An in-memory DynamoDB Local on a free port, started and answering (skips if Java is missing).

    Installs the jar into .local/dynamodb-local first if it is not there (same code as bootstrap).
    """
    reason = unavailable_reason()
    if reason is not None:
        unavailable(f"DynamoDB Local cannot run: {reason}")
    last_error: Exception | None = None
    for _ in range(_ATTEMPTS):
        server = DynamoDBLocal(free_port(), db_path=None, log_path=log_path)
        try:
            return server.start()
        except DynamoDBLocalError as error:
            last_error = error
    raise DynamoDBLocalError(f"DynamoDB Local did not start after {_ATTEMPTS} tries: {last_error}")


def start_test_stack(*, site_dir: Path, log_dir: Path, staff_auth_dir: Path) -> LocalStack:
    """The real stack as ``./scripts/serve`` runs it, on free ports, with in-memory DynamoDB Local.

    Its API trusts a throwaway staff-token issuer whose keys live in ``staff_auth_dir``
    (``stack.issuer.token(...)`` mints tokens). Without Java it falls back to STORAGE=memory, as
    serve does (in CI that is a failure).
    """
    storage: Storage = "dynamodb"
    reason = unavailable_reason()
    if reason is not None:
        if in_ci():
            pytest.fail(f"CI=true and DynamoDB Local cannot run: {reason}", pytrace=False)
        storage = "memory"
    last_error: Exception | None = None
    for attempt in range(_ATTEMPTS):
        shutil.rmtree(site_dir, ignore_errors=True)
        config = StackConfig(
            portal_port=free_port(),
            api_port=free_port(),
            dynamodb_port=free_port(),
            site_dir=site_dir,
            access_code_secret=new_access_code_secret(),
            storage=storage,
            dynamodb_data_dir=None,
            log_dir=log_dir / f"attempt-{attempt + 1}",
            quiet_static=True,
            staff_auth_dir=staff_auth_dir,
        )
        if len({config.portal_port, config.api_port, config.dynamodb_port}) < 3:
            continue
        stack = LocalStack(config)
        try:
            return stack.start()
        except OSError as error:  # a port was taken between free_port() and bind
            last_error = error
        except (StackError, DynamoDBLocalError) as error:
            if "Address already in use" not in str(error):
                raise
            last_error = error
    raise StackError(f"the local stack did not start after {_ATTEMPTS} tries: {last_error}")
