"""The whole local stack: DynamoDB Local, tables, the local mail (SES v2) and SMS (SNS) servers, the local
S3 (SeaweedFS) for attachments, the API (chalice local), the built portal, and the scheduler that fires
the API's jobs.

``./scripts/serve`` and the browser tests' ``local_stack`` fixture both run ``LocalStack``; only
the ``StackConfig`` differs (fixed ports and a persistent database vs. free ports and ``-inMemory``).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Literal

from scripts.lib import mail_server
from scripts.lib.dynamodb_local import DUMMY_AWS_ENV, INSTALL_DIR, DynamoDBLocal
from scripts.lib.job_runner import DEFAULT_REGISTRY
from scripts.lib.job_scheduler import scheduler_command
from scripts.lib.local_api import api_command
from scripts.lib.mail_server import MailServer
from scripts.lib.paths import API_DIR, LOCAL_DIR, REPO_ROOT
from scripts.lib.portal_edge import API_PATH, response_headers
from scripts.lib.ports import local_url, wait_for_http
from scripts.lib.processes import ManagedProcess
from scripts.lib.s3_server import S3Server
from scripts.lib.server_process import ServerProcess, ServerStartError
from scripts.lib.sms_server import SmsServer
from scripts.lib.stack_state import remove_state, write_state
from scripts.lib.staff_tokens import LocalIssuer
from scripts.lib.static_server import StaticSiteServer

__all__ = [
    "ACCESS_CODE_SECRET_FILE",
    "LocalStack",
    "StackConfig",
    "StackError",
    "Storage",
    "api_environment",
    "build_portal_command",
    "clean_environment",
    "ensure_access_code_secret",
    "new_access_code_secret",
    "portal_headers",
    "stack_settings",
]

Storage = Literal["dynamodb", "memory"]

# ./scripts/serve's access-code secret unless the caller gives ACCESS_CODE_SECRET (made on first use).
ACCESS_CODE_SECRET_FILE = LOCAL_DIR / "access-code-secret"
# What the jobs' runs print, for a stack without a log folder (serve).
_RUNS_LOG = LOCAL_DIR / "logs" / "job-runs.log"

# Variables the settings module reads; a developer's shell must not leak stale ones into the API.
_SETTINGS_VARIABLES = (
    "STAGE",
    "STORAGE",
    "TABLE_PREFIX",
    "CASES_TABLE",
    "EVENTS_TABLE",
    "IDEMPOTENCY_TABLE",
    "ACCESS_LOG_TABLE",
    "ATTEMPTS_TABLE",
    "OUTBOX_TABLE",
    "JOB_CURSORS_TABLE",
    "REPORTS_TABLE",
    "DYNAMODB_ENDPOINT_URL",
    "MESSAGES",
    "MAIL_FROM",
    "SMS_SENDER_ID",
    "SES_ENDPOINT_URL",
    "SNS_ENDPOINT_URL",
    "S3_ENDPOINT_URL",
    "ATTACHMENTS_BUCKET",
    "ATTACHMENTS_TABLE",
    "ATTACHMENT_SCANNER",
    "CLAMSCAN_DATABASE",
    "PORTAL_ORIGIN",
    "PORTAL_URL",
    "ACCESS_CODE_SECRET",
    "IDENTITY_KEY_SECRET",
    "TRUSTED_PROXY_HOPS",
    "STAFF_ISSUER",
    "STAFF_AUDIENCE",
    "STAFF_JWKS_URL",
    "STAFF_JWKS_PATH",
    "AWS_PROFILE",
    "AWS_SESSION_TOKEN",
)


class StackError(RuntimeError):
    """A part of the local stack failed to start."""


def new_access_code_secret() -> str:
    """48 random url-safe characters."""
    return secrets.token_urlsafe(36)


def ensure_access_code_secret(path: Path = ACCESS_CODE_SECRET_FILE) -> str:
    """Read the local secret, creating it (mode 600) the first time."""
    if path.is_file():
        secret = path.read_text(encoding="utf-8").strip()
        if len(secret) >= 32:
            return secret
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = new_access_code_secret()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(secret + "\n")
    path.chmod(0o600)
    return secret


@dataclass(frozen=True)
class StackConfig:
    portal_port: int
    api_port: int
    dynamodb_port: int
    site_dir: Path
    access_code_secret: str
    storage: Storage = "dynamodb"
    # None: DynamoDB Local runs with -inMemory (tests); a directory: data kept there (serve).
    dynamodb_data_dir: Path | None = None
    table_prefix: str = "complaints-local"
    stage: str = "local"
    host: str = "127.0.0.1"
    # None: child output goes to our stdout with a [name] prefix; a directory: one log file each.
    log_dir: Path | None = None
    quiet_static: bool = False
    dynamodb_install_dir: Path = INSTALL_DIR
    # The local staff-token issuer's keys (.local/staff-auth for serve, a temporary folder in tests).
    staff_auth_dir: Path = LOCAL_DIR / "staff-auth"
    extra_api_env: Mapping[str, str] = field(default_factory=dict)
    # The local SES v2 and SNS servers; None: not run, and then the API sends no messages at all
    # (MESSAGES=off) rather than trying AWS itself with dummy credentials.
    mail_port: int | None = None
    sms_port: int | None = None
    mail_install_dir: Path = mail_server.INSTALL_DIR
    # The local S3 (SeaweedFS) that attachments are uploaded to; None: not run, and the API then
    # offers no attachments (it names no bucket). Its data: ``s3_data_dir`` (default: under the logs,
    # or .local/s3-data without a log folder).
    s3_port: int | None = None
    s3_data_dir: Path | None = None
    # Fire the registered jobs on their schedules (serve; tests run them when they choose).
    run_schedules: bool = False
    jobs_registry: str = DEFAULT_REGISTRY
    # Where the running stack records its settings for ./scripts/jobs (None: nowhere).
    state_file: Path | None = None

    @property
    def portal_url(self) -> str:
        return f"http://localhost:{self.portal_port}/"

    @property
    def api_url(self) -> str:
        """The API on its own port (the portal itself calls it under ``portal_api_url``)."""
        return f"http://localhost:{self.api_port}"

    @property
    def portal_api_url(self) -> str:
        """The API under the portal's origin, as the portal's pages call it."""
        return self.portal_url.rstrip("/") + API_PATH

    def portal_url_at(self, host: str) -> str:
        """The portal under another name for this machine than ``localhost`` (e.g. 127.0.0.1)."""
        return f"http://{host}:{self.portal_port}/"

    @property
    def dynamodb_url(self) -> str:
        return f"http://localhost:{self.dynamodb_port}"

    @property
    def staff_console_url(self) -> str:
        return f"{self.portal_url}staff/"

    @property
    def mail_url(self) -> str | None:
        """The local SES v2 endpoint (its viewer at ``/``), if the stack runs one."""
        return None if self.mail_port is None else local_url(self.mail_port)

    @property
    def sms_url(self) -> str | None:
        """The local SNS endpoint (moto), if the stack runs one."""
        return None if self.sms_port is None else local_url(self.sms_port)

    @property
    def s3_url(self) -> str | None:
        """The local S3 endpoint (SeaweedFS), if the stack runs one."""
        return None if self.s3_port is None else local_url(self.s3_port)

    @property
    def attachments_bucket(self) -> str:
        return f"{self.table_prefix}-attachments"

    @property
    def messages_on(self) -> bool:
        """Whether the API sends messages: only with both local servers to send them to."""
        return self.mail_port is not None and self.sms_port is not None

    @property
    def runs_log(self) -> Path:
        """Where the jobs' own output goes (the scheduler's one line per run goes to its log)."""
        return _RUNS_LOG if self.log_dir is None else self.log_dir / "job-runs.log"

    @property
    def issuer(self) -> LocalIssuer:
        """The project's own token issuer, whose tokens the local API accepts."""
        return LocalIssuer(directory=self.staff_auth_dir)


