"""Complainant self-service with the access code: each action needs the right code, is refused
outside its status or window, and wrong codes are limited per client without locking the owner out."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from chalice.test import Client

from chalicelib.domain.tracking import new_access_code
from chalicelib.services.access_code_throttle import LIMITS
from tests.support.api_client import app_client, get_json, post_json
from tests.support.staff import TestIssuer

from .test_public_api import COMPLAINT

ACTIONS: dict[str, dict[str, Any]] = {
    "information": {"message": "补充：排放时间多在夜间十一点后。"},
    "feedback": {"satisfaction": "satisfied", "comment": "处理及时"},
    "review": {"reasons": "整改后仍有异味"},
    "withdraw": {"reason": "已与企业协商解决"},
}


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> TestIssuer:
    return TestIssuer(tmp_path_factory.mktemp("staff-auth"))


@pytest.fixture
def client(issuer: TestIssuer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Client]:
    with app_client(monkeypatch, STORAGE="memory", **issuer.environment()) as test_client:
        yield test_client


def file(client: Client) -> tuple[str, dict[str, str]]:
    _, receipt, _ = post_json(client, "/complaints", COMPLAINT)
    return receipt["tracking_no"], {"X-Access-Code": receipt["access_code"]}


def respond(client: Client, issuer: TestIssuer, number: str) -> None:
    officer = issuer.bearer("officer", name="王专员")
    _, case, _ = get_json(client, f"/admin/complaints/{number}", officer)
    for action in (
        {
            "action": "accept",
            "category": "env_air",
            "department": "ecology_environment",
            "priority": "normal",
        },
        {"action": "respond", "decision": "upheld", "reasons": "已责令整改", "remedy": "停产整改"},
    ):
        status, case, _ = post_json(
            client,
            f"/admin/complaints/{number}/actions",
            {**action, "expected_version": case["version"]},
            officer,
        )
        assert status == 200, case


def test_with_the_code_the_complainant_sees_their_case_messages_and_choices(client: Client) -> None:
    number, code = file(client)
    status, view, _ = get_json(client, f"/complaints/{number}", code)
    assert status == 200
    assert view["complaint"]["subject"] == COMPLAINT["subject"]
    assert view["allowed_actions"] == ["add_information", "withdraw"]
    assert [m["action"] for m in view["messages"]] == ["submit"]
    text = json.dumps(view, ensure_ascii=False)
    for personal in (COMPLAINT["name"], COMPLAINT["phone"], COMPLAINT["email"]):
        assert personal not in text
    # Without the code: the public status only.
    _, public, _ = get_json(client, f"/complaints/{number}")
    assert "complaint" not in public
    assert "messages" not in public


@pytest.mark.parametrize("kind", sorted(ACTIONS))
def test_each_action_is_refused_without_the_right_code(client: Client, kind: str) -> None:
    number, _ = file(client)
    for headers in ({}, {"X-Access-Code": ""}, {"X-Access-Code": new_access_code()}):
        status, body, _ = post_json(client, f"/complaints/{number}/{kind}", ACTIONS[kind], headers)
        assert status == 403, (headers, body)
        assert body["error"]["code"] == "forbidden"
    _, view, _ = get_json(client, f"/complaints/{number}")
    assert view["status"] == "received"
    assert view["updated_at"] == view["submitted_at"]


def test_a_wrong_code_reading_the_case_is_refused_in_the_callers_language(client: Client) -> None:
    number, _ = file(client)
    status, body, _ = get_json(
        client, f"/complaints/{number}", {"X-Access-Code": new_access_code(), "Accept-Language": "en"}
    )
    assert status == 403
    assert body["error"]["message"] == "The access code is not correct."


@pytest.mark.parametrize(("kind", "status_after"), [("information", "received"), ("withdraw", "withdrawn")])
def test_actions_allowed_while_the_case_is_open(client: Client, kind: str, status_after: str) -> None:
    number, code = file(client)
    status, view, _ = post_json(client, f"/complaints/{number}/{kind}", ACTIONS[kind], code)
    assert status == 200, view
    assert view["status"] == status_after
    assert view["messages"][-1]["text"] == next(iter(ACTIONS[kind].values()))


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_a_blank_or_null_optional_text_counts_as_not_given(client: Client, reason: str | None) -> None:
    # Found by schemathesis: an optional text sent as null or blank was a 500.
    number, code = file(client)
    status, view, _ = post_json(client, f"/complaints/{number}/withdraw", {"reason": reason}, code)
    assert status == 200, view
    assert view["status"] == "withdrawn"
    assert view["messages"][-1]["text"] is None


@pytest.mark.parametrize("kind", ["feedback", "review"])
def test_rating_and_review_are_refused_before_a_response(client: Client, kind: str) -> None:
    number, code = file(client)
    status, body, _ = post_json(client, f"/complaints/{number}/{kind}", ACTIONS[kind], code)
    assert status == 409
    assert body["error"]["code"] == "transition_not_allowed"


def test_after_the_response_rating_and_review_open_and_withdrawal_closes(
    client: Client, issuer: TestIssuer
) -> None:
    number, code = file(client)
    respond(client, issuer, number)
    _, view, _ = get_json(client, f"/complaints/{number}", code)
    assert view["allowed_actions"] == ["feedback", "request_review"]
    assert view["messages"][-1]["data"]["decision"]["code"] == "upheld"
    assert view["messages"][-1]["data"]["remedy"] == "停产整改"
    assert view["review_request_until"] is not None
    for kind in ("information", "withdraw"):
        status, _, _ = post_json(client, f"/complaints/{number}/{kind}", ACTIONS[kind], code)
        assert status == 409, kind
    status, view, _ = post_json(client, f"/complaints/{number}/feedback", ACTIONS["feedback"], code)
    assert status == 200
    assert view["rating"]["code"] == "satisfied"
    status, body, _ = post_json(client, f"/complaints/{number}/feedback", ACTIONS["feedback"], code)
    assert status == 409
    assert "已评价" in body["error"]["message"]
    status, view, _ = post_json(client, f"/complaints/{number}/review", ACTIONS["review"], code)
    assert status == 200
    assert view["status"] == "under_review"
    status, body, _ = post_json(client, f"/complaints/{number}/review", ACTIONS["review"], code)
    assert status == 409


def test_rating_and_review_are_refused_outside_their_window(client: Client, issuer: TestIssuer) -> None:
    number, code = file(client)
    respond(client, issuer, number)
    later = datetime.now(UTC) + timedelta(days=45)
    with mock.patch("chalicelib.web.public.datetime") as clock:
        clock.now.return_value = later
        for kind, key in (("review", "review_window_closed"), ("feedback", "feedback_window_closed")):
            status, body, _ = post_json(
                client, f"/complaints/{number}/{kind}", ACTIONS[kind], {**code, "Accept-Language": "en"}
            )
            assert status == 409, kind
            assert "passed" in body["error"]["message"], key


def test_bad_bodies_are_refused_naming_the_field(client: Client) -> None:
    number, code = file(client)
    status, body, _ = post_json(client, f"/complaints/{number}/information", {"message": "  "}, code)
    assert status == 400
    assert set(body["error"]["fields"]) == {"message"}
    status, body, _ = post_json(client, f"/complaints/{number}/feedback", {"satisfaction": "ok"}, code)
    assert status == 400
    status, body, _ = post_json(client, f"/complaints/{number}/withdraw", {"reason": "x", "extra": 1}, code)
    assert set(body["error"]["fields"]) == {"extra"}


STRANGER = {"X-Forwarded-For": "203.0.113.9"}
OWNER = {"X-Forwarded-For": "198.51.100.7"}
CLIENT_CAP, DAILY_CAP = (limit.cap for limit in LIMITS if limit.scope == "client_case")


@pytest.fixture
def proxied(issuer: TestIssuer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Client]:
    """The API behind one proxy that appends the client's address (as the local static server does)."""
    with app_client(
        monkeypatch, STORAGE="memory", TRUSTED_PROXY_HOPS="1", **issuer.environment()
    ) as test_client:
        yield test_client


