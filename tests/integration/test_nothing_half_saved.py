"""No 500 and nothing half-saved (issue 8, items 5 and 7), over the API on DynamoDB (moto): an
extension far in the future is refused and leaves no trace, a case holding a moment stored by an
earlier version without bounds is still shown and worked, and a body with a key twice or text that
shows nothing is refused naming the field."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from chalice.test import Client

from chalicelib.settings import get_settings
from tests.support.api_client import get_json, post_json
from tests.support.staff import TestIssuer

from .test_public_api import COMPLAINT
from .test_staff_lifecycle import People, act, file, ok
from .test_staff_lifecycle import client as client  # the fixture, on moto
from .test_staff_lifecycle import issuer as issuer


def accepted(client: Client, people: People) -> dict[str, Any]:
    receipt = file(client)
    _, case, _ = get_json(client, f"/admin/complaints/{receipt['tracking_no']}", people.officer)
    return ok(
        client,
        people.officer,
        case,
        "accept",
        category="env_air",
        department="ecology_environment",
        priority="normal",
    )


@pytest.mark.parametrize(
    "due_at",
    [
        "9999-12-31T23:59:59-05:00",  # no UTC equivalent at all
        "9999-12-31T23:59:59+00:00",
        "2099-12-31T12:00:00+08:00",  # inside the span, far beyond the extension bound
        "0001-01-01T00:00:00+14:00",
    ],
)
def test_an_extension_far_off_is_refused_and_leaves_nothing(
    client: Client, issuer: TestIssuer, due_at: str
) -> None:
    people = People(issuer)
    case = accepted(client, people)
    status, body = act(
        client, people.supervisor, case["tracking_no"], case["version"], "extend", due_at=due_at, reason="x"
    )
    assert status == 400, body
    assert set(body["error"]["fields"]) == {"due_at"}
    status, after, _ = get_json(client, f"/admin/complaints/{case['tracking_no']}", people.officer)
    assert status == 200
    assert (after["version"], len(after["history"]), after["deadlines"]) == (
        case["version"],
        len(case["history"]),
        case["deadlines"],
    )


def _plant_deadline(tracking_no: str, due_at: str) -> None:
    """What a version without bounds could store: a deadline with no UTC equivalent."""
    settings = get_settings()
    table = boto3.resource("dynamodb", region_name=settings.region).Table(settings.cases_table)
    item = table.get_item(Key={"tracking_no": tracking_no})["Item"]
    entries = json.loads(str(item["deadline_entries"]))
    for entry in entries:
        if entry["kind"] == "respond":
            entry["due_at"] = due_at
    table.update_item(
        Key={"tracking_no": tracking_no},
        UpdateExpression="SET deadline_entries = :entries",
        ExpressionAttributeValues={":entries": json.dumps(entries)},
    )


def test_a_case_with_a_moment_stored_out_of_range_is_still_shown_and_worked(
    client: Client, issuer: TestIssuer
) -> None:
    people = People(issuer)
    case = accepted(client, people)
    number = case["tracking_no"]
    _plant_deadline(number.replace("-", ""), "9999-12-31T23:59:59-05:00")
    status, shown, _ = get_json(client, f"/admin/complaints/{number}", people.officer)
    assert status == 200, shown
    respond = next(d for d in shown["deadlines"] if d["kind"] == "respond")
    assert respond["due_at"].startswith("2100-01-01")
    assert get_json(client, f"/complaints/{number}")[0] == 200
    assert get_json(client, "/admin/complaints", people.officer)[0] == 200
    worked = ok(client, people.officer, shown, "note", note="时限数据已核对")
    assert worked["version"] == shown["version"] + 1


def test_a_body_with_a_key_twice_is_refused_naming_it_and_nothing_is_stored(
    client: Client, issuer: TestIssuer
) -> None:
    people = People(issuer)
    body = json.dumps(COMPLAINT)[:-1] + ', "subject": "另一个标题"}'
    status, refused, _ = post_json(client, "/complaints", body, {"Accept-Language": "en"})
    assert status == 400
    assert refused["error"]["fields"] == {"subject": "Subject is given more than once: give it once."}
    status, page, _ = get_json(client, "/admin/complaints", people.supervisor)
    assert page["items"] == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"subject": "\u200b\u200b\u200b\u200b\u200b"}, "subject"),
        ({"description": "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"}, "description"),
        ({"occurred_on": "0001-01-01"}, "occurred_on"),
        ({"category": "compensation", "claim_amount": "١٢٣"}, "claim_amount"),
        ({"category": "compensation", "claim_amount": "1_000"}, "claim_amount"),
    ],
)
def test_garbage_is_refused_under_its_field(
    client: Client, issuer: TestIssuer, changes: dict[str, str], field: str
) -> None:
    status, refused, _ = post_json(client, "/complaints", {**COMPLAINT, **changes})
    assert status == 400, refused
    assert set(refused["error"]["fields"]) == {field}


def test_nul_and_escapes_are_not_stored(client: Client, issuer: TestIssuer) -> None:
    people = People(issuer)
    receipt = file(client, description="排放黑烟\x00\x1b[31m气味刺鼻\x1b[0m，已持续两周，影响附近居民。")
    _, case, _ = get_json(client, f"/admin/complaints/{receipt['tracking_no']}", people.supervisor)
    assert case["details"]["description"] == "排放黑烟气味刺鼻，已持续两周，影响附近居民。"
