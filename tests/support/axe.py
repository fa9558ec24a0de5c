"""axe-core, the accessibility rules engine, for the browser tests.

Fetched once from the npm registry (``npm pack``) into .local/axe-core/, like DynamoDB Local; nothing
is vendored into git. ``run_axe(page)`` injects it into a Playwright page and returns the violations.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from scripts.lib.npm_packages import NpmPackageError, ensure_npm_package
from scripts.lib.paths import LOCAL_DIR

if TYPE_CHECKING:
    from playwright.sync_api import Page

__all__ = ["AXE_PACKAGE", "AxeUnavailableError", "axe_script", "describe_violations", "run_axe"]

AXE_PACKAGE = "axe-core@4.14.1"
INSTALL_DIR = LOCAL_DIR / "axe-core"
_SCRIPT_IN_PACKAGE = Path("package", "axe.min.js")

# Every rule axe-core runs by default (WCAG 2.0-2.2 A and AA, and its best practices), except the
# experimental ones. A page passes only with no violation at all.
_RUN_OPTIONS: dict[str, Any] = {"resultTypes": ["violations"]}


class AxeUnavailableError(RuntimeError):
    """axe-core is not installed and could not be fetched."""


def axe_script(install_dir: Path = INSTALL_DIR) -> Path:
    """The path of axe.min.js, fetching the pinned package with ``npm pack`` the first time."""
    try:
        return ensure_npm_package(AXE_PACKAGE, install_dir, _SCRIPT_IN_PACKAGE, timeout=300)
    except NpmPackageError as error:
        raise AxeUnavailableError(str(error)) from error


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
        # Evaluated through the DevTools protocol, not added as an inline <script>: the portal's
        # Content-Security-Policy refuses inline scripts, and rightly so.
        page.evaluate(axe_script().read_text(encoding="utf-8"))
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
