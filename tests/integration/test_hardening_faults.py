"""DynamoDB failing under the API (on DynamoDB Local, errors injected below botocore's retries):
brief throttling is absorbed, persistent throttling gives 503 with Retry-After quickly, and a
failed write leaves nothing behind: never a 500, never a case without its event."""

from __future__ import annotations

import time
from collections.abc import Iterator

import boto3
import pytest
from chalice.test import Client

from chalicelib.settings import get_settings
from tests.support.api_client import app_client, post_json
from tests.support.faults import DynamoFaults, inject_dynamodb_faults

from .test_public_api import COMPLAINT

THROTTLE = "ThrottlingException"


@pytest.fixture
def client(dynamodb_local: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Client]:
    with app_client(monkeypatch) as test_client:
        yield test_client


def stored() -> dict[str, int]:
    settings = get_settings()
    dynamodb = boto3.client(
        "dynamodb", endpoint_url=settings.dynamodb_endpoint_url, region_name=settings.region
    )
    tables = {
        "cases": settings.cases_table,
        "events": settings.events_table,
        "keys": settings.idempotency_table,
    }
    return {kind: dynamodb.scan(TableName=name, Select="COUNT")["Count"] for kind, name in tables.items()}


@pytest.mark.parametrize("operation", ["GetItem", "TransactWriteItems"])
def test_throttling_on_the_first_two_attempts_still_files_the_complaint(
    client: Client, monkeypatch: pytest.MonkeyPatch, operation: str
) -> None:
    faults = DynamoFaults(lambda op, attempt: THROTTLE if op == operation and attempt <= 2 else None)
    with inject_dynamodb_faults(monkeypatch, faults):
        status, receipt, _ = post_json(
            client, "/complaints", COMPLAINT, {"Idempotency-Key": f"retry-{operation}"}
        )
    assert status == 201, receipt
    assert faults.failed == {operation: 2}
    assert faults.sent[operation] == 3
    assert stored() == {"cases": 1, "events": 1, "keys": 1}


@pytest.mark.parametrize("operation", ["GetItem", "TransactWriteItems", "*"])
def test_persistent_throttling_gives_503_with_retry_after_within_10_seconds(
    client: Client, monkeypatch: pytest.MonkeyPatch, operation: str
) -> None:
    faults = DynamoFaults(lambda op, attempt: THROTTLE if operation in (op, "*") else None)
    started = time.monotonic()
    with inject_dynamodb_faults(monkeypatch, faults):
        status, body, headers = post_json(
            client, "/complaints", COMPLAINT, {"Idempotency-Key": f"busy-{operation}"}
        )
    elapsed = time.monotonic() - started
    assert status == 503, body
    assert body["error"]["code"] == "service_unavailable"
    assert int(headers["Retry-After"]) > 0
    assert elapsed < 10, elapsed
    # Standard-mode retries: a few attempts, not legacy mode's ten.
    assert max(faults.sent.values()) == 4
    assert stored() == {"cases": 0, "events": 0, "keys": 0}


@pytest.mark.parametrize(
    "code", ["InternalServerError", "TransactionCanceledException", "ValidationException"]
)
def test_a_failed_write_leaves_nothing_and_is_never_a_500_with_a_stack_trace(
    client: Client, monkeypatch: pytest.MonkeyPatch, code: str
) -> None:
    faults = DynamoFaults(lambda op, attempt: code if op == "TransactWriteItems" else None)
    with inject_dynamodb_faults(monkeypatch, faults):
        status, body, _ = post_json(client, "/complaints", COMPLAINT)
    assert status in (500, 503), body
    assert set(body) == {"error"}
    assert "Traceback" not in str(body)
    assert stored() == {"cases": 0, "events": 0, "keys": 0}


def test_a_read_failing_for_good_gives_503_not_500(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    _, receipt, _ = post_json(client, "/complaints", COMPLAINT)
    faults = DynamoFaults(lambda op, attempt: "InternalServerError" if op == "GetItem" else None)
    with inject_dynamodb_faults(monkeypatch, faults):
        response = client.http.get(f"/complaints/{receipt['tracking_no']}")
    assert response.status_code == 503
    assert response.headers["Retry-After"]
