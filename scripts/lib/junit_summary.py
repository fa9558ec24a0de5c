"""Add up pytest's JUnit XML reports: ``python -m scripts.lib.junit_summary a.xml b.xml ...``.

Prints ``<passed> <failed> <skipped>`` (failed includes errors) for ./scripts/test's closing line.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Counts", "count", "main"]


@dataclass(frozen=True)
class Counts:
    passed: int = 0
    failed: int = 0
    skipped: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.passed + other.passed, self.failed + other.failed, self.skipped + other.skipped)


def count(report: Path) -> Counts:
    """The counts of one report; a missing or unreadable report counts nothing."""
    try:
        root = ET.parse(report).getroot()  # noqa: S314 - our own pytest's output
    except (OSError, ET.ParseError):
        return Counts()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    total = Counts()
    for suite in suites:
        tests = int(suite.get("tests", 0))
        failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped = int(suite.get("skipped", 0))
        total += Counts(max(tests - failed - skipped, 0), failed, skipped)
    return total


def main(argv: list[str]) -> int:
    total = Counts()
    for name in argv:
        total += count(Path(name))
    print(total.passed, total.failed, total.skipped)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
