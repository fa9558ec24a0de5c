"""Free text in its one normal form (domain/text.py), and the wire schemas that apply it to every
text field before the domain's rules see it."""

from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.text import clean_text
from chalicelib.web.complaint_body import parse_complaint_body
from chalicelib.web.errors import RequestError
from chalicelib.web.schemas import parse_action, parse_complainant_action


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("\u200b\u200b\u200b", ""),
        ("\ufeff\u200b \u3000", ""),
        ("\x00\x01\x02", ""),
        ("\x1b[31m\x1b[0m", ""),
        ("噪音\x00扰民", "噪音扰民"),
        ("\x1b[1;31mred\x1b[0m alert", "red alert"),
        ("\x1b]0;title\x07text", "text"),
        ("line one\r\nline two\rline three", "line one\nline two\nline three"),
        ("tab\tkept", "tab\tkept"),
        ("abc\u202edcba", "abcdcba"),
        ("Cafe\u0301", "Café"),
        ("  padded  ", "padded"),
        ("family 👨\u200d👩\u200d👧", "family 👨\u200d👩\u200d👧"),
    ],
)
def test_text_is_kept_in_one_normal_form(typed: str, kept: str) -> None:
    assert clean_text(typed) == kept


@given(st.text())
def test_cleaned_text_has_no_control_character_but_newline_and_tab_and_is_nfc(text: str) -> None:
    cleaned = clean_text(text)
    assert all(ch in "\n\t" or unicodedata.category(ch) != "Cc" for ch in cleaned)
    assert not any("\u202a" <= ch <= "\u202e" or "\u2066" <= ch <= "\u2069" for ch in cleaned)
    assert unicodedata.is_normalized("NFC", cleaned)
    assert clean_text(cleaned) == cleaned


def _complaint(**changes: object) -> bytes:
    body: dict[str, object] = {
        "complainant_type": "individual",
        "name": "王小明",
        "phone": "13800138000",
        "category": "env_noise",
        "subject": "夜间施工噪音",
        "description": "工地每天晚上十一点后仍在施工。",
        "consent": True,
        **changes,
    }
    return json.dumps(body).encode()


def test_a_subject_of_zero_width_characters_counts_as_not_given() -> None:
    draft = parse_complaint_body("json", _complaint(subject="\u200b\u200b\u200b\u200b\u200b"), None)
    assert draft.subject is None  # the domain's rules then report it as required


def test_nul_and_terminal_escapes_are_not_stored() -> None:
    draft = parse_complaint_body(
        "json", _complaint(description="工地\x00夜间\x1b[31m施工\x1b[0m扰民，持续一周。"), None
    )
    assert draft.description == "工地夜间施工扰民，持续一周。"


def test_a_form_post_is_cleaned_the_same_way() -> None:
    form = {"subject": "\u200b\u200b\u200b\u200b", "description": "a\x00b", "consent": "true"}
    draft = parse_complaint_body("form", b"", form)
    assert draft.subject is None
    assert draft.description == "ab"


@pytest.mark.parametrize(
    "body",
    [
        b'{"action":"note","expected_version":1,"note":"\\u200b\\u200b"}',
        b'{"action":"reply","expected_version":1,"message":"\\u0000\\u0001"}',
        b'{"action":"reject","expected_version":1,"reason_code":"other","explanation":"\\u001b[0m"}',
    ],
)
def test_a_staff_text_that_shows_nothing_is_refused_as_missing(body: bytes) -> None:
    with pytest.raises(RequestError) as refused:
        parse_action(body)
    assert [message.key for message in refused.value.fields.values()] == ["required"]


def test_a_complainants_text_that_shows_nothing_is_refused_as_missing() -> None:
    with pytest.raises(RequestError) as refused:
        parse_complainant_action("information", b'{"message":"\\u200b \\u200b"}')
    assert set(refused.value.fields) == {"message"}


@pytest.mark.parametrize(
    ("parse", "body", "field"),
    [
        (
            lambda b: parse_complaint_body("json", b, None),
            b'{"subject":"a","subject":"b"}',
            "subject",
        ),
        (parse_action, b'{"action":"note","expected_version":1,"note":"a","note":"b"}', "note"),
        (parse_action, b'{"action":"note","action":"reply","expected_version":1,"note":"a"}', "action"),
        (lambda b: parse_complainant_action("review", b), b'{"reasons":"a","reasons":"b"}', "reasons"),
    ],
)
def test_a_key_given_twice_is_refused_naming_the_field(parse: object, body: bytes, field: str) -> None:
    with pytest.raises(RequestError) as refused:
        parse(body)  # type: ignore[operator]
    assert refused.value.status == 400
    assert refused.value.fields[field].key == "duplicate_field"
