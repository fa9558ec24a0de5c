"""Every script the portal ships parses (node --check): a slip fails here in a second, not in the
browser tier minutes later."""

from __future__ import annotations

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
