"""axe-core, the accessibility rules engine, for the browser tests.

Fetched once from the npm registry (``npm pack``) into .local/axe-core/, like DynamoDB Local; nothing
is vendored into git. ``run_axe(page)`` injects it into a Playwright page and returns the violations.
"""

from __future__ import annotations

import fcntl
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scripts.lib.paths import LOCAL_DIR

if TYPE_CHECKING:
    from playwright.sync_api import Page

__all__ = ["AXE_PACKAGE", "AxeUnavailableError", "axe_script", "describe_violations", "run_axe"]

AXE_PACKAGE = "axe-core@4.14.1"
INSTALL_DIR = LOCAL_DIR / "axe-core"
_SCRIPT_IN_PACKAGE = Path("package", "axe.min.js")
_MARKER = ".installed-from"

# Every rule axe-core runs by default (WCAG 2.0-2.2 A and AA, and its best practices), except the
# experimental ones. A page passes only with no violation at all.
_RUN_OPTIONS: dict[str, Any] = {"resultTypes": ["violations"]}


class AxeUnavailableError(RuntimeError):
    """axe-core is not installed and could not be fetched."""


def _installed(install_dir: Path) -> bool:
    marker = install_dir / _MARKER
    return (
        (install_dir / _SCRIPT_IN_PACKAGE).is_file()
        and marker.is_file()
        and marker.read_text(encoding="utf-8").strip() == AXE_PACKAGE
    )


def axe_script(install_dir: Path = INSTALL_DIR) -> Path:
    """The path of axe.min.js, fetching the pinned package with ``npm pack`` the first time."""
    if _installed(install_dir):
        return install_dir / _SCRIPT_IN_PACKAGE
    install_dir.parent.mkdir(parents=True, exist_ok=True)
    with (install_dir.parent / f".{install_dir.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _installed(install_dir):  # another process fetched it while we waited
            return install_dir / _SCRIPT_IN_PACKAGE
        npm = shutil.which("npm")
        if npm is None:
            raise AxeUnavailableError(f"npm is needed to fetch {AXE_PACKAGE} and is missing")
        with tempfile.TemporaryDirectory(dir=install_dir.parent, prefix=".axe-core-") as tmp:
            work = Path(tmp)
            packed = subprocess.run(
                [npm, "pack", AXE_PACKAGE, "--silent"],
                cwd=work,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            tarballs = sorted(work.glob("*.tgz"))
            if packed.returncode != 0 or not tarballs:
                raise AxeUnavailableError(
                    f"npm pack {AXE_PACKAGE} failed ({packed.returncode}): {packed.stderr.strip()}"
                )
            unpacked = work / "unpacked"
            with tarfile.open(tarballs[0]) as archive:
                archive.extractall(unpacked, filter="data")
            if not (unpacked / _SCRIPT_IN_PACKAGE).is_file():
                raise AxeUnavailableError(f"{AXE_PACKAGE} has no {_SCRIPT_IN_PACKAGE}: its layout changed")
            (unpacked / _MARKER).write_text(AXE_PACKAGE + "\n", encoding="utf-8")
            if install_dir.exists():
                shutil.rmtree(install_dir)
            unpacked.rename(install_dir)
    return install_dir / _SCRIPT_IN_PACKAGE


# Let the page come to rest first: a CSS transition caught halfway (Material's header swaps the site
# name for the page title with a fade when the page scrolls) has colours no one reads.
_SETTLE = """async () => {
  const frame = () => new Promise(resolve => requestAnimationFrame(() => resolve()));
  await frame();
  await frame();
  await Promise.all(document.getAnimations().map(a => a.finished.catch(() => null)));
}"""


def run_axe(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page once its transitions have ended; return its violations (an empty
    list is a pass)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(axe_script()))
    page.evaluate(_SETTLE)
    result: dict[str, Any] = page.evaluate("options => window.axe.run(document, options)", _RUN_OPTIONS)
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """One readable line per violation and element, for an assertion message."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:8]:
            target = " ".join(str(part) for part in node["target"])
            summary = str(node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {target}: {summary[:300]}")
    return "\n".join(lines)
