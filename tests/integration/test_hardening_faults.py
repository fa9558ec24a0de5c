"""DynamoDB failing under the API (on DynamoDB Local, errors injected below botocore's retries):
brief throttling is absorbed, persistent throttling gives 503 with Retry-After quickly, and a
failed write leaves nothing behind: never a 500, never a case without its event."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.retries.standard import ExponentialBackoff
from chalice.test import Client

from chalicelib.settings import get_settings
from tests.support.api_client import app_client, get_json, post_json
from tests.support.faults import UNREACHABLE, DynamoFaults, inject_dynamodb_faults
from tests.support.staff import TestIssuer

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
def test_persistent_throttling_gives_503_with_retry_after_within_seconds(
    client: Client, monkeypatch: pytest.MonkeyPatch, operation: str
) -> None:
    faults = DynamoFaults(lambda op, attempt: THROTTLE if operation in (op, "*") else None)
    # The waits botocore chooses between attempts (what it sleeps), not the wall clock, which a
    # busy machine stretches: their bound is what keeps an answer inside API Gateway's 29 s.
    waits: list[float] = []
    choose = ExponentialBackoff.delay_amount

    def recorded(self: ExponentialBackoff, context: Any) -> float:
        wait: float = choose(self, context)
        waits.append(wait)
        return wait

    monkeypatch.setattr(ExponentialBackoff, "delay_amount", recorded)
    with inject_dynamodb_faults(monkeypatch, faults):
        status, body, headers = post_json(
            client, "/complaints", COMPLAINT, {"Idempotency-Key": f"busy-{operation}"}
        )
    assert status == 503, body
    assert body["error"]["code"] == "service_unavailable"
    assert int(headers["Retry-After"]) > 0
    # Standard-mode retries: a few attempts, not legacy mode's ten, with waits of at most 1, 2 and 4 s.
    assert max(faults.sent.values()) == 4
    assert len(waits) == 3
    assert sum(waits) <= 1 + 2 + 4, waits
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


# --- DynamoDB unreachable during a transaction (issue 8, item 6) ------------------------------------
# Every write of a case goes through TransactWriteItems; unreachable, it fails without any AWS
# response code, which must still be a 503 with Retry-After and leave nothing behind.


def _unreachable_transactions() -> DynamoFaults:
    return DynamoFaults(lambda op, attempt: UNREACHABLE if op == "TransactWriteItems" else None)


def _assert_unavailable(status: int, body: dict[str, Any], headers: Mapping[str, str]) -> None:
    assert status == 503, body
    assert body["error"]["code"] == "service_unavailable"
    assert int(headers["Retry-After"]) > 0


def test_a_submission_without_a_key_while_dynamodb_is_unreachable_is_a_503(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    with inject_dynamodb_faults(monkeypatch, _unreachable_transactions()) as faults:
        _assert_unavailable(*post_json(client, "/complaints", COMPLAINT))
    assert faults.failed["TransactWriteItems"] == 4  # retried in standard mode, then given up
    assert stored() == {"cases": 0, "events": 0, "keys": 0}


@pytest.fixture
def staff_client(
    dynamodb_local: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[tuple[Client, TestIssuer]]:
    issuer = TestIssuer(tmp_path)
    with app_client(monkeypatch, **issuer.environment()) as test_client:
        yield test_client, issuer


def test_staff_and_complainant_saves_while_dynamodb_is_unreachable_are_503s_that_change_nothing(
    staff_client: tuple[Client, TestIssuer], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, issuer = staff_client
    officer = issuer.bearer("officer", name="王专员")
    _, receipt, _ = post_json(client, "/complaints", COMPLAINT)
    number, code = receipt["tracking_no"], {"X-Access-Code": receipt["access_code"]}
    _, before, _ = get_json(client, f"/admin/complaints/{number}", officer)
    accept = {
        "action": "accept",
        "expected_version": before["version"],
        "category": "env_air",
        "department": "ecology_environment",
        "priority": "normal",
    }
    registration = {**COMPLAINT, "channel": "phone", "received_at": "2026-11-30T09:00:00+08:00"}
    with inject_dynamodb_faults(monkeypatch, _unreachable_transactions()):
        _assert_unavailable(*post_json(client, f"/admin/complaints/{number}/actions", accept, officer))
        _assert_unavailable(
            *post_json(client, f"/complaints/{number}/information", {"message": "补充"}, code)
        )
        _assert_unavailable(*post_json(client, "/admin/complaints", registration, officer))
    _, after, _ = get_json(client, f"/admin/complaints/{number}", officer)
    assert (after["version"], len(after["history"]), after["status"]) == (
        before["version"],
        len(before["history"]),
        "received",
    )
    assert stored()["cases"] == 1
