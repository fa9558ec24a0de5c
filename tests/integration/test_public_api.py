"""The public API end to end in process, on moto's DynamoDB (fast; concurrency is tested on
DynamoDB Local in test_dynamodb_local.py)."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any
from unittest import mock

import boto3
import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib.settings import get_settings
from chalicelib.storage.case_repository import DynamoCaseRepository
from tests.support.api_client import PORTAL_ORIGIN, app_client, get_json, post_json

COMPLAINT: dict[str, Any] = {
    "complainant_type": "individual",
    "name": "李四",
    "phone": "13912345678",
    "email": "lisi@example.com",
    "preferred_language": "zh",
    "category": "env_air",
    "subject": "工厂夜间排放黑烟",
    "description": "园区东侧工厂每晚十点后排放黑烟，气味刺鼻，已持续两周。",
    "location": "园区东路18号附近",
    "occurred_on": "2026-11-20",
    "desired_outcome": "请查处并停止夜间排放",
    "consent": True,
}


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Client]:
    monkeypatch.delenv("DYNAMODB_ENDPOINT_URL", raising=False)
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws(), app_client(monkeypatch) as test_client:
        yield test_client


def stored() -> dict[str, int]:
    """How many items each table holds (a test may Scan; the application never does)."""
    settings = get_settings()
    dynamodb = boto3.client("dynamodb", region_name=settings.region)
    tables = {
        "cases": settings.cases_table,
        "events": settings.events_table,
        "keys": settings.idempotency_table,
    }
    return {kind: dynamodb.scan(TableName=name, Select="COUNT")["Count"] for kind, name in tables.items()}


def test_meta_lists_categories_channels_and_time_limits_with_both_labels(client: Client) -> None:
    status, meta, headers = get_json(client, "/meta")
    assert status == 200
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    codes = {c["code"] for c in meta["categories"]}
    assert {"env_air", "env_water", "env_noise", "staff_conduct", "admin_service", "infrastructure"} <= codes
    assert {"sanitation", "safety_hazard", "quality", "compensation", "other"} <= codes
    assert all(set(c["label"]) == {"zh", "en"} for c in meta["categories"])
    assert [c["code"] for c in meta["channels"]] == ["web", "phone", "letter", "visit", "email", "mailbox"]
    limits = {x["code"]: x for x in meta["time_limits"]}
    assert limits["acknowledge"]["hours"] == 24
    assert limits["review"]["working_days"] == 5


def test_filing_answers_201_with_number_code_status_and_reply_date(client: Client) -> None:
    status, receipt, _ = post_json(client, "/complaints", COMPLAINT)
    assert status == 201, receipt
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", receipt["tracking_no"])
    assert re.fullmatch(r"([0-9A-Z]{4}-){3}[0-9A-Z]{4}", receipt["access_code"])
    assert receipt["status"] == "received"
    assert receipt["status_label"] == {"zh": "已接收", "en": "Received"}
    assert receipt["reply_due_at"] > receipt["submitted_at"]
    assert set(receipt["next_steps"]) == {"zh", "en"}
    assert stored() == {"cases": 1, "events": 1, "keys": 0}


def test_the_same_idempotency_key_and_body_file_one_case(client: Client) -> None:
    headers = {"Idempotency-Key": "9b1f7a5e-2c1d-4e4b-8f00-1a2b3c4d5e6f"}
    _, first, _ = post_json(client, "/complaints", COMPLAINT, headers)
    # The same body formatted differently is the same request.
    status, again, replay_headers = post_json(client, "/complaints", json.dumps(COMPLAINT, indent=4), headers)
    assert status == 201
    assert replay_headers.get("Idempotent-Replayed") == "true"
    assert again["tracking_no"] == first["tracking_no"]
    assert again["access_code"] == first["access_code"]
    assert stored() == {"cases": 1, "events": 1, "keys": 1}


def test_the_same_key_with_a_different_body_gets_422(client: Client) -> None:
    headers = {"Idempotency-Key": "key-1"}
    post_json(client, "/complaints", COMPLAINT, headers)
    status, body, _ = post_json(client, "/complaints", {**COMPLAINT, "subject": "另一件事情"}, headers)
    assert status == 422
    assert body["error"]["code"] == "idempotency_mismatch"
    assert stored()["cases"] == 1


@pytest.mark.parametrize("key", ["", "x" * 129, "中文", "has space"])
def test_a_malformed_idempotency_key_is_refused(client: Client, key: str) -> None:
    status, body, _ = post_json(client, "/complaints", COMPLAINT, {"Idempotency-Key": key})
    assert status == 400
    assert "Idempotency-Key" in body["error"]["fields"]
    assert stored()["cases"] == 0


def test_bad_input_gets_400_with_a_message_per_field_in_chinese_by_default(client: Client) -> None:
    bad = {**COMPLAINT, "name": "", "phone": "123", "email": "nope", "consent": False, "category": "env_air"}
    status, body, _ = post_json(client, "/complaints", bad)
    assert status == 400
    error = body["error"]
    assert error["code"] == "validation_failed"
    assert error["message"].startswith("提交的信息有误")
    assert error["fields"] == {
        "name": "请填写姓名。",
        "phone": "请填写有效的电话号码，如 13800138000 或 0512-12345678。",
        "email": "请填写有效的电子邮箱地址，如 name@example.com。",
        "consent": "请阅读并同意隐私声明后再提交。",
    }
    assert stored() == {"cases": 0, "events": 0, "keys": 0}


def test_messages_follow_accept_language(client: Client) -> None:
    bad = {**COMPLAINT, "subject": None}
    _, body, _ = post_json(client, "/complaints", bad, {"Accept-Language": "en-GB,en;q=0.9,zh;q=0.5"})
    assert body["error"]["fields"] == {"subject": "Subject is required."}
    _, body, _ = post_json(client, "/complaints", bad, {"Accept-Language": "fr, zh-CN;q=0.8, en;q=0.7"})
    assert body["error"]["fields"] == {"subject": "请填写投诉标题。"}


def test_unknown_fields_are_refused_by_name(client: Client) -> None:
    status, body, _ = post_json(
        client, "/complaints", {**COMPLAINT, "priority": "urgent", "channel": "phone"}
    )
    assert status == 400
    assert set(body["error"]["fields"]) == {"priority", "channel"}
    assert stored()["cases"] == 0


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("{not json", "invalid_json"),
        ("[1, 2]", "json_object_required"),
        ('"text"', "json_object_required"),
        ("", "invalid_json"),
    ],
)
def test_a_body_that_is_not_a_json_object_gets_400(client: Client, body: str, code: str) -> None:
    status, answer, _ = post_json(client, "/complaints", body)
    assert status == 400
    assert answer["error"]["code"] == code
    assert stored()["cases"] == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("complainant_type", "company"),
        ("anonymous", "maybe"),
        ("occurred_on", "20/11/2026"),
        ("occurred_on", 20261120),
        ("claim_amount", "a lot"),
        ("subject", 42),
        ("preferred_language", "fr"),
        ("consent", {"yes": True}),
    ],
)
def test_wrongly_typed_fields_are_named(client: Client, field: str, value: object) -> None:
    status, body, _ = post_json(client, "/complaints", {**COMPLAINT, field: value}, {"Accept-Language": "en"})
    assert status == 400
    assert list(body["error"]["fields"]) == [field]
    assert stored()["cases"] == 0


def test_other_media_types_get_415_and_huge_bodies_413(client: Client) -> None:
    response = client.http.post("/complaints", headers={"Content-Type": "text/plain"}, body="hello")
    assert response.status_code == 415
    assert json.loads(response.body)["error"]["code"] == "unsupported_media_type"
    huge = {**COMPLAINT, "description": "很" * 40_000}
    status, body, _ = post_json(client, "/complaints", huge)
    assert status == 413
    assert body["error"]["code"] == "body_too_large"
    assert stored()["cases"] == 0


def form(fields: dict[str, Any]) -> str:
    from urllib.parse import urlencode

    return urlencode({k: ("true" if v is True else v) for k, v in fields.items() if v not in (None, False)})


def test_a_plain_form_post_gets_an_html_confirmation(client: Client) -> None:
    response = client.http.post(
        "/complaints?lang=en",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=form({**COMPLAINT, "email": "", "location": ""}),
    )
    assert response.status_code == 201
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    page = response.body.decode()
    number = re.search(r'class="code">([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})<', page)
    assert number is not None
    assert "shown only once" in page
    # the progress is on the API's own status page (it works without JavaScript), beside this one
    assert f'href="status-page?no={number.group(1)}&amp;lang=en"' in page
    assert stored()["cases"] == 1


def test_the_confirmation_page_has_the_portals_header_and_words_and_no_keyboard_shortcut(
    client: Client,
) -> None:
    for lang, site_name, title in (
        ("zh", "园区投诉服务平台", "投诉已提交"),
        ("en", "Industrial Park Complaint Portal", "Complaint submitted"),
    ):
        response = client.http.post(
            f"/complaints?lang={lang}",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            body=form(COMPLAINT),
        )
        page = response.body.decode()
        home = f"{PORTAL_ORIGIN}/" + ("" if lang == "zh" else "en/")
        assert re.search(
            rf'<header class="header">.*<a class="header__home" href="{home}">.*{site_name}', page
        )
        assert f"<h1>{title}</h1>" in page
        assert "Ctrl" not in page
        assert ("打印、保存本页" if lang == "zh" else "print or save this page") in page


def test_a_plain_form_post_with_mistakes_gets_an_html_page_listing_them(client: Client) -> None:
    response = client.http.post(
        "/complaints",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "zh-CN"},
        body=form({**COMPLAINT, "name": "", "consent": False, "description": "<script>alert(1)</script>"}),
    )
    assert response.status_code == 400
    page = response.body.decode()
    assert "投诉未能提交" in page
    assert "请填写姓名。" in page
    assert "隐私声明" in page
    assert "<script>" not in page
    assert stored()["cases"] == 0


def _listed(page: str) -> list[str]:
    return [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", page)]


def test_the_no_js_error_list_names_each_field_with_full_width_punctuation_in_the_forms_order(
    client: Client,
) -> None:
    # Given a form post that breaks rules all over the form (the API finds them in another order)
    body = form(
        {
            **COMPLAINT,
            "complainant_type": "enterprise",
            "name": "",
            "category": "",
            "subject": "短",
            "consent": False,
            "occurred_on": "2026-13-01",
        }
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    # When it is posted in Chinese and in English
    zh = client.http.post("/complaints?lang=zh", headers=headers, body=body).body.decode()
    en = client.http.post("/complaints?lang=en", headers=headers, body=body).body.decode()

    # Then each mistake is listed under the field's name, "名称：信息" in Chinese, in the form's order
    assert _listed(zh) == [
        "姓名：请填写姓名。",
        "企业名称：请填写企业名称。",
        "统一社会信用代码：请填写统一社会信用代码。",
        "投诉类别：请填写投诉类别。",
        "投诉标题：投诉标题至少需要 4 个字符。",
        "发生日期：发生日期应为有效日期，格式为 YYYY-MM-DD。",
        "个人信息使用：请阅读并同意隐私声明后再提交。",
    ]
    assert _listed(en)[:2] == [
        "Name: Name is required.",
        "Name of the enterprise: Name of the enterprise is required.",
    ]
    assert len(_listed(en)) == 7


def test_a_form_field_given_twice_is_refused(client: Client) -> None:
    response = client.http.post(
        "/complaints",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=form(COMPLAINT) + "&subject=again",
    )
    assert response.status_code == 400
    assert stored()["cases"] == 0


PLANTED = {
    "name": "PLANTED-NAME-Zq81",
    "phone": "13700001111",
    "email": "planted.e.mail.q81@example.com",
    "subject": "PLANTED-SUBJECT-Zq81",
    "description": "PLANTED-DESCRIPTION-Zq81 long enough",
    "location": "PLANTED-LOCATION-Zq81",
    "desired_outcome": "PLANTED-OUTCOME-Zq81",
    "organization": "PLANTED-ORG-Zq81",
}


def test_the_public_status_holds_no_personal_data_and_no_free_text(client: Client) -> None:
    enterprise = {
        **COMPLAINT,
        **PLANTED,
        "complainant_type": "enterprise",
        "credit_code": "91350100M000100Y43",
    }
    _, receipt, _ = post_json(client, "/complaints", enterprise)
    status, view, _ = get_json(client, f"/complaints/{receipt['tracking_no']}")
    assert status == 200
    text = json.dumps(view, ensure_ascii=False)
    for planted in [*PLANTED.values(), "91350100M000100Y43", receipt["access_code"]]:
        assert planted not in text
    assert set(view) == {
        "tracking_no", "status", "status_label", "category", "channel",
        "submitted_at", "updated_at", "deadlines", "milestones",
    }  # fmt: skip
    assert view["status_label"] == {"zh": "已接收", "en": "Received"}
    assert [m["status"] for m in view["milestones"]] == ["received"]
    assert {d["kind"] for d in view["deadlines"]} == {"acknowledge", "decide"}


def test_the_status_is_found_however_the_number_is_typed(client: Client) -> None:
    _, receipt, _ = post_json(client, "/complaints", COMPLAINT)
    typed = receipt["tracking_no"].lower().replace("-", "%20")
    status, view, _ = get_json(client, f"/complaints/{typed}")
    assert status == 200
    assert view["tracking_no"] == receipt["tracking_no"]


def test_a_number_failing_its_check_gets_400_before_any_read(client: Client) -> None:
    _, receipt, _ = post_json(client, "/complaints", COMPLAINT)
    number = receipt["tracking_no"]
    mistyped = number[:-1] + ("0" if number[-1] != "0" else "1")
    with mock.patch.object(DynamoCaseRepository, "get", side_effect=AssertionError("read")) as read:
        status, body, _ = get_json(client, f"/complaints/{mistyped}", {"Accept-Language": "en"})
    assert status == 400
    assert body["error"]["code"] == "invalid_tracking_number"
    assert "Check it" in body["error"]["message"]
    read.assert_not_called()


def test_a_well_formed_unknown_number_gets_404(client: Client) -> None:
    from chalicelib.domain.tracking import format_code, new_tracking_no

    status, body, _ = get_json(client, f"/complaints/{format_code(new_tracking_no())}")
    assert status == 404
    assert body["error"]["code"] == "not_found"


def test_cors_allows_the_portal_origin_only(client: Client) -> None:
    allowed = client.http.get("/meta", headers={"Origin": PORTAL_ORIGIN})
    assert allowed.headers["Access-Control-Allow-Origin"] == PORTAL_ORIGIN
    other = client.http.get("/meta", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = client.http.request(
        "OPTIONS",
        "/complaints",
        headers={"Origin": PORTAL_ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 204
    assert "Idempotency-Key" in preflight.headers["Access-Control-Allow-Headers"]
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]


def test_storage_throttling_gets_503_with_retry_after_not_500(client: Client) -> None:
    from chalicelib.domain.errors import StorageUnavailableError

    with mock.patch.object(DynamoCaseRepository, "create", side_effect=StorageUnavailableError()):
        status, body, headers = post_json(client, "/complaints", COMPLAINT)
    assert status == 503
    assert body["error"]["code"] == "service_unavailable"
    assert int(headers["Retry-After"]) > 0


def test_an_unexpected_failure_keeps_the_error_shape_and_reveals_nothing(client: Client) -> None:
    with mock.patch.object(DynamoCaseRepository, "get", side_effect=RuntimeError("secret internals")):
        from chalicelib.domain.tracking import format_code, new_tracking_no

        status, body, _ = get_json(client, f"/complaints/{format_code(new_tracking_no())}")
    assert status == 500
    assert body["error"]["code"] == "internal_error"
    assert "secret internals" not in json.dumps(body)


def test_every_mistake_a_person_can_type_is_reported_in_one_round(client: Client) -> None:
    bad = {
        **COMPLAINT,
        "category": "compensation",
        "claim_amount": "12,5",
        "occurred_on": "20/11/2026",
        "name": "",
        "consent": False,
    }
    del bad["complainant_type"]
    status, body, _ = post_json(client, "/complaints", bad, {"Accept-Language": "en"})
    assert status == 400
    assert set(body["error"]["fields"]) == {
        "complainant_type",
        "claim_amount",
        "occurred_on",
        "name",
        "consent",
    }
    assert stored()["cases"] == 0


# --- Checking a complaint without filing it (the portal's "Continue") ------------------------------


def test_a_dry_run_answers_valid_and_stores_nothing(client: Client) -> None:
    status, body, headers = post_json(client, "/complaints?dry_run=true", COMPLAINT)
    assert (status, body) == (200, {"valid": True})
    assert headers["Cache-Control"] == "no-store"
    assert stored() == {"cases": 0, "events": 0, "keys": 0}


def test_a_dry_run_refuses_what_filing_refuses_with_the_same_messages(client: Client) -> None:
    bad = {
        **COMPLAINT,
        "name": "",
        "phone": "123",
        "email": "nope",
        "consent": False,
        "occurred_on": "2099-01-01",
    }
    for lang in ("zh", "en"):
        checked = post_json(client, "/complaints?dry_run=true", bad, {"Accept-Language": lang})
        filed = post_json(client, "/complaints", bad, {"Accept-Language": lang})
        assert checked[0] == filed[0] == 400
        assert checked[1] == filed[1]
        assert set(checked[1]["error"]["fields"]) == {"name", "phone", "email", "consent", "occurred_on"}
    # the wire shape is checked by the same parsing too
    status, body, _ = post_json(client, "/complaints?dry_run=true", {**COMPLAINT, "priority": "urgent"})
    assert status == 400
    assert set(body["error"]["fields"]) == {"priority"}
    assert stored() == {"cases": 0, "events": 0, "keys": 0}


def test_a_dry_run_with_an_idempotency_key_leaves_the_key_unused(client: Client) -> None:
    key = {"Idempotency-Key": "dry-run-then-file-1"}
    assert post_json(client, "/complaints?dry_run=true", COMPLAINT, key)[0] == 200
    # a different complaint with the same key is filed, not refused as a replay of another body
    status, receipt, headers = post_json(client, "/complaints", {**COMPLAINT, "subject": "另一件事情"}, key)
    assert status == 201, receipt
    assert "Idempotent-Replayed" not in headers
    assert stored() == {"cases": 1, "events": 1, "keys": 1}
    # and a malformed key is refused on a dry run as on filing
    status, body, _ = post_json(
        client, "/complaints?dry_run=true", COMPLAINT, {"Idempotency-Key": "has space"}
    )
    assert status == 400
    assert set(body["error"]["fields"]) == {"Idempotency-Key"}


@pytest.mark.parametrize("query", ["dry_run=yes", "dry_run=", "dry_run=TRUE", "dry_run=true&dry_run=true"])
def test_a_dry_run_value_that_is_not_true_or_false_is_a_field_error(client: Client, query: str) -> None:
    for lang, message in (
        ("zh", "dry_run 参数应为 true 或 false。"),
        ("en", "The dry_run parameter must be true or false."),
    ):
        status, body, _ = post_json(client, f"/complaints?{query}", COMPLAINT, {"Accept-Language": lang})
        assert status == 400
        assert body["error"]["fields"] == {"dry_run": message}
    assert stored() == {"cases": 0, "events": 0, "keys": 0}


def test_dry_run_false_files_the_complaint(client: Client) -> None:
    status, receipt, _ = post_json(client, "/complaints?dry_run=false", COMPLAINT)
    assert status == 201
    assert receipt["tracking_no"]
    assert stored()["cases"] == 1


# --- The public status as an HTML page (the status page without JavaScript) ----------------------


def status_page(client: Client, query: str, headers: dict[str, str] | None = None) -> tuple[int, str, Any]:
    response = client.http.get(f"/status-page?{query}", headers=headers or {})
    return response.status_code, response.body.decode(), response.headers


def _csp_style_hash(page: str) -> str:
    import base64
    import hashlib

    style = re.search(r"<style>(.*?)</style>", page, re.S)
    assert style is not None
    return "sha256-" + base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()


def test_the_status_page_shows_the_public_status_however_the_number_is_typed(client: Client) -> None:
    enterprise = {
        **COMPLAINT,
        **PLANTED,
        "complainant_type": "enterprise",
        "credit_code": "91350100M000100Y43",
    }
    _, receipt, _ = post_json(client, "/complaints", enterprise)
    number = receipt["tracking_no"]
    loose = number.replace("-", " ").lower().replace("0", "o").replace("1", "l")
    from urllib.parse import quote

    status, page, headers = status_page(client, f"no={quote(loose)}&lang=zh")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Cache-Control"] == "no-store"
    # the one inline stylesheet is the only thing the page may load or run
    assert headers["Content-Security-Policy"] == (
        f"default-src 'none'; style-src '{_csp_style_hash(page)}'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    )
    assert "<script" not in page
    assert f"<h1>投诉 {number}</h1>" in page
    for shown in ("已接收", "大气污染", "网上投诉", "确认收到", "受理决定", "北京时间", "园区投诉服务平台"):
        assert shown in page, shown
    # nothing personal, nothing anyone wrote, no access code
    for planted in [*PLANTED.values(), "91350100M000100Y43", receipt["access_code"]]:
        assert planted not in page
    # and the lookup form again, to this page, with the number only
    assert '<form method="get" role="search" novalidate>' in page
    assert re.findall(r'<input [^>]*name="(\w+)"', page) == ["no", "lang"]


def test_the_status_page_is_in_the_language_asked_for(client: Client) -> None:
    _, receipt, _ = post_json(client, "/complaints", COMPLAINT)
    _, by_query, _ = status_page(client, f"no={receipt['tracking_no']}&lang=en")
    _, by_header, _ = status_page(client, f"no={receipt['tracking_no']}", {"Accept-Language": "en-GB"})
    for page in (by_query, by_header):
        assert '<html lang="en">' in page
        assert f"Complaint {receipt['tracking_no']}" in page
        assert "Received" in page
        assert "Beijing time" in page
        # the other language is one link away, for the same number
        assert f'href="status-page?no={receipt["tracking_no"]}&amp;lang=zh" hreflang="zh-CN"' in page


def test_the_status_page_asks_again_for_a_missing_or_mistyped_number(client: Client) -> None:
    _, receipt, _ = post_json(client, "/complaints", COMPLAINT)
    number = receipt["tracking_no"]
    mistyped = number[:-1] + ("0" if number[-1] != "0" else "1")
    for query, text in (
        ("lang=zh", "请输入投诉编号。"),
        ("no=%20&lang=zh", "请输入投诉编号。"),
        (f"no={mistyped}&lang=zh", "请检查投诉编号"),
        ("no=%3Cscript%3Ealert(1)%3C/script%3E&lang=en", "Check the tracking number"),
    ):
        with mock.patch.object(DynamoCaseRepository, "get", side_effect=AssertionError("read")) as read:
            status, page, headers = status_page(client, query)
        assert status == 400, query
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert text in page
        assert 'aria-invalid="true"' in page
        assert '<a href="#no">' in page
        assert "<script>" not in page
        read.assert_not_called()


def test_the_status_page_says_when_no_complaint_has_the_number(client: Client) -> None:
    from chalicelib.domain.tracking import format_code, new_tracking_no

    unknown = format_code(new_tracking_no())
    status, page, _ = status_page(client, f"no={unknown.lower()}&lang=zh")
    assert status == 404
    assert f"没有找到编号为 {unknown.lower()} 的投诉" in page
    assert f'value="{unknown.lower()}"' in page


def test_the_status_page_answers_a_busy_or_broken_store_with_a_page_not_a_500_trace(client: Client) -> None:
    from chalicelib.domain.errors import StorageUnavailableError
    from chalicelib.domain.tracking import format_code, new_tracking_no

    number = format_code(new_tracking_no())
    with mock.patch.object(DynamoCaseRepository, "get", side_effect=StorageUnavailableError()):
        status, page, headers = status_page(client, f"no={number}&lang=en")
    assert status == 503
    assert int(headers["Retry-After"]) > 0
    assert "The service is busy" in page
    with mock.patch.object(DynamoCaseRepository, "get", side_effect=RuntimeError("secret internals")):
        status, page, headers = status_page(client, f"no={number}&lang=en")
    assert status == 500
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "secret internals" not in page
