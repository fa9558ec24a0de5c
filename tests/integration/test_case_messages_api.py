"""The messages of a case in the admin API (issue 13): who sees them and how, and resending one that
could not be delivered, through the app in process on moto's DynamoDB with the real delivery code and
a provider that refuses everything."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib.domain.messages import Message, render
from chalicelib.domain.vocabulary import departments
from tests.support.api_client import app_client, get_json, post_json
from tests.support.staff import TestIssuer

from .test_public_api import COMPLAINT


class _Refusing:
    def send(self, notice: object) -> str:
        from chalicelib.services.message_delivery import ProviderError

        raise ProviderError("MessageRejected", transient=False)


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> TestIssuer:
    return TestIssuer(tmp_path_factory.mktemp("staff-auth"))


@pytest.fixture
def client(issuer: TestIssuer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Client]:
    monkeypatch.delenv("DYNAMODB_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws(), app_client(monkeypatch, **issuer.environment()) as test_client:
        yield test_client


def deliver_refused() -> int:
    """Deliver what is due through a provider that refuses it for good; how many failed."""
    from chalicelib.domain.deadlines import default_policy
    from chalicelib.services.message_delivery import deliver_due
    from chalicelib.settings import get_settings
    from chalicelib.storage import outbox_for, repository_for

    settings = get_settings()
    counts = deliver_due(
        outbox_for(settings),
        _Refusing(),
        repository_for(settings),
        now=datetime.now(UTC),
        policy=default_policy(),
    )
    return counts.failed


def file_and_accept(client: Client, officer: dict[str, str], **changes: Any) -> str:
    status, receipt, _ = post_json(client, "/complaints", {**COMPLAINT, **changes})
    assert status == 201, receipt
    number: str = receipt["tracking_no"]
    _, case, _ = get_json(client, f"/admin/complaints/{number}", officer)
    status, case, _ = post_json(
        client,
        f"/admin/complaints/{number}/actions",
        {
            "action": "accept",
            "expected_version": case["version"],
            "category": case["category"]["code"],
            "department": "ecology_environment",
            "priority": "normal",
        },
        officer,
    )
    assert status == 200, case
    return number


def messages(client: Client, who: dict[str, str], number: str) -> tuple[int, dict[str, Any]]:
    status, body, _ = get_json(client, f"/admin/complaints/{number}/messages", who)
    return status, body


def resend(
    client: Client, who: dict[str, str], number: str, message_id: str, body: Any = None
) -> tuple[int, Any]:
    status, answer, _ = post_json(
        client,
        f"/admin/complaints/{number}/messages/{message_id}/resend",
        "" if body is None else body,
        who,
    )
    return status, answer


def test_the_office_resends_a_message_that_failed_and_a_handler_sees_it_without_the_button(
    client: Client, issuer: TestIssuer
) -> None:
    officer = issuer.bearer("officer", name="王专员")
    handler = issuer.bearer("handler", name="李承办", department="ecology_environment")
    other_handler = issuer.bearer("handler", name="周承办", department="market_regulation")
    number = file_and_accept(client, officer)
    assert deliver_refused() >= 2  # the acknowledgement and the department's handling notice

    status, seen = messages(client, officer, number)
    assert status == 200
    by_template = {m["template"]: m for m in seen["items"]}
    ack = by_template["acknowledgement"]
    assert (ack["role"], ack["state"], ack["error"], ack["resendable"]) == (
        "complainant",
        "failed",
        "MessageRejected",
        True,
    )
    # The complainant's address is masked; a staff mailbox is shown as it is.
    text = json.dumps(seen, ensure_ascii=False)
    assert COMPLAINT["email"] not in text
    assert COMPLAINT["phone"] not in text
    assert ack["recipient"] in {"li***@example.com", "+86 139****5678"}
    assert by_template["handling_notice"]["recipient"] == departments()["ecology_environment"].mailbox

    # The department's handler sees the messages but is not offered, nor allowed, a resend.
    status, seen_by_handler = messages(client, handler, number)
    assert status == 200
    assert [m["resendable"] for m in seen_by_handler["items"]] == [False] * len(seen["items"])
    assert resend(client, handler, number, ack["id"])[0] == 403
    # Another department's handler sees nothing of the case.
    assert messages(client, other_handler, number)[0] == 403

    # A body with anything in it is refused, and changes nothing.
    status, refused = resend(client, officer, number, ack["id"], {"now": "please"})
    assert status == 400, refused
    assert {m["id"]: m["state"] for m in messages(client, officer, number)[1]["items"]}[ack["id"]] == "failed"

    status, after = resend(client, officer, number, ack["id"])
    assert status == 200, after
    again = {m["id"]: m for m in after["items"]}[ack["id"]]
    assert (again["state"], again["resendable"], again["next_attempt_at"] is not None) == (
        "pending",
        False,
        True,
    )
    # Once back in line it cannot be resent a second time, nor can a message of another case.
    status, twice = resend(client, officer, number, ack["id"])
    assert (status, twice["error"]["code"]) == (409, "transition_not_allowed")
    assert twice["error"]["message"] == render(Message("message_not_failed"), "zh")
    other = file_and_accept(client, officer)
    assert resend(client, officer, other, ack["id"])[0] == 409
    assert resend(client, officer, number, "0" * 32)[0] == 409


def test_who_may_not_see_who_complained_sees_no_address_of_theirs(client: Client, issuer: TestIssuer) -> None:
    officer = issuer.bearer("officer", name="王专员")
    supervisor = issuer.bearer("supervisor", name="张主管")
    number = file_and_accept(client, officer, category="staff_conduct", subject="窗口工作人员态度恶劣")
    deliver_refused()

    _, seen_by_officer = messages(client, officer, number)
    complainants = [m for m in seen_by_officer["items"] if m["role"] == "complainant"]
    assert complainants
    assert all(m["recipient"] is None for m in complainants)
    _, seen_by_supervisor = messages(client, supervisor, number)
    assert all(m["recipient"] for m in seen_by_supervisor["items"] if m["role"] == "complainant")
    # Only the supervisor's view showed the (masked) address: only it is logged.
    _, log, _ = get_json(client, f"/admin/complaints/{number}/access-log", supervisor)
    assert [(e["staff_name"], e["purpose"]) for e in log["items"] if e["purpose"] == "messages"] == [
        ("张主管", "messages")
    ]