def test_a_strangers_wrong_codes_never_lock_the_owner_out(proxied: Client) -> None:
    number, code = file(proxied)
    wrong = {"X-Access-Code": new_access_code(), **STRANGER}
    statuses = [get_json(proxied, f"/complaints/{number}", wrong)[0] for _ in range(50)]
    assert statuses == [403] * CLIENT_CAP + [429] * (50 - CLIENT_CAP)
    status, body, headers = get_json(proxied, f"/complaints/{number}", wrong)
    assert (status, body["error"]["code"]) == (429, "too_many_attempts")
    assert 0 < int(headers["Retry-After"]) <= 15 * 60
    # Right after, the owner's right code is compared and accepted, for reading and acting.
    assert get_json(proxied, f"/complaints/{number}", {**code, **OWNER})[0] == 200
    status, _, _ = post_json(
        proxied, f"/complaints/{number}/information", ACTIONS["information"], {**code, **OWNER}
    )
    assert status == 200
    # The public status never needed a code.
    assert get_json(proxied, f"/complaints/{number}", STRANGER)[0] == 200


def test_a_right_code_gives_its_attempt_back(proxied: Client) -> None:
    number, code = file(proxied)
    statuses = [
        get_json(proxied, f"/complaints/{number}", {**code, **OWNER})[0] for _ in range(3 * CLIENT_CAP)
    ]
    assert set(statuses) == {200}


