"""Staff search and a complainant's other complaints on DynamoDB Local (issue 10, acceptance 1):

- each kind of identifier finds its cases in the spellings people type (a tracking number in lower
  case with spaces, a phone number with +86 and dashes, an e-mail address in other case, a credit
  code in groups, a name or organisation with spaces or in full-width letters), and nothing else;
- no identifier is stored in plain text in any index key (read from the stored items);
- a confidential complaint is not found by an officer's or a handler's identity search, but is by a
  supervisor's; handlers find their own department's cases only;
- every search is in the access log, with the kinds searched and no identifier in plain text;
- bad searches are refused naming ``q``, in the caller's language.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from chalice.test import Client

from chalicelib.settings import get_settings
from chalicelib.storage.connection import dynamodb_for
from chalicelib.storage.event_records import AccessLogRecord
from chalicelib.storage.models import CaseRecord
from chalicelib.storage.schema import table_shape
from tests.support import unique_table_prefix
from tests.support.api_client import app_client, get_json, post_json
from tests.support.staff import TestIssuer

from .test_public_api import COMPLAINT

CREDIT_CODE = "91350100M000100Y43"
LISI = {**COMPLAINT, "name": "李四", "phone": "13912345678", "email": "LiSi@Example.com"}
# The same phone number, for an enterprise the same person complains for.
FIRM = {
    **COMPLAINT,
    "complainant_type": "enterprise",
    "name": "李四",
    "organization": "苏州某某科技有限公司",
    "credit_code": CREDIT_CODE,
    "phone": "139-1234-5678",
    "email": "office@firm.example.cn",
    "category": "env_noise",
}
# The same person about a member of staff: confidential from the start.
CONDUCT = {**LISI, "category": "staff_conduct", "email": None}
OTHER = {**COMPLAINT, "name": "Li Ming", "phone": "15000000001", "email": "li.ming@example.org"}
PLAIN = [
    "13912345678",
    "1234-5678",
    "lisi@example.com",
    "office@firm",
    "李四",
    "苏州某某",
    CREDIT_CODE,
    "15000000001",
]


@dataclass
class Stack:
    client: Client
    officer: dict[str, str]
    supervisor: dict[str, str]
    handler: dict[str, str]
    numbers: dict[str, str]


def _file(client: Client, complaint: dict[str, Any]) -> str:
    status, receipt, _ = post_json(
        client, "/complaints", {k: v for k, v in complaint.items() if v is not None}
    )
    assert status == 201, receipt
    number: str = receipt["tracking_no"]
    return number


def _accept(client: Client, officer: dict[str, str], number: str, department: str) -> None:
    _, case, _ = get_json(client, f"/admin/complaints/{number}", officer)
    status, answer, _ = post_json(
        client,
        f"/admin/complaints/{number}/actions",
        {
            "action": "accept",
            "expected_version": case["version"],
            "category": case["category"]["code"],
            "department": department,
            "priority": "normal",
        },
        officer,
    )
    assert status == 200, answer


@pytest.fixture(scope="module")
def stack(dynamodb_local: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    issuer = TestIssuer(tmp_path_factory.mktemp("staff-auth"))
    patch = pytest.MonkeyPatch()
    try:
        with app_client(patch, TABLE_PREFIX=unique_table_prefix("search"), **issuer.environment()) as client:
            officer = issuer.bearer("officer", name="王专员")
            numbers = {
                "lisi": _file(client, LISI),
                "firm": _file(client, FIRM),
                "conduct": _file(client, CONDUCT),
                "other": _file(client, OTHER),
            }
            _accept(client, officer, numbers["lisi"], "ecology_environment")
            yield Stack(
                client,
                officer,
                issuer.bearer("supervisor", name="张主管"),
                issuer.bearer("handler", name="李承办", department="ecology_environment"),
                numbers,
            )
    finally:
        patch.undo()


def search(stack: Stack, text: str, who: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    status, body, _ = get_json(stack.client, f"/admin/search?q={quote(text)}", who or stack.officer)
    return status, body


def found(stack: Stack, text: str, who: dict[str, str] | None = None) -> set[str]:
    status, body = search(stack, text, who)
    assert status == 200, body
    return {item["tracking_no"] for item in body["items"]}


def names(stack: Stack, *keys: str) -> set[str]:
    return {stack.numbers[key] for key in keys}


def test_a_tracking_number_in_any_spelling_goes_straight_to_its_case(stack: Stack) -> None:
    number = stack.numbers["other"]
    typed = number.replace("-", " ").lower()
    status, body = search(stack, typed)
    assert status == 200, body
    assert body["tracking_no"] == number
    assert body["kinds"] == ["tracking_no"]
    assert [item["tracking_no"] for item in body["items"]] == [number]
    assert body["items"][0]["matched"] == ["tracking_no"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("+86 139-1234-5678", ("lisi", "firm")),
        ("139 1234 5678", ("lisi", "firm")),
        ("lisi@EXAMPLE.com", ("lisi",)),
        ("9135 0100 m000 100y 43", ("firm",)),
        ("苏州某某科技 有限公司", ("firm",)),
        ("李 四", ("lisi", "firm")),
        ("ＬＩ ＭＩＮＧ", ("other",)),
        ("李", ()),
        ("13912345679", ()),
    ],
)
def test_each_identifier_finds_its_cases_as_people_type_it(
    stack: Stack, typed: str, expected: tuple[str, ...]
) -> None:
    assert found(stack, typed) == names(stack, *expected)


def test_results_say_what_matched_newest_first(stack: Stack) -> None:
    _, body = search(stack, "13912345678")
    assert [item["tracking_no"] for item in body["items"]] == [stack.numbers["firm"], stack.numbers["lisi"]]
    assert all(item["matched"] == ["phone"] for item in body["items"])
    assert body["kinds"] == ["phone"]
    assert body["more"] is False


def test_a_confidential_complaint_is_found_by_identity_only_by_a_supervisor(stack: Stack) -> None:
    for text in ("13912345678", "李四"):
        assert stack.numbers["conduct"] not in found(stack, text)
        assert stack.numbers["conduct"] in found(stack, text, stack.supervisor)
    # Its number reveals nobody: an officer finds it by that, and its page shows no identity.
    assert found(stack, stack.numbers["conduct"]) == names(stack, "conduct")


def test_a_handler_finds_only_the_cases_of_their_department(stack: Stack) -> None:
    assert found(stack, "13912345678", stack.handler) == names(stack, "lisi")
    assert found(stack, stack.numbers["other"], stack.handler) == set()


def test_a_complainants_other_complaints_respect_confidentiality(stack: Stack) -> None:
    path = f"/admin/complaints/{stack.numbers['lisi']}/history"
    status, history, _ = get_json(stack.client, path, stack.officer)
    assert status == 200, history
    assert history["visible"] is True
    assert [item["tracking_no"] for item in history["items"]] == [stack.numbers["firm"]]
    assert history["items"][0]["matched"] == ["phone"]
    _, seen, _ = get_json(stack.client, path, stack.supervisor)
    assert {item["tracking_no"] for item in seen["items"]} == names(stack, "firm", "conduct")
    # The confidential case's own page lists nothing for an officer: it would link it to the others.
    status, hidden, _ = get_json(
        stack.client, f"/admin/complaints/{stack.numbers['conduct']}/history", stack.officer
    )
    assert status == 200
    assert hidden == {"visible": False, "items": [], "more": False}


def test_no_identifier_is_stored_in_plain_text_in_any_index_key(stack: Stack) -> None:
    settings = get_settings()
    dynamodb = dynamodb_for(settings)
    client: Any = dynamodb.connection.client
    shape = table_shape(CaseRecord)
    index_keys = {k["AttributeName"] for index in shape.indexes for k in index.key_schema}
    items = client.scan(TableName=dynamodb.table(CaseRecord))["Items"]
    assert len(items) == 4
    identity_keys = ("phone_key", "email_key", "credit_code_key", "name_key", "organization_key")
    for item in items:
        keyed = json.dumps({name: item[name] for name in index_keys if name in item}, ensure_ascii=False)
        assert not [text for text in PLAIN if text.casefold() in keyed.casefold()], keyed
        for name in identity_keys:
            if name in item:
                assert len(item[name]["S"]) == 32
                assert int(item[name]["S"], 16) >= 0
    assert all("phone_key" in item and "name_key" in item for item in items)


def test_every_search_is_in_the_access_log_without_the_identifier(stack: Stack) -> None:
    before = _log(stack)
    search(stack, "+86 139 1234 5678")
    search(stack, "苏州某某科技有限公司")
    search(stack, stack.numbers["other"])
    entries = _log(stack)[len(before) :]
    assert [(e["purpose"], e["identifier_kinds"], e["tracking_no"]) for e in entries] == [
        ("search", ["phone"], None),
        ("search", ["name", "organization"], None),
        ("search", ["tracking_no"], None),
    ]
    assert all(e["staff_name"] == "王专员" and e["role"] == "officer" for e in entries)
    settings = get_settings()
    dynamodb = dynamodb_for(settings)
    client: Any = dynamodb.connection.client
    stored = json.dumps(client.scan(TableName=dynamodb.table(AccessLogRecord))["Items"], ensure_ascii=False)
    assert not [text for text in PLAIN if text.casefold() in stored.casefold()]


def _log(stack: Stack) -> list[dict[str, Any]]:
    staff_id = "sub-王专员"  # the test issuer's subject for this name
    status, log, _ = get_json(stack.client, f"/admin/access-log?staff_id={quote(staff_id)}", stack.supervisor)
    assert status == 200, log
    return [e for e in log["items"] if e["purpose"] == "search"]


def test_a_history_look_up_is_in_the_cases_access_log(stack: Stack) -> None:
    number = stack.numbers["firm"]
    get_json(stack.client, f"/admin/complaints/{number}/history", stack.officer)
    _, log, _ = get_json(stack.client, f"/admin/complaints/{number}/access-log", stack.supervisor)
    looked = [e for e in log["items"] if e["purpose"] == "history"]
    assert looked
    assert looked[-1]["identifier_kinds"] == ["credit_code", "email", "phone"]


@pytest.mark.parametrize(
    ("query", "lang", "field", "says"),
    [
        ("q=", "en", "q", "Type a tracking number"),
        ("q=%E3%80%80", "zh", "q", "请输入要查找的"),
        ("", "en", "q", "Type a tracking number"),
        ("q=" + "x" * 201, "en", "q", "at most 200"),
        ("q=1&sort=new", "en", "sort", ""),
    ],
)
def test_a_bad_search_is_refused_naming_the_field(
    stack: Stack, query: str, lang: str, field: str, says: str
) -> None:
    status, body, _ = get_json(stack.client, f"/admin/search?{query}&lang={lang}", stack.officer)
    assert status == 400, body
    assert says in body["error"]["fields"][field]


def test_the_staff_access_log_is_for_supervisors_and_checks_its_days(stack: Stack) -> None:
    status, _, _ = get_json(stack.client, "/admin/access-log?staff_id=x", stack.officer)
    assert status == 403
    status, body, _ = get_json(
        stack.client, "/admin/access-log?staff_id=x&from=2026-12-05&to=2026-12-01&lang=en", stack.supervisor
    )
    assert status == 400
    assert "first day" in body["error"]["fields"]["from"]
    status, body, _ = get_json(stack.client, "/admin/access-log?staff_id=x&from=0001-01-01", stack.supervisor)
    assert status == 400
    assert "from" in body["error"]["fields"]
    status, body, _ = get_json(stack.client, "/admin/access-log?from=2026-12-01", stack.supervisor)
    assert status == 400
    assert "staff_id" in body["error"]["fields"]
