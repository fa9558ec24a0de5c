"""Extension requests (issue 10): a handler asks for a later time limit with a reason, a supervisor
approves it (the limit moves, the complainant is told) or declines it with a reason; both are
events, one request at a time, and the cap comes from policy.json."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from chalice.test import Client

from chalicelib.domain.deadlines import default_policy
from chalicelib.settings import get_settings
from chalicelib.storage import outbox_for
from tests.support.api_client import get_json, post_json
from tests.support.staff import TestIssuer

from .test_public_api import COMPLAINT

POLICY = default_policy()


@pytest.fixture(scope="module")
def issuer(staff_issuer: TestIssuer) -> TestIssuer:
    return staff_issuer


@pytest.fixture(scope="module")
def client(memory_client: Client) -> Client:
    return memory_client


@pytest.fixture(scope="module")
def people(issuer: TestIssuer) -> dict[str, dict[str, str]]:
    return {
        "officer": issuer.bearer("officer", name="王专员"),
        "handler": issuer.bearer("handler", name="李承办", department="ecology_environment"),
        "supervisor": issuer.bearer("supervisor", name="张主管"),
    }


def act(client: Client, who: dict[str, str], number: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    _, case, _ = get_json(client, f"/admin/complaints/{number}", who)
    status, answer, _ = post_json(
        client, f"/admin/complaints/{number}/actions", {**body, "expected_version": case["version"]}, who
    )
    return status, answer


def accepted(client: Client, people: dict[str, dict[str, str]]) -> tuple[str, datetime]:
    status, receipt, _ = post_json(client, "/complaints", COMPLAINT)
    assert status == 201, receipt
    number: str = receipt["tracking_no"]
    body = {
        "action": "accept",
        "category": "env_air",
        "department": "ecology_environment",
        "priority": "normal",
    }
    status, case = act(client, people["officer"], number, body)
    assert status == 200, case
    respond = next(d for d in case["deadlines"] if d["kind"] == "respond")
    return number, datetime.fromisoformat(respond["due_at"])


def test_a_handlers_request_approved_by_a_supervisor_moves_the_limit_and_tells_the_complainant(
    client: Client, people: dict[str, dict[str, str]]
) -> None:
    number, due = accepted(client, people)
    wanted = due + timedelta(days=5)
    status, case = act(
        client,
        people["handler"],
        number,
        {"action": "request_extension", "due_at": wanted.isoformat(), "reason": "需要第三方检测报告"},
    )
    assert status == 200, case
    assert case["extension_request"]["reason"] == "需要第三方检测报告"
    assert case["extension_request"]["by"] == "李承办"
    assert case["history"][-1]["visibility"] == "internal"
    assert "request_extension" not in case["allowed_actions"], "one request at a time"
    status, _ = act(
        client,
        people["handler"],
        number,
        {"action": "request_extension", "due_at": wanted.isoformat(), "reason": "再次"},
    )
    assert status == 409
    # Approving is for supervisors only.
    assert act(client, people["handler"], number, {"action": "approve_extension", "reason": "x"})[0] == 403
    _, seen, _ = get_json(client, f"/admin/complaints/{number}", people["supervisor"])
    assert {"approve_extension", "decline_extension"} <= set(seen["allowed_actions"])

    status, case = act(
        client, people["supervisor"], number, {"action": "approve_extension", "reason": "检测需要时间"}
    )
    assert status == 200, case
    respond = next(d for d in case["deadlines"] if d["kind"] == "respond")
    assert datetime.fromisoformat(respond["due_at"]) == wanted
    assert case["extension_request"] is None
    event = case["history"][-1]
    assert event["action"] == "approve_extension"
    assert event["visibility"] == "public"
    assert event["note"] == "检测需要时间"
    templates = [m.notice.template for m in outbox_for(get_settings()).for_case(number.replace("-", ""))]
    assert "extended" in templates
    # The public status shows the new limit, and nothing the staff wrote to each other.
    _, public, _ = get_json(client, f"/complaints/{number}")
    shown = next(d for d in public["deadlines"] if d["kind"] == "respond")
    assert datetime.fromisoformat(shown["due_at"].replace("Z", "+00:00")) == wanted.replace(microsecond=0)
    assert "需要第三方检测报告" not in str(public)


def test_a_declined_request_leaves_the_limit_and_can_be_asked_again(
    client: Client, people: dict[str, dict[str, str]]
) -> None:
    number, due = accepted(client, people)
    wanted = (due + timedelta(days=3)).isoformat()
    assert (
        act(
            client,
            people["handler"],
            number,
            {"action": "request_extension", "due_at": wanted, "reason": "人手不足"},
        )[0]
        == 200
    )
    status, case = act(
        client, people["supervisor"], number, {"action": "decline_extension", "reason": "按原时限办理"}
    )
    assert status == 200, case
    respond = next(d for d in case["deadlines"] if d["kind"] == "respond")
    assert datetime.fromisoformat(respond["due_at"]) == due
    assert case["extension_request"] is None
    assert case["history"][-1]["visibility"] == "internal"
    assert (
        act(
            client,
            people["handler"],
            number,
            {"action": "request_extension", "due_at": wanted, "reason": "仍需时间"},
        )[0]
        == 200
    )


def test_the_cap_of_policy_json_bounds_a_request(client: Client, people: dict[str, dict[str, str]]) -> None:
    number, due = accepted(client, people)
    latest = POLICY.due("extension_max", due).at
    status, answer = act(
        client,
        people["handler"],
        number,
        {
            "action": "request_extension",
            "due_at": (latest + timedelta(days=1)).isoformat(),
            "reason": "很久",
        },
    )
    assert status == 400
    assert "due_at" in answer["error"]["fields"]
    status, answer = act(
        client,
        people["handler"],
        number,
        {"action": "request_extension", "due_at": due.isoformat(), "reason": "不晚"},
    )
    assert status == 400
    assert "due_at" in answer["error"]["fields"]
    assert act(client, people["supervisor"], number, {"action": "approve_extension", "reason": "x"})[0] == 409


def _waiting(client: Client, who: dict[str, str], query: str = "") -> list[str]:
    status, page, _ = get_json(client, f"/admin/complaints?extension=waiting&limit=100{query}", who)
    assert status == 200, page
    return [item["tracking_no"] for item in page["items"]]


def test_a_supervisor_finds_the_waiting_requests_in_their_own_queue_until_decided(
    client: Client, people: dict[str, dict[str, str]]
) -> None:
    asked, due = accepted(client, people)
    approved, due_approved = accepted(client, people)
    untouched, _ = accepted(client, people)
    for number, limit in ((asked, due), (approved, due_approved)):
        status, case = act(
            client,
            people["handler"],
            number,
            {
                "action": "request_extension",
                "due_at": (limit + timedelta(days=3)).isoformat(),
                "reason": "待检测",
            },
        )
        assert status == 200, case
    waiting = _waiting(client, people["supervisor"])
    assert {asked, approved} <= set(waiting)
    assert untouched not in waiting
    # The handler sees their department's (these are theirs); the filter narrows like any other.
    assert {asked, approved} <= set(_waiting(client, people["handler"]))
    assert asked not in _waiting(client, people["supervisor"], "&department=market_regulation")

    status, case = act(
        client, people["supervisor"], approved, {"action": "approve_extension", "reason": "同意"}
    )
    assert status == 200, case
    waiting = _waiting(client, people["supervisor"])
    assert asked in waiting
    assert approved not in waiting


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_unknown_extension_filter_is_refused_naming_it(
    client: Client, people: dict[str, dict[str, str]], lang: str
) -> None:
    status, answer, _ = get_json(
        client, f"/admin/complaints?extension=approved&lang={lang}", people["supervisor"]
    )
    assert status == 400
    assert set(answer["error"]["fields"]) == {"extension"}
