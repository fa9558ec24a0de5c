"""Importing the API module (a cold start's first part) leaves the process as it found it, but for
the objects the import made: the cycle collector is on again, and those objects are frozen (no later
collection walks them)."""

from __future__ import annotations

import json
import subprocess
import sys

from scripts.lib.paths import API_DIR

_CHILD = """
import gc, json
before = gc.get_freeze_count()
import app
print(json.dumps({"enabled": gc.isenabled(), "frozen": gc.get_freeze_count() - before,
                  "routes": len(app.app.routes)}))
"""


def test_the_collector_is_on_after_the_import_and_the_imports_objects_are_frozen() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _CHILD], cwd=API_DIR, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    state = json.loads(result.stdout)
    assert state["enabled"] is True
    assert state["frozen"] > 10_000  # the modules' functions, classes and tables
    assert state["routes"] > 20
