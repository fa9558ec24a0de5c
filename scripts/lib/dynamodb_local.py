"""AWS DynamoDB Local: install it from the npm registry, run it, wait until it answers.

The npm package ``amplify-dynamodb-simulator`` ships the DynamoDB Local jar (1.25.x) with its
``DynamoDBLocal_lib/`` (native SQLite libraries included), so ``npm pack`` is the whole download.

CLI: ``python -m scripts.lib.dynamodb_local install`` (used by scripts/lib/bootstrap.sh).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

from scripts.lib.npm_packages import NpmPackageError, ensure_npm_package, npm_package_installed
from scripts.lib.paths import LOCAL_DIR
from scripts.lib.processes import ManagedProcess, ProcessError

__all__ = [
    "DUMMY_AWS_ENV",
    "INSTALL_DIR",
    "NPM_PACKAGE",
    "DynamoDBLocal",
    "DynamoDBLocalError",
    "ensure_installed",
    "is_installed",
    "jar_path",
    "unavailable_reason",
]

NPM_PACKAGE = "amplify-dynamodb-simulator@2.9.30"
INSTALL_DIR = LOCAL_DIR / "dynamodb-local"
_JAR_IN_PACKAGE = Path("package", "emulator", "DynamoDBLocal.jar")

# Without -sharedDb, DynamoDB Local keeps one database per access key and region: every client
# (API, table creation, tests, a developer's aws cli) must use exactly these.
DUMMY_AWS_ENV: dict[str, str] = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
}


class DynamoDBLocalError(RuntimeError):
    """DynamoDB Local could not be installed or started."""


def jar_path(install_dir: Path = INSTALL_DIR) -> Path:
    return install_dir / _JAR_IN_PACKAGE


def is_installed(install_dir: Path = INSTALL_DIR) -> bool:
    return npm_package_installed(NPM_PACKAGE, install_dir, _JAR_IN_PACKAGE)


def unavailable_reason(install_dir: Path = INSTALL_DIR) -> str | None:
    """Why DynamoDB Local cannot run here, or None when it can (installing it if need be)."""
    if shutil.which("java") is None:
        return "java is not installed (Debian: apt-get install -y openjdk-17-jre-headless)"
    if not is_installed(install_dir) and shutil.which("npm") is None:
        return f"DynamoDB Local is not installed in {install_dir} and npm is missing to install it"
    return None


def ensure_installed(install_dir: Path = INSTALL_DIR, *, quiet: bool = False) -> Path:
    """Install DynamoDB Local into ``install_dir`` unless it is already there; return the jar."""
    if is_installed(install_dir):
        return jar_path(install_dir)
    started = time.monotonic()
    announce = (
        None
        if quiet
        else (lambda what: print(f"==> installing DynamoDB Local: {what}", file=sys.stderr, flush=True))
    )
    try:
        jar = ensure_npm_package(NPM_PACKAGE, install_dir, _JAR_IN_PACKAGE, announce=announce)
    except NpmPackageError as error:
        raise DynamoDBLocalError(str(error)) from error
    if not quiet:
        took = time.monotonic() - started
        print(f"==> DynamoDB Local installed in {install_dir} ({took:.1f} s)", file=sys.stderr)
    return jar


def _list_tables(endpoint_url: str) -> list[str]:
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "dynamodb",
        endpoint_url=endpoint_url,
        region_name=DUMMY_AWS_ENV["AWS_REGION"],
        aws_access_key_id=DUMMY_AWS_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=DUMMY_AWS_ENV["AWS_SECRET_ACCESS_KEY"],
        config=Config(
            connect_timeout=1, read_timeout=5, retries={"mode": "standard", "total_max_attempts": 1}
        ),
    )
    return list(client.list_tables()["TableNames"])


class DynamoDBLocal:
    """One DynamoDB Local server. ``db_path=None`` runs it in memory (``-inMemory``)."""

    def __init__(
        self,
        port: int,
        *,
        db_path: Path | None = None,
        log_path: Path | None = None,
        install_dir: Path = INSTALL_DIR,
    ) -> None:
        self.port = port
        self.db_path = db_path
        self.log_path = log_path
        self.install_dir = install_dir
        self._process: ManagedProcess | None = None

    @property
    def endpoint_url(self) -> str:
        return f"http://localhost:{self.port}"

    @property
    def process(self) -> ManagedProcess | None:
        return self._process

    def command(self, jar: Path) -> list[str]:
        java = shutil.which("java")
        if java is None:
            raise DynamoDBLocalError(unavailable_reason(self.install_dir) or "java is missing")
        argv = [java, "-Djava.library.path=DynamoDBLocal_lib", "-jar", jar.name, "-port", str(self.port)]
        if self.db_path is None:
            argv.append("-inMemory")
        else:
            argv += ["-dbPath", str(self.db_path)]
        argv.append("-disableTelemetry")
        return argv

    def start(self, *, timeout: float = 60.0) -> DynamoDBLocal:
        jar = ensure_installed(self.install_dir)
        if self.db_path is not None:
            self.db_path.mkdir(parents=True, exist_ok=True)
        process = ManagedProcess(
            "dynamodb",
            self.command(jar),
            cwd=jar.parent,
            env=os.environ,
            log_path=self.log_path,
        )
        self._process = process
        try:
            process.start()
            self.wait_until_ready(timeout=timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def wait_until_ready(self, *, timeout: float) -> None:
        """Wait until ListTables answers (not a fixed sleep)."""
        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if self._process is not None and not self._process.running:
                tail = self._process.log_tail()
                raise DynamoDBLocalError(
                    f"DynamoDB Local exited with code {self._process.poll()} while starting"
                    + (f":\n{tail}" if tail else "")
                )
            try:
                _list_tables(self.endpoint_url)
                return
            except Exception as error:  # noqa: BLE001 - any failure means "not yet"
                last_error = error
            time.sleep(0.1)
        raise DynamoDBLocalError(
            f"DynamoDB Local did not answer on {self.endpoint_url} within {timeout:.0f} s: {last_error}"
        )

    def stop(self) -> None:
        if self._process is not None:
            self._process.stop()

    def __enter__(self) -> DynamoDBLocal:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.lib.dynamodb_local")
    commands = parser.add_subparsers(dest="command", required=True)
    install = commands.add_parser("install", help=f"npm pack {NPM_PACKAGE} into .local/dynamodb-local")
    install.add_argument("--dir", type=Path, default=INSTALL_DIR)
    args = parser.parse_args(argv)
    if args.command == "install":
        try:
            jar = ensure_installed(args.dir)
        except (DynamoDBLocalError, ProcessError, OSError, subprocess.SubprocessError) as error:
            print(f"ERROR: {error}", file=sys.stderr)
            return 1
        print(f"==> DynamoDB Local: {jar}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
