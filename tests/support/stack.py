"""DynamoDB Local, the mail, SMS and S3 servers, and the whole local stack for tests: free ports, in-memory
data, logs to files."""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import pytest

from scripts.lib import mail_server, s3_server, sms_server
from scripts.lib.dynamodb_local import DynamoDBLocal, DynamoDBLocalError, unavailable_reason
from scripts.lib.job_runner import DEFAULT_REGISTRY
from scripts.lib.mail_server import MailServer
from scripts.lib.ports import free_port
from scripts.lib.s3_server import S3Server
from scripts.lib.server_process import ServerProcess, ServerStartError
from scripts.lib.sms_server import SmsServer
from scripts.lib.stack import LocalStack, StackConfig, StackError, Storage, new_access_code_secret

__all__ = [
    "in_ci",
    "start_dynamodb_local",
    "start_mail_server",
    "start_s3_server",
    "start_sms_server",
    "start_test_stack",
    "unavailable",
    "unique_table_prefix",
]

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


def _address_taken(error: Exception) -> bool:
    return any(sign in str(error) for sign in ("Address already in use", "EADDRINUSE"))


def _start_server(make: Callable[[int], ServerProcess]) -> ServerProcess:
    last_error: Exception | None = None
    for _ in range(_ATTEMPTS):
        server = make(free_port())
        try:
            return server.start()
        except ServerStartError as error:
            if not _address_taken(error):
                raise
            last_error = error
    raise ServerStartError(f"did not start after {_ATTEMPTS} tries: {last_error}")


def start_mail_server(*, log_path: Path | None = None) -> MailServer:
    """The local SES v2 server (aws-ses-v2-local) on a free port, answering (skips without node).

    Installs the pinned package into .local/aws-ses-v2-local first if it is not there."""
    reason = mail_server.unavailable_reason()
    if reason is not None:
        unavailable(f"the local mail server cannot run: {reason}")
    server = _start_server(lambda port: MailServer(port, log_path=log_path))
    assert isinstance(server, MailServer)
    return server


def start_sms_server(*, log_path: Path | None = None) -> SmsServer:
    """The local SNS server (moto's server mode) on a free port, answering."""
    reason = sms_server.unavailable_reason()
    if reason is not None:
        unavailable(f"the local SMS server cannot run: {reason}")
    server = _start_server(lambda port: SmsServer(port, log_path=log_path))
    assert isinstance(server, SmsServer)
    return server


def start_s3_server(data_dir: Path, *, buckets: tuple[str, ...], log_path: Path | None = None) -> S3Server:
    """The local S3 (SeaweedFS) on a free port with ``buckets``, answering (skips without it)."""
    reason = s3_server.unavailable_reason()
    if reason is not None:
        unavailable(f"the local S3 server cannot run: {reason}")
    server = _start_server(lambda port: S3Server(port, data_dir=data_dir, buckets=buckets, log_path=log_path))
    assert isinstance(server, S3Server)
    return server


def start_test_stack(
    *,
    site_dir: Path,
    log_dir: Path,
    staff_auth_dir: Path,
    state_file: Path | None = None,
    run_schedules: bool = False,
    jobs_registry: str = DEFAULT_REGISTRY,
) -> LocalStack:
    """The real stack as ``./scripts/serve`` runs it, on free ports, with in-memory DynamoDB Local and
    the local mail (SES v2) and SMS (SNS) servers (``tests.support.messages`` reads what they got).

    Its API trusts a throwaway staff-token issuer whose keys live in ``staff_auth_dir``
    (``stack.issuer.token(...)`` mints tokens). Without Java it falls back to STORAGE=memory, and
    without node to no mail server and no messages, as serve does (in CI both are failures).
    It records itself in ``state_file`` (default: ``log_dir/stack.json``) for ``./scripts/jobs
    --stack-file`` and ``tests.support.jobs.run_stack_job``. ``run_schedules``: fire the jobs of
    ``jobs_registry`` on their schedules as serve does (off by default: tests run jobs at the
    moments they choose).
    """
    storage: Storage = "dynamodb"
    reason = unavailable_reason()
    if reason is not None:
        if in_ci():
            pytest.fail(f"CI=true and DynamoDB Local cannot run: {reason}", pytrace=False)
        storage = "memory"
    messages = True
    for what, why in (("mail", mail_server.unavailable_reason()), ("SMS", sms_server.unavailable_reason())):
        if why is not None:
            if in_ci():
                pytest.fail(f"CI=true and the local {what} server cannot run: {why}", pytrace=False)
            messages = False
    s3_reason = s3_server.unavailable_reason()
    if s3_reason is not None and in_ci():
        pytest.fail(f"CI=true and the local S3 server cannot run: {s3_reason}", pytrace=False)
    state_file = log_dir / "stack.json" if state_file is None else state_file
    last_error: Exception | None = None
    for attempt in range(_ATTEMPTS):
        shutil.rmtree(site_dir, ignore_errors=True)
        ports = [free_port() for _ in range(6)]
        if len(set(ports)) < len(ports):
            continue
        config = StackConfig(
            portal_port=ports[0],
            api_port=ports[1],
            dynamodb_port=ports[2],
            mail_port=ports[3] if messages else None,
            sms_port=ports[4] if messages else None,
            s3_port=ports[5] if s3_reason is None else None,
            # A folder of this stack's own: SeaweedFS locks its store, so no two stacks share one.
            s3_data_dir=site_dir.with_name(f"{site_dir.name}-s3-{attempt + 1}"),
            site_dir=site_dir,
            access_code_secret=new_access_code_secret(),
            storage=storage,
            dynamodb_data_dir=None,
            log_dir=log_dir / f"attempt-{attempt + 1}",
            quiet_static=True,
            staff_auth_dir=staff_auth_dir,
            state_file=state_file,
            run_schedules=run_schedules,
            jobs_registry=jobs_registry,
        )
        stack = LocalStack(config)
        try:
            return stack.start()
        except OSError as error:  # a port was taken between free_port() and bind
            last_error = error
        except (StackError, DynamoDBLocalError) as error:
            if not _address_taken(error):
                raise
            last_error = error
    raise StackError(f"the local stack did not start after {_ATTEMPTS} tries: {last_error}")
