"""Test harness helpers: ports, DynamoDB Local, the mail and SMS servers, the local stack, browsers,
artifacts (what the mail and SMS servers were sent: ``tests.support.messages``).

They reuse the launchers of ``./scripts/serve`` (``scripts.lib``), so tests run the same code.
"""

from __future__ import annotations

from scripts.lib.ports import free_port
from tests.support.artifacts import ARTIFACTS_DIR, artifact_path, save_screenshot
from tests.support.browser import CHROMIUM_ARGS, chromium_executable, chromium_unavailable_reason
from tests.support.stack import (
    in_ci,
    start_dynamodb_local,
    start_mail_server,
    start_sms_server,
    start_test_stack,
    unavailable,
    unique_table_prefix,
)

__all__ = [
    "ARTIFACTS_DIR",
    "CHROMIUM_ARGS",
    "artifact_path",
    "chromium_executable",
    "chromium_unavailable_reason",
    "free_port",
    "in_ci",
    "save_screenshot",
    "start_dynamodb_local",
    "start_mail_server",
    "start_sms_server",
    "start_test_stack",
    "unavailable",
    "unique_table_prefix",
]
