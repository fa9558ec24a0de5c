"""The complaint's body is checked without pydantic on the public route (cold starts, issue 11): it
must accept and refuse exactly what the pydantic model of the same body (the staff registration's
base, the OpenAPI document's source) does, with the same messages."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from chalicelib.domain.complaint import ComplaintDraft
from chalicelib.domain.messages import Message
from chalicelib.web.complaint_body import COMPLAINT_DEFAULTS, COMPLAINT_FIELDS, parse_complaint_body
from chalicelib.web.errors import RequestError
from chalicelib.web.requests import refuse_repeated_keys
from chalicelib.web.schemas import ComplaintSubmission, _refusal

Outcome = tuple[str, object]


def _by_pydantic(body: bytes | None, form: dict[str, str] | None = None) -> Outcome:
    """What the public route answered when it checked the body with the pydantic model."""
    try:
        if form is not None:
            parsed = ComplaintSubmission.model_validate_strings(form)
        else:
            assert body is not None
            refuse_repeated_keys(body)
            parsed = ComplaintSubmission.model_validate_json(body)
    except ValidationError as error:
        return _refused(_refusal(error))
    except RequestError as error:
        return _refused(error)
    return "draft", parsed.to_draft()


def _by_table(body: bytes | None, form: dict[str, str] | None = None) -> Outcome:
    try:
        draft = parse_complaint_body("form" if form is not None else "json", body or b"", form)
    except RequestError as error:
        return _refused(error)
    assert isinstance(draft, ComplaintDraft)
    return "draft", draft


def _refused(error: RequestError) -> Outcome:
    fields: dict[str, Message] = dict(error.fields)
    return "refused", (error.status, error.error_code, error.message, fields)


def test_the_table_is_the_models_fields_in_order_with_their_defaults() -> None:
    model = ComplaintSubmission.model_fields
    assert list(model) == list(COMPLAINT_FIELDS)
    for name, field in model.items():
        assert field.default == COMPLAINT_DEFAULTS.get(name), name


# Values people's clients send: the words pydantic reads as booleans in every case, the choices and
# near misses, text that shows nothing, numbers at the edges of 0 and 1, and every JSON type.
_BOOLEAN_WORDS = ["true", "TRUE", "Yes", "on", "off", "t", "F", "y", "n", "1", "0", "1.0", " true", "true "]
_CHOICES = ["individual", "enterprise", "Individual", " individual", "zh", "en", "EN", "", "maybe"]
_TEXTS = ["\u200b", " ", "\t\n", "a\x00b", "\x1b[31m红\x1b[0m", "１２", "12.50", "1,000", "e\u0301"]
_WORDS = st.sampled_from([*_BOOLEAN_WORDS, *_CHOICES, *_TEXTS])
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from([0, 1, 2, -1, 0.0, 1.0, -0.0, 0.5, 1e16, 10**30, math.inf, -math.inf, math.nan]),
    st.integers(),
    st.floats(allow_nan=True),
    _WORDS,
    st.text(max_size=12),
)
_VALUES = st.one_of(
    _SCALARS, st.lists(_SCALARS, max_size=2), st.dictionaries(st.text(max_size=3), _SCALARS, max_size=2)
)
_NAMES = st.one_of(st.sampled_from(list(COMPLAINT_FIELDS)), st.sampled_from(["extra", "Name", "name ", ""]))


@settings(max_examples=1500, deadline=None)
@given(st.dictionaries(_NAMES, _VALUES, max_size=8))
@example({"consent": True, "claim_amount": 12.5, "complainant_type": "individual"})
@example({"consent": "maybe", "anonymous": None, "preferred_language": None, "unknown": 1})
def test_a_json_body_meets_the_same_answer(document: dict[str, Any]) -> None:
    body = json.dumps(document, ensure_ascii=False).encode()
    assert _by_table(body) == _by_pydantic(body)


@settings(max_examples=600, deadline=None)
@given(st.dictionaries(_NAMES, st.one_of(_WORDS, st.text(min_size=1, max_size=12)), max_size=8))
def test_a_form_post_meets_the_same_answer(form: dict[str, str]) -> None:
    form = {name: value for name, value in form.items() if value.strip()}  # as form_fields gives it
    assert _by_table(None, form) == _by_pydantic(None, form)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   ",
        b"[1]",
        b'"text"',
        b"null",
        b"12",
        b"{",
        b'{"name": "\\ud800"}',  # a lone surrogate
        b'\xef\xbb\xbf{"consent": true}',  # a byte-order mark
        b'{"name": "\xff"}',  # not UTF-8
        '{"consent": true}'.encode("utf-16"),
        b'{"consent": NaN, "claim_amount": Infinity}',
        b'{"subject": "a", "subject": "b"}',
        b"[" * 5000 + b"]" * 5000,
        b'{"name": "\\ud83d\\ude00"}',  # a surrogate pair is a character
    ],
)
def test_a_body_that_is_not_a_json_object_meets_the_same_answer(body: bytes) -> None:
    assert _by_table(body) == _by_pydantic(body)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40))
def test_any_bytes_meet_the_same_answer(body: bytes) -> None:
    assert _by_table(body) == _by_pydantic(body)
