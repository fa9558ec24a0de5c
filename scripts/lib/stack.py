"""The whole local stack: DynamoDB Local, tables, the API (chalice local), the built portal.

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

from scripts.lib.dynamodb_local import DUMMY_AWS_ENV, INSTALL_DIR, DynamoDBLocal
from scripts.lib.local_api import api_command
from scripts.lib.paths import API_DIR, LOCAL_DIR, REPO_ROOT
from scripts.lib.portal_edge import API_PATH, response_headers
from scripts.lib.ports import wait_for_http
from scripts.lib.processes import ManagedProcess
from scripts.lib.staff_tokens import LocalIssuer
from scripts.lib.static_server import StaticSiteServer

__all__ = [
    "LocalStack",
    "StackConfig",
    "StackError",
    "Storage",
    "api_environment",
    "build_portal_command",
    "ensure_access_code_secret",
    "new_access_code_secret",
    "portal_headers",
]

Storage = Literal["dynamodb", "memory"]

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
    "REPORTS_TABLE",
    "DYNAMODB_ENDPOINT_URL",
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


def ensure_access_code_secret(path: Path = LOCAL_DIR / "access-code-secret") -> str:
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
    def issuer(self) -> LocalIssuer:
        """The project's own token issuer, whose tokens the local API accepts."""
        return LocalIssuer(directory=self.staff_auth_dir)


def api_environment(config: StackConfig, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of the API process (and of the table-creation step)."""
    env = {k: v for k, v in (os.environ if base is None else base).items() if k not in _SETTINGS_VARIABLES}
    env.update(DUMMY_AWS_ENV)
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


def portal_headers(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The portal's headers on plain http. The build reads STAFF_COGNITO_DOMAIN from the same
    environment (mkdocs.yml extra.staff_auth), so a console built to sign in there may fetch its
    token endpoint (connect-src)."""
    env = os.environ if environ is None else environ
    return response_headers(
        https=False, staff_sign_in_domain=env.get("STAFF_COGNITO_DOMAIN", ""), api_base=API_PATH
    )


class LocalStack:
    """Start with ``start()`` (or ``with``); everything started is stopped by ``stop()``."""

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.dynamodb: DynamoDBLocal | None = None
        self.api: ManagedProcess | None = None
        self.portal_server: StaticSiteServer | None = None
        self._portal_build: ManagedProcess | None = None
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
    def issuer(self) -> LocalIssuer:
        """Mints staff tokens this stack's API accepts: ``stack.issuer.token(roles=[...], name=...)``."""
        return self.config.issuer

    @property
    def staff_console_url(self) -> str:
        return self.config.staff_console_url

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
            headers=portal_headers(),
        ).start()
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
        if self.api is not None and self.api.poll() is not None:
            return f"api (exit code {self.api.poll()})"
        if self.dynamodb is not None and self.dynamodb.process is not None:
            code = self.dynamodb.process.poll()
            if code is not None:
                return f"DynamoDB Local (exit code {code})"
        return None

    def stop(self) -> None:
        """Stop everything started, the API before the database it writes to. Idempotent."""
        if self.portal_server is not None:
            self.portal_server.stop()
            self.portal_server = None
        if self._portal_build is not None:
            self._portal_build.stop()
        if self.api is not None:
            self.api.stop()
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
