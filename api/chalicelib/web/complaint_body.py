"""The body of a complaint filed online (JSON or a form post), checked without pydantic.

A submission is the request a cold function meets most after a lookup, and pydantic costs it some
75 ms to import and as much again to build the complaint's model: more than the whole budget of a
cold start (issue 11). The complaint's wire shape is flat and small (text, one amount, two flags,
two choices), so it is checked here by the table below, with pydantic's own lax rules: the staff
registration's model (``schemas.ComplaintSubmission`` and its subclass) accepts and refuses exactly
the same bodies, which ``tests/unit/test_complaint_body.py`` checks field by field and on generated
bodies. As with every body: only what people never type is checked here; every other rule belongs to
the domain (``check_draft``), so that a person sees all their mistakes at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal

from ..domain.complaint import COMPLAINANT_TYPES, ComplaintDraft
from ..domain.messages import Message, field_message
from ..domain.text import clean_text
from .errors import RequestError
from .requests import NOT_JSON, BodyKind, refuse_repeated_keys, whole_body_refused

__all__ = [
    "COMPLAINT_DEFAULTS",
    "COMPLAINT_FIELDS",
    "FieldKind",
    "parse_complaint_body",
    "refuse_repeated_keys",
]

FieldKind = Literal["text", "amount", "flag", "complainant_type", "language"]

# Every field a complainant may send, in the order the form asks for them.
COMPLAINT_FIELDS: Mapping[str, FieldKind] = {
    "complainant_type": "complainant_type",
    "name": "text",
    "organization": "text",
    "credit_code": "text",
    "phone": "text",
    "email": "text",
    "preferred_language": "language",
    "anonymous": "flag",
    "category": "text",
    "subject": "text",
    "description": "text",
    "location": "text",
    "occurred_on": "text",
    "desired_outcome": "text",
    "claim_amount": "amount",
    "consent": "flag",
}
# A field not sent takes its default: these, else None.
COMPLAINT_DEFAULTS: Mapping[str, object] = {"preferred_language": "zh", "anonymous": False, "consent": False}

# pydantic's lax booleans: the words (any case, nothing around them), 0 and 1.
_TRUE_WORDS = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE_WORDS = frozenset({"0", "off", "f", "false", "n", "no"})
_LANGUAGES = ("zh", "en")


class _Refused(Exception):
    def __init__(self, message: Message) -> None:
        self.message = message


def _text(value: object, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _Refused(field_message("invalid_value", field))
    # Text that shows nothing counts as not given.
    return clean_text(value) or None


def _amount(value: object, field: str) -> str | None:
    # A JSON number is read as the text a person would have typed.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if value is not None and not isinstance(value, str):
        raise _Refused(Message("claim_amount_invalid"))
    return _text(value, field)


def _flag(value: object, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    raise _Refused(field_message("invalid_boolean", field))


def _choice(choices: tuple[str, ...], *, optional: bool) -> Callable[[object, str], str | None]:
    def check(value: object, field: str) -> str | None:
        if value is None and optional:
            return None
        if isinstance(value, str) and value in choices:
            return value
        raise _Refused(field_message("invalid_choice", field))

    return check


_CHECKS: Mapping[FieldKind, Callable[[object, str], object]] = {
    "text": _text,
    "amount": _amount,
    "flag": _flag,
    "complainant_type": _choice(COMPLAINANT_TYPES, optional=True),
    "language": _choice(_LANGUAGES, optional=False),
}


def parse_complaint_body(kind: BodyKind, body: bytes, form: Mapping[str, str] | None) -> ComplaintDraft:
    """The complaint of a JSON body or a form post (its fields, blank ones left out), every field
    that breaks the wire shape named at once; raises ``RequestError``."""
    values: object
    if kind == "form":
        values = dict(form or {})
    else:
        values = refuse_repeated_keys(body)
        if values is NOT_JSON:
            raise whole_body_refused("invalid_json")
        if not isinstance(values, dict):
            raise whole_body_refused("json_object_required")
    fields: dict[str, object] = {name: COMPLAINT_DEFAULTS.get(name) for name in COMPLAINT_FIELDS}
    refused: dict[str, Message] = {}
    for name, value in values.items():
        field_kind = COMPLAINT_FIELDS.get(name)
        if field_kind is None:
            refused.setdefault(name, Message("unknown_field"))
            continue
        try:
            fields[name] = _CHECKS[field_kind](value, name)
        except _Refused as error:
            refused[name] = error.message
    if refused:
        raise RequestError(400, "validation_failed", Message("validation_failed"), refused)
    return ComplaintDraft(**fields)  # type: ignore[arg-type]  # each field's type is its kind's
