"""Which Chromium the browser tests drive, and with which flags (Debian's; never `playwright install`)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["CHROMIUM_ARGS", "DEFAULT_CHROMIUM", "chromium_executable", "chromium_unavailable_reason"]

DEFAULT_CHROMIUM = Path("/usr/bin/chromium")

CHROMIUM_ARGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
)


def chromium_executable() -> Path:
    """``$CHROMIUM_PATH`` if set, else Debian's /usr/bin/chromium."""
    return Path(os.environ.get("CHROMIUM_PATH", "").strip() or DEFAULT_CHROMIUM)


def chromium_unavailable_reason() -> str | None:
    executable = chromium_executable()
    if not (executable.is_file() and os.access(executable, os.X_OK)):
        return (
            f"Chromium is not installed at {executable} "
            "(./scripts/test installs it as root: apt-get install -y chromium fonts-noto-cjk)"
        )
    return None