def clean_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (ours by default) without any variable the API's settings read: a developer's shell
    must not leak stale ones into the API or a job."""
    return {k: v for k, v in (os.environ if base is None else base).items() if k not in _SETTINGS_VARIABLES}


def api_environment(config: StackConfig, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of the API process (and of the table-creation step, the jobs' scheduler and
    every job run)."""
    env = clean_environment(base)
    env.update(stack_settings(config))
    return env


def stack_settings(config: StackConfig) -> dict[str, str]:
    """The variables the stack sets for the API: the one place they are decided. ``./scripts/jobs``
    reads them back from the running stack's state file (``scripts.lib.stack_state``)."""
    env = dict(DUMMY_AWS_ENV)
    env.update(
        {
            "STAGE": config.stage,
            "STORAGE": config.storage,
            "TABLE_PREFIX": config.table_prefix,
            "PORTAL_ORIGIN": config.portal_url.rstrip("/"),
            "PORTAL_URL": config.portal_url,
            "ACCESS_CODE_SECRET": config.access_code_secret,
            # The static server's /api proxy appends each client's address to X-Forwarded-For:
            # the access-code throttle counts browsers apart by it.
            "TRUSTED_PROXY_HOPS": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if config.storage == "dynamodb":
        env["DYNAMODB_ENDPOINT_URL"] = config.dynamodb_url
    if config.messages_on and config.mail_url is not None and config.sms_url is not None:
        env["SES_ENDPOINT_URL"] = config.mail_url
        env["SNS_ENDPOINT_URL"] = config.sms_url
    else:
        env["MESSAGES"] = "off"
    if config.s3_url is not None:
        env["S3_ENDPOINT_URL"] = config.s3_url
        env["ATTACHMENTS_BUCKET"] = config.attachments_bucket
    # Staff sign-in: the API verifies the local issuer's tokens (its keys are made on first use).
    env.update(config.issuer.environment())
    env.update(config.extra_api_env)
    return env


def build_portal_command(site_dir: Path) -> list[str]:
    return [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)]


def _portal_build_environment(config: StackConfig) -> dict[str, str]:
    env = dict(os.environ)
    # The API under the portal's own origin (the static server passes /api on to it): same-origin
    # calls under any name the portal is opened as. Set, so a stale value in the shell cannot win.
    env["PORTAL_API_BASE"] = API_PATH
    env["NO_MKDOCS_2_WARNING"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def portal_headers(environ: Mapping[str, str] | None = None, *, upload_origin: str = "") -> dict[str, str]:
    """The portal's headers on plain http. The build reads STAFF_COGNITO_DOMAIN from the same
    environment (mkdocs.yml extra.staff_auth), so a console built to sign in there may fetch its
    token endpoint (connect-src); the pages post attachments to ``upload_origin`` (the local S3)."""
    env = os.environ if environ is None else environ
    return response_headers(
        https=False,
        staff_sign_in_domain=env.get("STAFF_COGNITO_DOMAIN", ""),
        api_base=API_PATH,
        upload_origin=upload_origin,
    )


class LocalStack:
    """Start with ``start()`` (or ``with``); everything started is stopped by ``stop()``."""

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.dynamodb: DynamoDBLocal | None = None
        self.mail: MailServer | None = None
        self.sms: SmsServer | None = None
        if config.mail_port is not None:
            self.mail = MailServer(
                config.mail_port,
                host=config.host,
                log_path=self._log_path("mail"),
                install_dir=config.mail_install_dir,
            )
        if config.sms_port is not None:
            self.sms = SmsServer(config.sms_port, host=config.host, log_path=self._log_path("sms"))
        self.s3: S3Server | None = None
        if config.s3_port is not None:
            data_dir = config.s3_data_dir
            if data_dir is None:
                data_dir = LOCAL_DIR / "s3-data" if config.log_dir is None else config.log_dir / "s3-data"
            self.s3 = S3Server(
                config.s3_port,
                data_dir=data_dir,
                buckets=(config.attachments_bucket,),
                # The portal under both names of this machine (serve prints localhost).
                allowed_origin=f"{config.portal_url_at('localhost').rstrip('/')},{config.portal_url_at('127.0.0.1').rstrip('/')}",
                host=config.host,
                log_path=self._log_path("s3"),
            )
        self.api: ManagedProcess | None = None
        self.scheduler: ManagedProcess | None = None
        self.portal_server: StaticSiteServer | None = None
        self._portal_build: ManagedProcess | None = None
        self._state_written = False
        self.timings: dict[str, float] = {}

    @property
    def portal_url(self) -> str:
        return self.config.portal_url

    @property
    def api_url(self) -> str:
        return self.config.api_url

    @property
    def portal_api_url(self) -> str:
        return self.config.portal_api_url

    def portal_url_at(self, host: str) -> str:
        return self.config.portal_url_at(host)

    @property
    def dynamodb_url(self) -> str | None:
        return self.config.dynamodb_url if self.config.storage == "dynamodb" else None

    @property
    def mail_url(self) -> str | None:
        """The local SES v2 endpoint the API sends e-mail to (None: no mail server)."""
        return None if self.mail is None else self.mail.url

    @property
    def mail_viewer_url(self) -> str | None:
        """The page showing every e-mail sent."""
        return None if self.mail is None else self.mail.viewer_url

    @property
    def mail_store_url(self) -> str | None:
        """Every e-mail sent, as JSON (``tests.support.messages.sent_mail`` reads it)."""
        return None if self.mail is None else self.mail.store_url

    @property
    def sms_url(self) -> str | None:
        """The local SNS endpoint the API sends SMS to (None: no SMS server)."""
        return None if self.sms is None else self.sms.url

    @property
    def sms_data_url(self) -> str | None:
        """Where the SMS sent can be read, as JSON (``tests.support.messages.sent_sms`` reads it)."""
        return None if self.sms is None else self.sms.data_url

    @property
    def s3_url(self) -> str | None:
        """The local S3 endpoint attachments go to (None: no S3 server)."""
        return None if self.s3 is None else self.s3.url

    @property
    def state_file(self) -> Path | None:
        """The record ``./scripts/jobs`` reads (``--stack-file``), once the stack is up."""
        return self.config.state_file

    @property
    def issuer(self) -> LocalIssuer:
        """Mints staff tokens this stack's API accepts: ``stack.issuer.token(roles=[...], name=...)``."""
        return self.config.issuer

    @property
    def staff_console_url(self) -> str:
        return self.config.staff_console_url

    @property
    def urls(self) -> dict[str, str]:
        """What is running, by name: what serve prints and the state file records."""
        found = {
            "portal": self.portal_url,
            "api": self.api_url,
            "dynamodb": self.dynamodb_url,
            "mail_viewer": self.mail_viewer_url,
            "mail_store": self.mail_store_url,
            "sms_data": self.sms_data_url,
            "s3": self.s3_url,
        }
        return {name: url for name, url in found.items() if url is not None}

    def _log_path(self, name: str) -> Path | None:
        return None if self.config.log_dir is None else self.config.log_dir / f"{name}.log"

    def start(self) -> LocalStack:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        config = self.config
        started = time.monotonic()
        if not (REPO_ROOT / "mkdocs.yml").is_file():
            raise StackError("mkdocs.yml is missing: there is no portal to build yet")
        if not (API_DIR / "app.py").is_file():
            raise StackError("api/app.py is missing: there is no API to start yet")

        # The portal build (~seconds) runs while DynamoDB Local starts.
        config.site_dir.mkdir(parents=True, exist_ok=True)
        self._portal_build = ManagedProcess(
            "mkdocs",
            build_portal_command(config.site_dir),
            cwd=REPO_ROOT,
            env=_portal_build_environment(config),
            log_path=self._log_path("mkdocs-build"),
        ).start()
        # The mail and SMS servers come up meanwhile too; they are waited for below.
        servers: list[ServerProcess] = [
            server for server in (self.mail, self.sms, self.s3) if server is not None
        ]
        try:
            for server in servers:
                server.launch()
        except ServerStartError as error:
            raise StackError(str(error)) from error

        if config.storage == "dynamodb":
            self.dynamodb = DynamoDBLocal(
                config.dynamodb_port,
                db_path=config.dynamodb_data_dir,
                log_path=self._log_path("dynamodb-local"),
                install_dir=config.dynamodb_install_dir,
            )
            self.dynamodb.start()
            self.timings["dynamodb ready"] = time.monotonic() - started
            self._create_tables()
            self.timings["tables ready"] = time.monotonic() - started

        self.api = ManagedProcess(
            "api",
            api_command(host=config.host, port=config.api_port, stage=config.stage),
            cwd=REPO_ROOT,
            env=api_environment(config),
            log_path=self._log_path("api"),
        ).start()
        api = self.api
        for server in servers:
            try:
                server.wait_until_ready(timeout=60)
            except ServerStartError as error:
                raise StackError(str(error)) from error
            self.timings[f"{server.name} ready"] = time.monotonic() - started
        try:
            wait_for_http(
                f"http://{config.host}:{config.api_port}/", timeout=60, still_starting=lambda: api.running
            )
        except (TimeoutError, RuntimeError) as error:
            raise StackError(f"the API did not start: {error}{self._tail(api)}") from error
        self.timings["api ready"] = time.monotonic() - started

        build = self._portal_build
        code = build.wait(timeout=300)
        if code != 0:
            raise StackError(f"mkdocs build --strict failed with exit code {code}{self._tail(build)}")
        self.timings["portal built"] = time.monotonic() - started

        self.portal_server = StaticSiteServer(
            config.site_dir,
            host=config.host,
            port=config.portal_port,
            quiet=config.quiet_static,
            api_url=f"http://{config.host}:{config.api_port}",
            headers=portal_headers(upload_origin=config.s3_url or ""),
        ).start()
        if config.run_schedules:
            self.scheduler = ManagedProcess(
                "jobs",
                scheduler_command(registry=config.jobs_registry, runs_log=config.runs_log),
                cwd=REPO_ROOT,
                env=api_environment(config),
                log_path=self._log_path("jobs"),
            ).start()
        if config.state_file is not None:
            write_state(
                config.state_file,
                settings=stack_settings(config),
                storage=config.storage,
                urls=self.urls,
            )
            self._state_written = True
        self.timings["all ready"] = time.monotonic() - started

    def _create_tables(self) -> None:
        completed = subprocess.run(
            [sys.executable, "-m", "chalicelib.storage.tables"],
            cwd=API_DIR,
            env=api_environment(self.config),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        output = (completed.stdout + completed.stderr).strip()
        log_path = self._log_path("tables")
        if log_path is not None:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            log_path.write_text(output + "\n", encoding="utf-8")
        elif output:
            for line in output.splitlines():
                print(f"[tables] {line}", flush=True)
        if completed.returncode != 0:
            hint = ""
            if "No module named" in output and "chalicelib.storage.tables" in output:
                hint = "\n(api/chalicelib/storage/tables.py must exist and create the tables idempotently)"
            raise StackError(
                f"python -m chalicelib.storage.tables failed with exit code {completed.returncode}:\n"
                f"{output}{hint}"
            )

    @staticmethod
    def _tail(process: ManagedProcess) -> str:
        tail = process.log_tail()
        return f"\n--- last lines of {process.log_path} ---\n{tail}" if tail else ""

    def dead_process(self) -> str | None:
        """The name of a part that has stopped on its own, if any."""
        parts: list[tuple[str, ManagedProcess | None]] = [
            ("api", self.api),
            ("DynamoDB Local", None if self.dynamodb is None else self.dynamodb.process),
            ("the mail server", None if self.mail is None else self.mail.process),
            ("the SMS server", None if self.sms is None else self.sms.process),
            ("the S3 server", None if self.s3 is None else self.s3.process),
            ("the jobs' scheduler", self.scheduler),
        ]
        for name, process in parts:
            code = None if process is None else process.poll()
            if code is not None:
                return f"{name} (exit code {code})"
        return None

    def stop(self) -> None:
        """Stop everything started: the scheduler and the API before the servers they talk to.
        Idempotent."""
        if self._state_written and self.config.state_file is not None:
            remove_state(self.config.state_file)
            self._state_written = False
        if self.scheduler is not None:
            self.scheduler.stop()
        if self.portal_server is not None:
            self.portal_server.stop()
            self.portal_server = None
        if self._portal_build is not None:
            self._portal_build.stop()
        if self.api is not None:
            self.api.stop()
        for server in (self.mail, self.sms, self.s3):
            if server is not None:
                server.stop()
        if self.dynamodb is not None:
            self.dynamodb.stop()

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
