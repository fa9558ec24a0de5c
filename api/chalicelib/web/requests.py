"""Reading what a request carries: its body kind, the body within the size limit, its JSON document
(no field named twice), form fields, the Idempotency-Key header. Refusals are ``RequestError``s,
mapped in errors.py."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import parse_qsl

from ..domain.messages import Message, field_message
from .errors import RequestError

__all__ = [
    "NOT_JSON",
    "BodyKind",
    "body_kind",
    "form_fields",
    "idempotency_key",
    "limited_body",
    "refuse_repeated_keys",
    "whole_body_refused",
]

BodyKind = Literal["json", "form"]
NOT_JSON = object()  # what refuse_repeated_keys answers for a body that is not JSON

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


def whole_body_refused(key: str) -> RequestError:
    """The body as a whole refused (``invalid_json``, ``json_object_required``), named ``body``."""
    return RequestError(400, key, Message(key), {"body": Message(key)})


def refuse_repeated_keys(body: bytes) -> Any:
    """The JSON document of ``body``, refusing an object that names a field twice (JSON allows it
    and a parser keeps one of them; a person or client that sends two values meant one), naming
    the field. ``NOT_JSON`` if ``body`` is not JSON (strict UTF-8, no lone surrogates)."""
    repeated: dict[str, Message] = {}

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                repeated.setdefault(key, field_message("duplicate_field", key))
            seen.add(key)
        return dict(pairs)

    try:
        document = json.loads(body.decode("utf-8"), object_pairs_hook=pairs_hook)
        # A lone surrogate ("\ud800") is valid JSON to Python's parser, but no text: it could be
        # neither stored nor sent back. pydantic's parser refuses it as invalid JSON too.
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError):
        return NOT_JSON
    if repeated:
        raise RequestError(400, "validation_failed", Message("validation_failed"), repeated)
    return document
