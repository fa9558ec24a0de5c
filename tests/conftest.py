"""Configuration for every tier: markers by tier and fixture, and what this machine can run."""

from __future__ import annotations

import shutil

import pytest

from tests.support import chromium_unavailable_reason
from tests.support.artifacts import ARTIFACTS_DIR


def pytest_report_header(config: pytest.Config) -> list[str]:
    java = shutil.which("java") or "MISSING (DynamoDB Local tests skip)"
    chromium = chromium_unavailable_reason() or "available"
    return [f"java: {java}", f"chromium: {chromium}", f"artifacts: {ARTIFACTS_DIR}"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    browser_dir = config.rootpath / "tests" / "browser"
    for item in items:
        if item.path.is_relative_to(browser_dir):
            item.add_marker(pytest.mark.browser)
        if "dynamodb_local" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.dynamodb_local)