def test_a_client_that_keeps_guessing_waits_longer_and_longer(proxied: Client) -> None:
    number, _ = file(proxied)
    wrong = {"X-Access-Code": new_access_code(), "Accept-Language": "en", **STRANGER}
    start = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    waits: list[int] = []
    with mock.patch("chalicelib.web.public.datetime") as clock:
        for window in range(DAILY_CAP // CLIENT_CAP + 1):
            clock.now.return_value = start + window * timedelta(minutes=15)
            statuses = [get_json(proxied, f"/complaints/{number}", wrong)[0] for _ in range(CLIENT_CAP)]
            status, body, headers = get_json(proxied, f"/complaints/{number}", wrong)
            assert status == 429
            waits.append(int(headers["Retry-After"]))
            expected = [403] * CLIENT_CAP if window < DAILY_CAP // CLIENT_CAP else [429] * CLIENT_CAP
            assert statuses == expected, window
    # Within a 15-minute window the wait is that window; once the day is used, the rest of the day.
    assert all(wait <= 15 * 60 for wait in waits[:-1])
    assert waits[-1] > 20 * 3600
    assert "hours" in body["error"]["message"]


def test_guessing_on_one_number_does_not_hold_up_others_behind_the_same_address(proxied: Client) -> None:
    number, _ = file(proxied)
    other, other_code = file(proxied)
    wrong = {"X-Access-Code": new_access_code(), **STRANGER}
    for _ in range(CLIENT_CAP):
        get_json(proxied, f"/complaints/{number}", wrong)
    assert get_json(proxied, f"/complaints/{number}", wrong)[0] == 429
    # A colleague on the same office connection opens their own complaint.
    assert get_json(proxied, f"/complaints/{other}", {**other_code, **STRANGER})[0] == 200


def test_a_client_cycling_through_numbers_is_stopped_across_them(proxied: Client) -> None:
    across = next(limit.cap for limit in LIMITS if limit.scope == "client")
    numbers = [file(proxied)[0] for _ in range(across // CLIENT_CAP + 1)]
    wrong = {"X-Access-Code": new_access_code(), **STRANGER}
    statuses = [get_json(proxied, f"/complaints/{n}", wrong)[0] for n in numbers for _ in range(CLIENT_CAP)]
    assert statuses.count(403) == across
    assert statuses[across:] == [429] * (len(statuses) - across)


def test_a_withdrawn_complaint_shows_no_clock_still_running(client: Client) -> None:
    number, code = file(client)
    status, own, _ = post_json(client, f"/complaints/{number}/withdraw", ACTIONS["withdraw"], code)
    assert (status, own["status"]) == (200, "withdrawn")
    for view in (own, get_json(client, f"/complaints/{number}")[1]):
        assert [d["kind"] for d in view["deadlines"] if d["met_at"] is None] == []
        assert [d["kind"] for d in view["deadlines"]] == ["acknowledge"]  # met at filing
