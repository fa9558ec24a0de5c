"""The local e-mail service: a SES v2 API server (npm ``aws-ses-v2-local``) that keeps what it is sent.

The API's SES v2 client points at it (``SES_ENDPOINT_URL``); nothing leaves the machine. Its page at
``/`` shows every message sent, ``GET /store`` lists them as JSON, ``POST /clear-store`` forgets
them, ``/health-check`` answers 200. Unlike SES it accepts any sender, and any ``Authorization``
header that starts with ``AWS`` (botocore's signature with dummy credentials does).

Installed with ``npm ci`` from the committed project in ``scripts/lib/npm/aws-ses-v2-local`` (the
package and each of its dependencies pinned by the lock file) into ``.local/aws-ses-v2-local``; run
with the machine's ``node``.

CLI: ``python -m scripts.lib.mail_server install`` (used by scripts/lib/bootstrap.sh).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from scripts.lib.npm_packages import NpmPackageError, ensure_npm_project, npm_project_installed
from scripts.lib.paths import LOCAL_DIR
from scripts.lib.server_process import ServerProcess, ServerStartError

__all__ = [
    "INSTALL_DIR",
    "PROJECT_DIR",
    "MailServer",
    "ensure_installed",
    "is_installed",
    "pinned_version",
    "unavailable_reason",
]

PROJECT_DIR = Path(__file__).resolve().parent / "npm" / "aws-ses-v2-local"
INSTALL_DIR = LOCAL_DIR / "aws-ses-v2-local"
_PACKAGE = "aws-ses-v2-local"
_CLI = Path("node_modules", _PACKAGE, "dist", "cli.js")

# With SMTP_TRANSPORT set (a JSON nodemailer transport), the server also relays every message it is
# sent to that SMTP server: real mail from a developer's shell variable. Never passed on.
_RELAY_VARIABLES = ("SMTP_TRANSPORT",)


def pinned_version(project_dir: Path = PROJECT_DIR) -> str:
    """The version the committed package.json pins (the one place it is written)."""
    manifest = json.loads((project_dir / "package.json").read_text(encoding="utf-8"))
    return str(manifest["dependencies"][_PACKAGE])


def is_installed(install_dir: Path = INSTALL_DIR) -> bool:
    return npm_project_installed(PROJECT_DIR, install_dir, _CLI)


def unavailable_reason(install_dir: Path = INSTALL_DIR) -> str | None:
    """Why the mail server cannot run here, or None when it can (installing it if need be)."""
    if shutil.which("node") is None:
        return "node is not installed (Debian: apt-get install -y nodejs npm)"
    if not is_installed(install_dir) and shutil.which("npm") is None:
        return f"{_PACKAGE} is not installed in {install_dir} and npm is missing to install it"
    return None


def ensure_installed(install_dir: Path = INSTALL_DIR, *, quiet: bool = False) -> Path:
    """Install the pinned aws-ses-v2-local into ``install_dir`` unless it is there; return its CLI."""
    if is_installed(install_dir):
        return install_dir / _CLI
    started = time.monotonic()
    announce = (
        None
        if quiet
        else (lambda what: print(f"==> installing {_PACKAGE}: {what}", file=sys.stderr, flush=True))
    )
    try:
        cli = ensure_npm_project(PROJECT_DIR, install_dir, _CLI, announce=announce)
    except NpmPackageError as error:
        raise ServerStartError(str(error)) from error
    if not quiet:
        took = time.monotonic() - started
        print(f"==> {_PACKAGE} {pinned_version()} installed in {install_dir} ({took:.1f} s)", file=sys.stderr)
    return cli


class MailServer(ServerProcess):
    """One aws-ses-v2-local on ``port``, on loopback only."""

    name = "mail"
    label = "local SES v2 server (aws-ses-v2-local)"
    ready_path = "/health-check"

    def __init__(
        self,
        port: int,
        *,
        host: str = "127.0.0.1",
        log_path: Path | None = None,
        install_dir: Path = INSTALL_DIR,
    ) -> None:
        super().__init__(port, host=host, log_path=log_path)
        self.install_dir = install_dir

    @property
    def viewer_url(self) -> str:
        """The page that shows every message sent."""
        return f"{self.url}/"

    @property
    def store_url(self) -> str:
        """Every message sent, as JSON (``{"emails": [...], "templates": {...}}``)."""
        return f"{self.url}/store"

    def command(self) -> list[str]:
        node = shutil.which("node")
        if node is None:
            raise ServerStartError(unavailable_reason(self.install_dir) or "node is missing")
        cli = ensure_installed(self.install_dir)
        return [node, str(cli), "--host", self.host, "--port", str(self.port)]

    def environment(self, base: Mapping[str, str]) -> dict[str, str]:
        return {name: value for name, value in base.items() if name not in _RELAY_VARIABLES}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.lib.mail_server")
    commands = parser.add_subparsers(dest="command", required=True)
    install = commands.add_parser("install", help=f"npm ci {_PACKAGE} into .local/aws-ses-v2-local")
    install.add_argument("--dir", type=Path, default=INSTALL_DIR)
    args = parser.parse_args(argv)
    if args.command == "install":
        try:
            cli = ensure_installed(args.dir)
        except (ServerStartError, OSError) as error:
            print(f"ERROR: {error}", file=sys.stderr)
            return 1
        print(f"==> {_PACKAGE} {pinned_version()}: {cli}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
