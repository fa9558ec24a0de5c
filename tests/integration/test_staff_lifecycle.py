"""A case walked through every action and status over HTTP, by the roles that may take each step."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from chalice.test import Client
from moto import mock_aws

from tests.support.api_client import app_client, get_json, post_json
from tests.support.staff import TestIssuer

from .test_public_api import COMPLAINT


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


class People:
    def __init__(self, issuer: TestIssuer) -> None:
        self.officer = issuer.bearer("officer", name="王专员")
        self.handler = issuer.bearer("handler", name="李承办", department="ecology_environment")
        self.other_handler = issuer.bearer("handler", name="周承办", department="market_regulation")
        self.supervisor = issuer.bearer("supervisor", name="张主管")
        self.second_supervisor = issuer.bearer("supervisor", name="赵主管")


def iso_z(moment: str) -> str:
    """A moment as the API shows it: UTC, whole seconds, with Z."""
    parsed = datetime.fromisoformat(moment).astimezone(UTC).replace(microsecond=0, tzinfo=None)
    return parsed.isoformat() + "Z"


def act(
    client: Client, who: dict[str, str], number: str, version: int, action: str, **fields: Any
) -> tuple[int, dict[str, Any]]:
    status, body, _ = post_json(
        client,
        f"/admin/complaints/{number}/actions",
        {"action": action, "expected_version": version, **fields},
        who,
    )
    return status, body


def ok(
    client: Client, who: dict[str, str], case: dict[str, Any], action: str, **fields: Any
) -> dict[str, Any]:
    status, body = act(client, who, case["tracking_no"], case["version"], action, **fields)
    assert status == 200, (action, body)
    assert body["version"] == case["version"] + 1
    return body


def file(client: Client, **changes: Any) -> dict[str, Any]:
    status, receipt, _ = post_json(client, "/complaints", {**COMPLAINT, **changes})
    assert status == 201
    return receipt


def test_a_case_goes_through_every_action_and_status(client: Client, issuer: TestIssuer) -> None:
    people = People(issuer)
    receipt = file(client)
    number, code = receipt["tracking_no"], {"X-Access-Code": receipt["access_code"]}
    _, case, _ = get_json(client, f"/admin/complaints/{number}", people.officer)
    assert case["status"] == "received"
    assert case["allowed_actions"] == ["accept", "reject", "note", "reply"]

    # A stale version changes nothing.
    status, body = act(client, people.officer, number, case["version"] + 5, "note", note="x")
    assert status == 409
    assert body["error"]["code"] == "version_conflict"

    case = ok(client, people.officer, case, "reply", message="已收到，正在核实。")
    case = ok(
        client,
        people.officer,
        case,
        "accept",
        category="env_air",
        department="ecology_environment",
        priority="normal",
    )
    assert (case["status"], case["department"]["code"], case["priority"]["code"]) == (
        "accepted",
        "ecology_environment",
        "normal",
    )
    assert {d["kind"] for d in case["deadlines"]} >= {"acknowledge", "decide", "respond", "report"}

    status, _ = act(client, people.other_handler, number, case["version"], "start")
    assert status == 403
    case = ok(client, people.handler, case, "start")
    assert case["status"] == "in_progress"
    case = ok(client, people.handler, case, "note", note="已联系企业负责人")
    case = ok(
        client,
        people.officer,
        case,
        "transfer",
        department="ecology_environment",
        reason="确认由生态环境分局办理",
    )

    status, _ = act(
        client,
        people.officer,
        number,
        case["version"],
        "extend",
        due_at="2027-03-01T18:00:00+08:00",
        reason="x",
    )
    assert status == 403
    respond_due = next(d["due_at"] for d in case["deadlines"] if d["kind"] == "respond")
    later = (datetime.fromisoformat(respond_due.replace("Z", "+00:00")) + timedelta(days=7)).isoformat()
    case = ok(client, people.supervisor, case, "extend", due_at=later, reason="需要第三方检测报告")

    case = ok(
        client,
        people.handler,
        case,
        "respond",
        decision="partly_upheld",
        reasons="监测发现夜间排放超标",
        remedy="已责令限期整改",
    )
    assert case["status"] == "responded"
    case = ok(
        client,
        people.officer,
        case,
        "callback",
        satisfaction="basically_satisfied",
        comment="希望加强夜间巡查",
    )
    assert case["callback_satisfaction"]["code"] == "basically_satisfied"

    # The complainant asks for a review with their access code ...
    status, own, _ = post_json(client, f"/complaints/{number}/review", {"reasons": "整改后仍有排放"}, code)
    assert status == 200
    assert own["status"] == "under_review"
    _, case, _ = get_json(client, f"/admin/complaints/{number}", people.supervisor)
    # ... which the person who responded may not decide (nor may an officer) ...
    status, body = act(
        client, people.handler, number, case["version"], "review_decision", decision="upheld", reasons="x"
    )
    assert status == 403
    status, body = act(
        client, people.officer, number, case["version"], "review_decision", decision="upheld", reasons="x"
    )
    assert status == 403
    # ... a supervisor who did not take part does.
    case = ok(
        client,
        people.supervisor,
        case,
        "review_decision",
        decision="upheld",
        reasons="复查确认仍超标",
        remedy="立案处罚",
    )
    assert case["status"] == "responded"
    case = ok(client, people.officer, case, "close")
    assert case["status"] == "closed"

    actions = [e["action"] for e in case["history"]]
    assert actions == [
        "submit", "reply", "accept", "start", "note", "transfer", "extend",
        "respond", "callback", "request_review", "review_decision", "close",
    ]  # fmt: skip
    statuses = [m["status"] for m in case["milestones"]]
    assert statuses == [
        "received",
        "accepted",
        "in_progress",
        "responded",
        "under_review",
        "responded",
        "closed",
    ]
    assert [e["seq"] for e in case["history"]] == list(range(1, len(actions) + 1))

    # The complainant sees the reply, the extension and the decisions, never the internal note.
    _, own, _ = get_json(client, f"/complaints/{number}", code)
    texts = json.dumps(own["messages"], ensure_ascii=False)
    assert "已收到，正在核实。" in texts
    assert "需要第三方检测报告" in texts
    assert "复查确认仍超标" in texts
    assert "已联系企业负责人" not in texts
    assert "确认由生态环境分局办理" not in texts
    assert "王专员" not in texts


def test_rejection_with_reasons_then_review_then_closing(client: Client, issuer: TestIssuer) -> None:
    people = People(issuer)
    receipt = file(client, category="other", subject="小区门口广告牌")
    number, code = receipt["tracking_no"], {"X-Access-Code": receipt["access_code"]}
    _, case, _ = get_json(client, f"/admin/complaints/{number}", people.officer)
    status, body = act(
        client, people.officer, number, case["version"], "reject", reason_code="made_up", explanation="x"
    )
    assert status == 400
    assert set(body["error"]["fields"]) == {"reason_code"}
    case = ok(
        client,
        people.officer,
        case,
        "reject",
        reason_code="out_of_scope",
        explanation="商业广告不属于本平台受理范围，请向城管12319反映。",
    )
    assert case["status"] == "rejected"
    _, own, _ = get_json(client, f"/complaints/{number}", code)
    assert own["messages"][-1]["data"]["reason_code"]["label"]["zh"] == "不属于本平台受理范围"
    assert "request_review" in own["allowed_actions"]
    post_json(client, f"/complaints/{number}/review", {"reasons": "广告牌存在安全隐患"}, code)
    _, case, _ = get_json(client, f"/admin/complaints/{number}", people.officer)
    status, _ = act(
        client, people.officer, number, case["version"], "review_decision", decision="upheld", reasons="x"
    )
    assert status == 403  # the officer rejected it, and officers do not decide reviews
    case = ok(
        client,
        people.supervisor,
        case,
        "review_decision",
        decision="upheld",
        reasons="存在安全隐患，转应急管理局",
    )
    case = ok(client, people.officer, case, "close")
    assert [m["status"] for m in case["milestones"]] == [
        "received",
        "rejected",
        "under_review",
        "responded",
        "closed",
    ]


def test_withdrawal_and_registration_from_other_channels(client: Client, issuer: TestIssuer) -> None:
    people = People(issuer)
    received = (datetime.now(UTC) - timedelta(hours=3)).isoformat()
    registration = {**COMPLAINT, "channel": "phone", "subject": "电话投诉：路灯不亮", "received_at": received}
    status, _, _ = post_json(client, "/admin/complaints", registration, people.handler)
    assert status == 403
    status, receipt, _ = post_json(client, "/admin/complaints", registration, people.officer)
    assert status == 201
    _, case, _ = get_json(client, f"/admin/complaints/{receipt['tracking_no']}", people.officer)
    assert case["channel"]["code"] == "phone"
    assert case["history"][0]["action"] == "register"
    assert case["history"][0]["actor"]["name"] == "王专员"
    # The clocks run from when the call came in, and the acknowledgement waits for staff to tell.
    assert case["submitted_at"] == iso_z(received)
    acknowledge = next(d for d in case["deadlines"] if d["kind"] == "acknowledge")
    assert acknowledge["met_at"] is None
    assert "acknowledge" in case["allowed_actions"]
    status, body, _ = post_json(client, "/admin/complaints", {**COMPLAINT, "channel": "web"}, people.officer)
    assert status == 400
    assert set(body["error"]["fields"]) == {"channel"}

    status, own, _ = post_json(
        client,
        f"/complaints/{receipt['tracking_no']}/withdraw",
        {"reason": "问题已解决"},
        {"X-Access-Code": receipt["access_code"]},
    )
    assert status == 200
    assert own["status"] == "withdrawn"
    _, case, _ = get_json(client, f"/admin/complaints/{receipt['tracking_no']}", people.officer)
    assert case["allowed_actions"] == ["note"]
    status, body = act(
        client,
        people.officer,
        receipt["tracking_no"],
        case["version"],
        "accept",
        category="other",
        department="complaint_center",
        priority="normal",
    )
    assert status == 409
    assert body["error"]["code"] == "transition_not_allowed"


def test_confidential_cases_hide_the_complainant_from_all_but_supervisors_and_views_are_logged(
    client: Client, issuer: TestIssuer
) -> None:
    people = People(issuer)
    receipt = file(client, category="staff_conduct", subject="窗口工作人员态度恶劣", name="举报人甲")
    number = receipt["tracking_no"]
    _, seen_by_officer, _ = get_json(client, f"/admin/complaints/{number}", people.officer)
    assert seen_by_officer["confidential"] is True
    assert seen_by_officer["complainant"]["redacted"] is True
    assert "举报人甲" not in json.dumps(seen_by_officer, ensure_ascii=False)
    assert COMPLAINT["phone"] not in json.dumps(seen_by_officer)
    _, seen_by_supervisor, _ = get_json(client, f"/admin/complaints/{number}", people.supervisor)
    assert seen_by_supervisor["complainant"]["name"] == "举报人甲"
    status, log, _ = get_json(client, f"/admin/complaints/{number}/access-log", people.supervisor)
    assert status == 200
    assert [(e["staff_name"], e["role"]) for e in log["items"]] == [("张主管", "supervisor")]

    ordinary = file(client)
    get_json(client, f"/admin/complaints/{ordinary['tracking_no']}", people.officer)
    _, log, _ = get_json(client, f"/admin/complaints/{ordinary['tracking_no']}/access-log", people.supervisor)
    assert [e["staff_name"] for e in log["items"]] == ["王专员"]
    assert datetime.fromisoformat(log["items"][0]["at"]) <= datetime.now(UTC)


def test_handlers_list_only_their_departments_cases(client: Client, issuer: TestIssuer) -> None:
    people = People(issuer)
    for category, department in (("env_air", "ecology_environment"), ("quality", "market_regulation")):
        receipt = file(client, category=category)
        _, case, _ = get_json(client, f"/admin/complaints/{receipt['tracking_no']}", people.officer)
        ok(
            client,
            people.officer,
            case,
            "accept",
            category=category,
            department=department,
            priority="normal",
        )
    _, page, _ = get_json(client, "/admin/complaints", people.handler)
    assert {item["department"]["code"] for item in page["items"]} == {"ecology_environment"}
    status, _, _ = get_json(client, "/admin/complaints?department=market_regulation", people.handler)
    assert status == 403
    _, everything, _ = get_json(client, "/admin/complaints", people.officer)
    assert len(everything["items"]) == 2


def test_a_registration_without_its_channel_reports_every_mistake_at_once(
    client: Client, issuer: TestIssuer
) -> None:
    people = People(issuer)
    incomplete = {key: value for key, value in COMPLAINT.items() if key not in ("subject", "consent")}
    status, body, _ = post_json(
        client, "/admin/complaints", incomplete, {**people.officer, "Accept-Language": "en"}
    )
    assert status == 400
    assert set(body["error"]["fields"]) == {"channel", "received_at", "subject", "consent"}
    assert body["error"]["fields"]["channel"] == "Channel is required."
    # Staff are told what to do in their own words, not the complainant's.
    assert "complainant" in body["error"]["fields"]["consent"]


def test_the_queue_takes_lang_like_every_other_route(client: Client, issuer: TestIssuer) -> None:
    people = People(issuer)
    status, body, _ = get_json(client, "/admin/complaints?lang=en&status=lost", people.officer)
    assert status == 400
    assert body["error"]["fields"] == {"status": "Status must be one of the listed values."}
    assert get_json(client, "/admin/complaints?lang=zh", people.officer)[0] == 200
