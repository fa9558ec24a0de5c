"""The callbacks worklist's API (issue 10): the queue filtered to call backs due, the contact shown
on request to whoever may call back and see the complainant (each reveal logged), and "could not
reach them" moving the call back's clock within the policy's bound."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from chalice.test import Client

from chalicelib.domain.deadlines import default_policy
from tests.support.api_client import get_json, post_json
from tests.support.staff import TestIssuer

from .test_public_api import COMPLAINT


@pytest.fixture(scope="module")
def issuer(staff_issuer: TestIssuer) -> TestIssuer:
    return staff_issuer


@pytest.fixture(scope="module")
def client(memory_client: Client) -> Client:
    return memory_client


@pytest.fixture(scope="module")
def officer(issuer: TestIssuer) -> dict[str, str]:
    return issuer.bearer("officer", name="王专员")


@pytest.fixture(scope="module")
def supervisor(issuer: TestIssuer) -> dict[str, str]:
    return issuer.bearer("supervisor", name="张主管")


def act(client: Client, who: dict[str, str], number: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    _, case, _ = get_json(client, f"/admin/complaints/{number}", who)
    status, answer, _ = post_json(
        client, f"/admin/complaints/{number}/actions", {**body, "expected_version": case["version"]}, who
    )
    return status, answer


def responded(client: Client, officer: dict[str, str], **changes: Any) -> str:
    status, receipt, _ = post_json(client, "/complaints", {**COMPLAINT, **changes})
    assert status == 201, receipt
    number: str = receipt["tracking_no"]
    _, case, _ = get_json(client, f"/admin/complaints/{number}", officer)
    accepted = {"action": "accept", "category": case["category"]["code"], "priority": "normal"}
    department = "discipline_inspection" if case["confidential"] else "ecology_environment"
    assert act(client, officer, number, {**accepted, "department": department})[0] == 200
    status, answer = act(
        client, officer, number, {"action": "respond", "decision": "upheld", "reasons": "已整改"}
    )
    assert status == 200, answer
    return number


def worklist(client: Client, who: dict[str, str]) -> list[str]:
    status, page, _ = get_json(client, "/admin/complaints?due=callback&limit=100", who)
    assert status == 200, page
    assert all(item["next_due"]["kind"] == "callback" for item in page["items"])
    return [item["tracking_no"] for item in page["items"]]


def reveal(client: Client, who: dict[str, str], number: str) -> tuple[int, dict[str, Any]]:
    response = client.http.post(f"/admin/complaints/{number}/contact", headers=who)
    return response.status_code, json.loads(response.body)


def purposes(client: Client, supervisor: dict[str, str], number: str) -> list[str]:
    _, log, _ = get_json(client, f"/admin/complaints/{number}/access-log", supervisor)
    return [entry["purpose"] for entry in log["items"]]


def test_the_worklist_lists_responded_cases_whose_call_back_is_due(
    client: Client, officer: dict[str, str]
) -> None:
    number = responded(client, officer)
    status, receipt, _ = post_json(client, "/complaints", COMPLAINT)
    assert status == 201
    listed = worklist(client, officer)
    assert number in listed
    assert receipt["tracking_no"] not in listed


def test_the_contact_is_shown_on_request_and_each_reveal_is_logged(
    client: Client, officer: dict[str, str], supervisor: dict[str, str]
) -> None:
    number = responded(client, officer, phone="13700001111")
    before = purposes(client, supervisor, number).count("contact")
    status, contact = reveal(client, officer, number)
    assert status == 200, contact
    assert contact["phone"] == "13700001111"
    assert contact["name"] == COMPLAINT["name"]
    assert purposes(client, supervisor, number).count("contact") == before + 1


def test_who_may_not_see_the_contact_is_refused(
    client: Client, issuer: TestIssuer, officer: dict[str, str], supervisor: dict[str, str]
) -> None:
    confidential = responded(client, officer, category="staff_conduct")
    status, refused = reveal(client, officer, confidential)
    assert status == 403
    assert "supervisors" in refused["error"]["message"] or "主管" in refused["error"]["message"]
    assert reveal(client, supervisor, confidential)[0] == 200
    handler = issuer.bearer("handler", name="李承办", department="discipline_inspection")
    assert reveal(client, handler, confidential)[0] == 403
    anonymous = {k: v for k, v in COMPLAINT.items() if k not in ("name", "phone", "email")}
    status, receipt, _ = post_json(client, "/complaints", {**anonymous, "anonymous": True})
    assert status == 201, receipt
    assert reveal(client, officer, receipt["tracking_no"])[0] == 409
    response = client.http.post(
        f"/admin/complaints/{confidential}/contact",
        headers={**supervisor, "Content-Type": "application/json"},
        body=json.dumps({"why": "x"}),
    )
    assert response.status_code == 400


def test_could_not_reach_moves_the_call_back_within_the_policys_bound(
    client: Client, officer: dict[str, str]
) -> None:
    number = responded(client, officer)
    now = datetime.now(UTC)
    status, answer = act(
        client,
        officer,
        number,
        {"action": "callback_unreachable", "retry_at": (now - timedelta(hours=1)).isoformat()},
    )
    assert status == 400
    assert "retry_at" in answer["error"]["fields"]
    latest = default_policy().due("callback_retry_max", now).at
    status, answer = act(
        client,
        officer,
        number,
        {"action": "callback_unreachable", "retry_at": (latest + timedelta(days=1)).isoformat()},
    )
    assert status == 400
    assert "retry_at" in answer["error"]["fields"]
    retry = (now + timedelta(days=1)).replace(microsecond=0)
    status, case = act(
        client,
        officer,
        number,
        {"action": "callback_unreachable", "retry_at": retry.isoformat(), "comment": "无人接听"},
    )
    assert status == 200, case
    callback = next(d for d in case["deadlines"] if d["kind"] == "callback")
    assert datetime.fromisoformat(callback["due_at"]) == retry
    assert case["history"][-1]["visibility"] == "internal"
    assert number in worklist(client, officer)
    status, case = act(client, officer, number, {"action": "callback", "satisfaction": "satisfied"})
    assert status == 200, case
    assert number not in worklist(client, officer)
    assert "callback_unreachable" not in case["allowed_actions"]
