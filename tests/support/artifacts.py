"""Files tests leave behind for a person to look at: screenshots, logs (test-artifacts/, gitignored)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from scripts.lib.paths import ARTIFACTS_DIR

if TYPE_CHECKING:
    from playwright.sync_api import Page

__all__ = ["ARTIFACTS_DIR", "artifact_path", "safe_name", "save_screenshot"]


def safe_name(name: str) -> str:
    """A file name made from a test id or any label: keeps letters, digits, CJK, '-', '_' and '.'."""
    cleaned = re.sub(r"[^\w.\-]+", "-", name, flags=re.UNICODE).strip("-.")
    return cleaned[:150] or "unnamed"


def artifact_path(*parts: str) -> Path:
    """``test-artifacts/<parts...>``, its folder created."""
    path = ARTIFACTS_DIR.joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def save_screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG of ``page`` as ``test-artifacts/screenshots/<name>.png`` and return its path."""
    path = artifact_path("screenshots", safe_name(name) + ".png")
    page.screenshot(path=str(path), full_page=full_page)
    return path
