"""Reading what a request carries: its body kind, the body within the size limit, form fields,
the Idempotency-Key header. Refusals are ``RequestError``s, mapped in errors.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal
from urllib.parse import parse_qsl

from ..domain.messages import Message, field_message
from .errors import RequestError

__all__ = ["BodyKind", "body_kind", "form_fields", "idempotency_key", "limited_body"]

BodyKind = Literal["json", "form"]

_MEDIA_TYPES: dict[str, BodyKind] = {
    "application/json": "json",
    "application/x-www-form-urlencoded": "form",
}


def body_kind(headers: Mapping[str, str], *, allow_form: bool) -> BodyKind:
    media_type = headers.get("content-type", "").split(";")[0].strip().lower()
    kind = _MEDIA_TYPES.get(media_type)
    if kind is None or (kind == "form" and not allow_form):
        raise RequestError(415, "unsupported_media_type", Message("unsupported_media_type"))
    return kind


def limited_body(raw: str | bytes | None, max_bytes: int) -> bytes:
    body = raw.encode() if isinstance(raw, str) else (raw or b"")
    if len(body) > max_bytes:
        raise RequestError(413, "body_too_large", Message("body_too_large", {"limit": max_bytes}))
    return body


def form_fields(body: bytes) -> dict[str, str]:
    """The fields of a form post. Blank fields count as not given; a field given twice is refused."""
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except (UnicodeDecodeError, ValueError) as error:
        raise RequestError(400, "invalid_form", Message("validation_failed")) from error
    fields: dict[str, str] = {}
    repeated: dict[str, Message] = {}
    for name, value in pairs:
        if name in fields:
            repeated[name] = field_message("invalid_value", name)
        if value.strip():
            fields[name] = value
    if repeated:
        raise RequestError(400, "validation_failed", Message("validation_failed"), repeated)
    return fields


def idempotency_key(headers: Mapping[str, str]) -> str | None:
    value = headers.get("idempotency-key")
    if value is None:
        return None
    if not (1 <= len(value) <= 128) or not all(33 <= ord(ch) <= 126 for ch in value):
        raise RequestError(
            400,
            "validation_failed",
            Message("validation_failed"),
            {"Idempotency-Key": Message("invalid_idempotency_key")},
        )
    return value
