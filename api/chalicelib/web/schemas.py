"""The shape of a complaint on the wire (JSON body or form post), checked with pydantic.

Only what people never type is checked here (JSON types, enumerations offered as choices, unknown
fields); amounts, dates and every other rule belong to the domain, so a person sees all their
mistakes at once. Imported only by the routes that take a complaint,
to keep pydantic off the cold path of the others.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from ..domain.complaint import Channel, ComplaintDraft
from ..domain.messages import Message, field_message
from .errors import RequestError
from .requests import BodyKind

__all__ = ["ComplaintSubmission", "StaffComplaintRegistration", "parse_complaint"]


def _blank_is_none(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    return value


def _number_as_text(value: Any) -> Any:
    # A JSON number for an amount is read as the text a person would have typed.
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)
    return _blank_is_none(value)


Text = Annotated[str | None, BeforeValidator(_blank_is_none)]
AmountText = Annotated[str | None, BeforeValidator(_number_as_text)]


class ComplaintSubmission(BaseModel):
    """A complaint filed online by the complainant."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    complainant_type: Literal["individual", "enterprise"] | None = None
    name: Text = None
    organization: Text = None
    credit_code: Text = None
    phone: Text = None
    email: Text = None
    preferred_language: Literal["zh", "en"] = "zh"
    anonymous: bool = False
    category: Text = None
    subject: Text = None
    description: Text = None
    location: Text = None
    occurred_on: Text = None
    desired_outcome: Text = None
    claim_amount: AmountText = None
    consent: bool = False

    def to_draft(self) -> ComplaintDraft:
        return ComplaintDraft(**self.model_dump(exclude={"channel"}))


class StaffComplaintRegistration(ComplaintSubmission):
    """A complaint an officer registers from another channel."""

    channel: Literal["phone", "letter", "visit", "email", "mailbox"]


_FIELD_MESSAGES = {
    "missing": "required",
    "extra_forbidden": "unknown_field",
    "literal_error": "invalid_choice",
    "bool_parsing": "invalid_boolean",
    "bool_type": "invalid_boolean",
}


def _field_error(error_type: str, field: str) -> Message:
    if error_type in _FIELD_MESSAGES:
        key = _FIELD_MESSAGES[error_type]
        return Message(key) if key == "unknown_field" else field_message(key, field)
    if error_type.startswith("date"):
        return field_message("invalid_date", field)
    if field == "claim_amount":
        return Message("claim_amount_invalid")
    return field_message("invalid_value", field)


def _refusal(error: ValidationError) -> RequestError:
    fields: dict[str, Message] = {}
    for item in error.errors():
        location = item["loc"]
        if not location:  # the body as a whole: not JSON, or not an object
            key = "invalid_json" if item["type"] == "json_invalid" else "json_object_required"
            return RequestError(400, key, Message(key), {"body": Message(key)})
        field = str(location[0])
        fields.setdefault(field, _field_error(item["type"], field))
    return RequestError(400, "validation_failed", Message("validation_failed"), fields)


def parse_complaint(
    kind: BodyKind, body: bytes, form: dict[str, str] | None, *, staff: bool
) -> tuple[ComplaintDraft, Channel]:
    schema = StaffComplaintRegistration if staff else ComplaintSubmission
    try:
        parsed = schema.model_validate_strings(form) if kind == "form" else schema.model_validate_json(body)
    except ValidationError as error:
        raise _refusal(error) from error
    channel: Channel = parsed.channel if isinstance(parsed, StaffComplaintRegistration) else "web"
    return parsed.to_draft(), channel
