"""Every script the portal ships parses (node --check): a slip fails here in a second, not in the
browser tier minutes later."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPTS = sorted(
    (Path(__file__).resolve().parents[2] / "portal_docs" / "pages" / "assets" / "js").glob("*.js")
)


def test_the_portal_has_scripts() -> None:
    assert {"portal.js", "submit.js", "status.js", "staff.js"} <= {script.name for script in SCRIPTS}


@pytest.mark.parametrize("script", SCRIPTS, ids=[script.name for script in SCRIPTS])
def test_each_script_parses(script: Path) -> None:
    node = shutil.which("node")
    assert node is not None, "node is needed (it also installs DynamoDB Local and axe-core through npm)"
    checked = subprocess.run(
        [node, "--check", str(script)], capture_output=True, text=True, timeout=60, check=False
    )
    assert checked.returncode == 0, checked.stderr


def test_the_staff_console_loads_every_screen_between_its_core_and_its_start(tmp_path: Path) -> None:
    """The console is a core, one file per screen and a start (staff-core.js says how they fit): a
    screen's file left out of the page would leave its screen dead without any parse error."""
    from tests.unit.test_portal_build import build

    site = tmp_path / "site"
    assert build(site).returncode == 0
    page = (site / "staff" / "index.html").read_text(encoding="utf-8")
    loaded = re.findall(r'<script src="[^"]*assets/js/(staff[^"/]*\.js)"', page)
    screens = {script.name for script in SCRIPTS if script.name.startswith("staff-")}
    assert loaded[0] == "staff-core.js"
    assert loaded[-1] == "staff.js"
    assert set(loaded[1:-1]) == screens - {"staff-core.js"}
    assert len(loaded) == len(set(loaded))
