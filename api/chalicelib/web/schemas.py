"""The shape of a complaint on the wire (JSON body or form post), checked with pydantic.

Only what people never type is checked here (JSON types, enumerations offered as choices, unknown
fields); amounts, dates and every other rule belong to the domain, so a person sees all their
mistakes at once. Imported only by the routes that take a complaint,
to keep pydantic off the cold path of the others.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal, overload

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)

from ..domain.actions import (
    Accept,
    Callback,
    Close,
    Extend,
    Note,
    Reject,
    Reply,
    Respond,
    ReviewDecision,
    StaffAction,
    Start,
    Transfer,
)
from ..domain.complainant_actions import AddInformation, ComplainantAction, Feedback, RequestReview, Withdraw
from ..domain.complaint import Channel, ComplaintDraft
from ..domain.messages import Message, field_message
from .errors import RequestError
from .requests import BodyKind

__all__ = [
    "ComplaintSubmission",
    "QueueParameters",
    "StaffComplaintRegistration",
    "parse_action",
    "parse_complainant_action",
    "parse_complaint",
    "parse_queue_parameters",
]


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

    # Checked with the complaint's own rules, so a forgotten channel is reported with every other mistake.
    channel: Literal["phone", "letter", "visit", "email", "mailbox"] | None = None


_FIELD_MESSAGES = {
    "missing": "required",
    "string_too_short": "required",
    "union_tag_not_found": "required",
    "union_tag_invalid": "invalid_choice",
    "enum": "invalid_choice",
    "extra_forbidden": "unknown_field",
    "literal_error": "invalid_choice",
    "bool_parsing": "invalid_boolean",
    "bool_type": "invalid_boolean",
}


def _field_error(error_type: str, field: str) -> Message:
    if error_type in _FIELD_MESSAGES:
        key = _FIELD_MESSAGES[error_type]
        return Message(key) if key == "unknown_field" else field_message(key, field)
    if error_type == "string_too_long":
        return field_message("too_long", field, max=_MAX_TEXT)
    if error_type.startswith("date"):
        return field_message("invalid_date", field)
    if field == "claim_amount":
        return Message("claim_amount_invalid")
    return field_message("invalid_value", field)


def _refusal(error: ValidationError, *, tagged: bool = False) -> RequestError:
    fields: dict[str, Message] = {}
    for item in error.errors():
        location, kind = item["loc"], item["type"]
        if kind.startswith("union_tag"):
            fields.setdefault("action", _field_error(kind, "action"))
            continue
        if not location:  # the body as a whole: not JSON, or not an object
            key = "invalid_json" if kind == "json_invalid" else "json_object_required"
            return RequestError(400, key, Message(key), {"body": Message(key)})
        # In a tagged union the first location is the tag ("accept"), the field comes next.
        field = str(location[1] if tagged and len(location) > 1 else location[0])
        fields.setdefault(field, _field_error(kind, field))
    return RequestError(400, "validation_failed", Message("validation_failed"), fields)


@overload
def parse_complaint(
    kind: BodyKind, body: bytes, form: dict[str, str] | None, *, staff: Literal[False]
) -> tuple[ComplaintDraft, Channel]: ...


@overload
def parse_complaint(
    kind: BodyKind, body: bytes, form: dict[str, str] | None, *, staff: Literal[True]
) -> tuple[ComplaintDraft, Channel | None]: ...


def parse_complaint(
    kind: BodyKind, body: bytes, form: dict[str, str] | None, *, staff: bool
) -> tuple[ComplaintDraft, Channel | None]:
    schema = StaffComplaintRegistration if staff else ComplaintSubmission
    try:
        parsed = schema.model_validate_strings(form) if kind == "form" else schema.model_validate_json(body)
    except ValidationError as error:
        raise _refusal(error) from error
    channel: Channel | None = parsed.channel if isinstance(parsed, StaffComplaintRegistration) else "web"
    return parsed.to_draft(), channel


# --- Staff: actions on a case -------------------------------------------------------------------

_MAX_TEXT = 5000
RequiredText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=_MAX_TEXT)]
# Blank becomes None first; the constraints apply to text only (on None they would raise).
OptionalText = Annotated[
    Annotated[str, StringConstraints(strip_whitespace=True, max_length=_MAX_TEXT)] | None,
    BeforeValidator(_blank_is_none),
]
Version = Annotated[int, Field(strict=True, ge=1)]
DecisionCode = Literal["upheld", "partly_upheld", "not_upheld"]


class _ActionBody(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    expected_version: Version


class AcceptBody(_ActionBody):
    action: Literal["accept"]
    category: str
    department: str
    priority: Literal["normal", "major", "urgent"]

    def to_action(self) -> StaffAction:
        return Accept(self.category, self.department, self.priority)


class RejectBody(_ActionBody):
    action: Literal["reject"]
    reason_code: str
    explanation: RequiredText

    def to_action(self) -> StaffAction:
        return Reject(self.reason_code, self.explanation)


class TransferBody(_ActionBody):
    action: Literal["transfer"]
    department: str
    reason: RequiredText

    def to_action(self) -> StaffAction:
        return Transfer(self.department, self.reason)


class StartBody(_ActionBody):
    action: Literal["start"]

    def to_action(self) -> StaffAction:
        return Start()


class NoteBody(_ActionBody):
    action: Literal["note"]
    note: RequiredText

    def to_action(self) -> StaffAction:
        return Note(self.note)


class ReplyBody(_ActionBody):
    action: Literal["reply"]
    message: RequiredText

    def to_action(self) -> StaffAction:
        return Reply(self.message)


class ExtendBody(_ActionBody):
    action: Literal["extend"]
    due_at: AwareDatetime
    reason: RequiredText

    def to_action(self) -> StaffAction:
        return Extend(self.due_at, self.reason)


class RespondBody(_ActionBody):
    action: Literal["respond"]
    decision: DecisionCode
    reasons: RequiredText
    remedy: OptionalText = None

    def to_action(self) -> StaffAction:
        return Respond(self.decision, self.reasons, self.remedy)


class CallbackBody(_ActionBody):
    action: Literal["callback"]
    satisfaction: Literal["very_satisfied", "satisfied", "basically_satisfied", "unsatisfied"]
    comment: OptionalText = None

    def to_action(self) -> StaffAction:
        return Callback(self.satisfaction, self.comment)


class CloseBody(_ActionBody):
    action: Literal["close"]

    def to_action(self) -> StaffAction:
        return Close()


class ReviewDecisionBody(_ActionBody):
    action: Literal["review_decision"]
    decision: DecisionCode
    reasons: RequiredText
    remedy: OptionalText = None

    def to_action(self) -> StaffAction:
        return ReviewDecision(self.decision, self.reasons, self.remedy)


ActionBody = Annotated[
    AcceptBody
    | RejectBody
    | TransferBody
    | StartBody
    | NoteBody
    | ReplyBody
    | ExtendBody
    | RespondBody
    | CallbackBody
    | CloseBody
    | ReviewDecisionBody,
    Field(discriminator="action"),
]
_ACTIONS: TypeAdapter[ActionBody] = TypeAdapter(ActionBody)


def parse_action(body: bytes) -> tuple[StaffAction, int]:
    """The action and the case version it was decided on."""
    try:
        parsed = _ACTIONS.validate_json(body)
    except ValidationError as error:
        raise _refusal(error, tagged=True) from error
    return parsed.to_action(), parsed.expected_version


# --- Staff: the queue's query parameters --------------------------------------------------------


class QueueParameters(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    status: (
        Literal[
            "received",
            "accepted",
            "rejected",
            "in_progress",
            "responded",
            "under_review",
            "closed",
            "withdrawn",
        ]
        | None
    ) = None
    department: Text = None
    category: Text = None
    priority: Literal["normal", "major", "urgent"] | None = None
    overdue: bool | None = None
    month: Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")] | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 50
    cursor: Annotated[str, StringConstraints(max_length=2000)] | None = None
    # The language of messages, as on every route (read by the error mapping, not the query).
    lang: str | None = None


def parse_queue_parameters(query: dict[str, str] | None) -> QueueParameters:
    try:
        return QueueParameters.model_validate_strings(query or {})
    except ValidationError as error:
        raise _refusal(error) from error


# --- Complainants: actions on their own case -----------------------------------------------------


class _ComplainantBody(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InformationBody(_ComplainantBody):
    message: RequiredText

    def to_action(self) -> ComplainantAction:
        return AddInformation(self.message)


class FeedbackBody(_ComplainantBody):
    satisfaction: Literal["very_satisfied", "satisfied", "basically_satisfied", "unsatisfied"]
    comment: OptionalText = None

    def to_action(self) -> ComplainantAction:
        return Feedback(self.satisfaction, self.comment)


class ReviewBody(_ComplainantBody):
    reasons: RequiredText

    def to_action(self) -> ComplainantAction:
        return RequestReview(self.reasons)


class WithdrawBody(_ComplainantBody):
    reason: OptionalText = None

    def to_action(self) -> ComplainantAction:
        return Withdraw(self.reason)


COMPLAINANT_BODIES: dict[str, type[InformationBody | FeedbackBody | ReviewBody | WithdrawBody]] = {
    "information": InformationBody,
    "feedback": FeedbackBody,
    "review": ReviewBody,
    "withdraw": WithdrawBody,
}


def parse_complainant_action(kind: str, body: bytes) -> ComplainantAction:
    try:
        return COMPLAINANT_BODIES[kind].model_validate_json(body or b"{}").to_action()
    except ValidationError as error:
        raise _refusal(error) from error
