"""Integration tier: a real AWS DynamoDB Local (in memory, on a free port) for the whole session.

Tests create their own tables under a unique TABLE_PREFIX (``tests.support.unique_table_prefix``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from chalice.test import Client

from scripts.lib.dynamodb_local import DUMMY_AWS_ENV
from tests.support import artifact_path, start_dynamodb_local
from tests.support.api_client import app_client
from tests.support.staff import TestIssuer


def _reset_settings() -> None:
    # Settings are read once and cached; the environment changes here, so forget them.
    from chalicelib.settings import reset_settings

    reset_settings()


@pytest.fixture(scope="session")
def dynamodb_local() -> Iterator[str]:
    """The endpoint URL of a running DynamoDB Local.

    For the session, the environment holds the dummy credentials and region every client must use
    (AWS_ACCESS_KEY_ID=local, AWS_SECRET_ACCESS_KEY=local, AWS_REGION=us-east-1) and
    DYNAMODB_ENDPOINT_URL; all are restored afterwards.
    """
    server = start_dynamodb_local(log_path=artifact_path("logs", "dynamodb-local-integration.log"))
    patch = pytest.MonkeyPatch()
    try:
        for name, value in DUMMY_AWS_ENV.items():
            patch.setenv(name, value)
        patch.delenv("AWS_PROFILE", raising=False)
        patch.delenv("AWS_SESSION_TOKEN", raising=False)
        patch.setenv("DYNAMODB_ENDPOINT_URL", server.endpoint_url)
        _reset_settings()
        yield server.endpoint_url
    finally:
        patch.undo()
        _reset_settings()
        server.stop()


@pytest.fixture(scope="module")
def staff_issuer(tmp_path_factory: pytest.TempPathFactory) -> TestIssuer:
    """A throwaway staff-token issuer for the module (signing loads its key: once per module)."""
    return TestIssuer(tmp_path_factory.mktemp("staff-auth"))


@pytest.fixture(scope="module")
def memory_client(staff_issuer: TestIssuer) -> Iterator[Client]:
    """The app in process on the in-memory store, trusting ``staff_issuer``: for tests of rules that
    need no DynamoDB (those of storage run on DynamoDB Local)."""
    patch = pytest.MonkeyPatch()
    try:
        with app_client(patch, STORAGE="memory", **staff_issuer.environment()) as client:
            yield client
    finally:
        patch.undo()
