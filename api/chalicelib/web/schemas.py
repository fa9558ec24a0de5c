"""The shape of requests on the wire (JSON bodies, form posts, query strings), checked with pydantic.

Only what people never type is checked here (JSON types, enumerations offered as choices, unknown
and repeated fields) and every text is brought to its one normal form (domain/text.py); amounts,
dates and every other rule belong to the domain, so a person sees all their mistakes at once.
The bodies of actions are derived from the domain's action inputs, so a new action needs no
second description here. Imported only by the routes that take a body, to keep pydantic off the
cold path of the others; the complainant's own filing, the body a cold function meets most, is
checked without it (``complaint_body``: the same fields and answers as ``ComplaintSubmission``).
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, Union, get_type_hints

from msgspec import NODEFAULT
from msgspec.structs import fields as struct_fields
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    create_model,
)
from pydantic_core import PydanticCustomError

from ..domain.action_rules import CatalogCode
from ..domain.actions import STAFF_ACTIONS, StaffAction
from ..domain.case import Priority
from ..domain.complainant_actions import COMPLAINANT_ACTIONS, ComplainantAction
from ..domain.complaint import ComplainantType, ComplaintDraft, RegistrationChannel
from ..domain.deadlines import Clock
from ..domain.lifecycle import Status
from ..domain.messages import Message, field_message
from ..domain.moments import EARLIEST, LATEST, to_utc
from ..domain.text import clean_text
from ..domain.vocabulary import Lang
from .errors import RequestError
from .requests import refuse_repeated_keys, whole_body_refused

__all__ = [
    "COMPLAINANT_BODIES",
    "ActionBody",
    "ComplaintSubmission",
    "QueueParameters",
    "ReportParameters",
    "SearchParameters",
    "StaffAccessParameters",
    "StaffComplaintRegistration",
    "StatisticsParameters",
    "parse_action",
    "parse_complainant_action",
    "parse_empty_body",
    "parse_queue_parameters",
    "parse_report_parameters",
    "parse_search_parameters",
    "parse_staff_access_parameters",
    "parse_staff_registration",
    "parse_statistics_parameters",
]

_MAX_TEXT = 5000


def _cleaned(value: Any) -> Any:
    """Text in its normal form; text that shows nothing counts as not given."""
    if isinstance(value, str):
        return clean_text(value) or None
    return value


def _cleaned_keeping_blank(value: Any) -> Any:
    # For required text: blank stays "" so that the length check reports it as missing.
    return clean_text(value) if isinstance(value, str) else value


def _number_as_text(value: Any) -> Any:
    # A JSON number for an amount is read as the text a person would have typed.
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)
    return _cleaned(value)


def _utc_within_span(value: datetime) -> datetime:
    utc = to_utc(value)
    if utc is None:
        raise PydanticCustomError("moment_range", "outside the span of moments the portal stores")
    return utc


def _date_within_span(value: date) -> date:
    if not EARLIEST.date() <= value < LATEST.date():
        raise PydanticCustomError("moment_range", "outside the span of moments the portal stores")
    return value


SpanDate = Annotated[date, AfterValidator(_date_within_span)]

Text = Annotated[str | None, BeforeValidator(_cleaned)]
AmountText = Annotated[str | None, BeforeValidator(_number_as_text)]
RequiredText = Annotated[
    Annotated[str, StringConstraints(min_length=1, max_length=_MAX_TEXT)],
    BeforeValidator(_cleaned_keeping_blank),
]
# Blank becomes None first; the constraints apply to text only (on None they would raise).
OptionalText = Annotated[
    Annotated[str, StringConstraints(max_length=_MAX_TEXT)] | None, BeforeValidator(_cleaned)
]
# A moment with its offset, kept in UTC: one that has no UTC equivalent in the span is refused.
Moment = Annotated[AwareDatetime, AfterValidator(_utc_within_span)]
Version = Annotated[int, Field(strict=True, ge=1)]


class ComplaintSubmission(BaseModel):
    """A complaint filed online by the complainant."""

    # Every model here is built at its first validation, not at import (defer_build): a cold
    # function builds only the one its first request needs.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    complainant_type: ComplainantType | None = None
    name: Text = None
    organization: Text = None
    credit_code: Text = None
    phone: Text = None
    email: Text = None
    preferred_language: Lang = "zh"
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
        return ComplaintDraft(**self.model_dump(include=set(ComplaintSubmission.model_fields)))


class StaffComplaintRegistration(ComplaintSubmission):
    """A complaint an officer registers from another channel."""

    # Checked with the complaint's own rules, so a forgotten channel or time is reported with every
    # other mistake.
    channel: RegistrationChannel | None = None
    received_at: Moment | None = None


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
    if error_type == "moment_range":
        span = {"earliest": EARLIEST.date().isoformat(), "latest": LATEST.date().isoformat()}
        return field_message("moment_out_of_range", field, **span)
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
            return whole_body_refused("invalid_json" if kind == "json_invalid" else "json_object_required")
        # In a tagged union the first location is the tag ("accept"), the field comes next.
        field = str(location[1] if tagged and len(location) > 1 else location[0])
        fields.setdefault(field, _field_error(kind, field))
    return RequestError(400, "validation_failed", Message("validation_failed"), fields)


def parse_staff_registration(body: bytes) -> tuple[ComplaintDraft, StaffComplaintRegistration]:
    """A complaint an officer registers, and the whole registration (whose channel and time of
    receipt the service checks with the complaint's rules). The complainant's own filing is checked
    without pydantic (``complaint_body``), with the same rules."""
    try:
        refuse_repeated_keys(body)
        parsed = StaffComplaintRegistration.model_validate_json(body)
    except ValidationError as error:
        raise _refusal(error) from error
    return parsed.to_draft(), parsed


# --- Action bodies, derived from the domain's action inputs ---------------------------------------


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class _ActionBody(_Body):
    expected_version: Version


def _wire_type(hint: Any) -> Any:
    """How a field of an action input travels: text people write is cleaned and bounded, a moment
    carries its offset, choices are the domain's own literal types or catalog codes as they are."""
    if hint == CatalogCode:
        return str
    if hint is str:
        return RequiredText
    if hint == str | None:
        return OptionalText
    if hint is datetime:
        return Moment
    return hint


def _body_model(name: str, action_input: type[Any], base: type[_Body], **extra: Any) -> type[_Body]:
    hints = get_type_hints(action_input, include_extras=True)
    fields: dict[str, Any] = dict(extra)
    for field in struct_fields(action_input):
        default = ... if field.default is NODEFAULT else field.default
        fields[field.name] = (_wire_type(hints[field.name]), default)
    title = "".join(part.title() for part in name.split("_")) + "Body"
    return create_model(title, __base__=base, __doc__=action_input.__doc__, **fields)


def _to_input(body: _Body, action_input: type[Any]) -> Any:
    return action_input(**{f.name: getattr(body, f.name) for f in struct_fields(action_input)})


_STAFF_INPUTS: dict[str, type[Any]] = {rule.name: rule.input for rule in STAFF_ACTIONS}
ACTION_BODIES: dict[str, type[_Body]] = {
    rule.name: _body_model(
        rule.name,
        rule.input,
        _ActionBody,
        action=(Literal[rule.name], ...),  # one literal per action
    )
    for rule in STAFF_ACTIONS
}
ActionBody: Any = Annotated[Union[tuple(ACTION_BODIES.values())], Field(discriminator="action")]  # noqa: UP007


@functools.cache
def _actions() -> TypeAdapter[Any]:
    # Built at the first staff action, not at import (it builds every action's body model).
    return TypeAdapter(ActionBody)


def parse_action(body: bytes) -> tuple[StaffAction, int]:
    """The action and the case version it was decided on."""
    try:
        refuse_repeated_keys(body)
        parsed = _actions().validate_json(body)
    except ValidationError as error:
        raise _refusal(error, tagged=True) from error
    action: StaffAction = _to_input(parsed, _STAFF_INPUTS[parsed.action])
    return action, parsed.expected_version


# --- Staff: the queue's query parameters --------------------------------------------------------


class QueueParameters(_Body):
    status: Status | None = None
    department: Text = None
    category: Text = None
    priority: Priority | None = None
    overdue: bool | None = None
    # Only cases escalated a second time (their clock still open that long after it ran out).
    escalated: bool | None = None
    month: Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")] | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 50
    cursor: Annotated[str, StringConstraints(max_length=2000)] | None = None
    # Only cases whose next deadline is of this kind (the callbacks worklist: ``callback``).
    due: Clock | None = None
    # Only cases with an extension asked for and not yet decided (the supervisors' worklist).
    extension: Literal["waiting"] | None = None
    # The index's order (earliest due first) or its reverse.
    order: Literal["asc", "desc"] = "asc"
    # Count every page of the selection too (one more read of the index: for the console's pager).
    total: bool | None = None
    # The language of messages, as on every route (read by the error mapping, not the query).
    lang: str | None = None


def parse_queue_parameters(query: dict[str, str] | None) -> QueueParameters:
    try:
        return QueueParameters.model_validate_strings(query or {})
    except ValidationError as error:
        raise _refusal(error) from error


class SearchParameters(_Body):
    """``GET /admin/search``: what the officer typed (read by domain/search_terms.py, which names
    what is wrong with it)."""

    q: Annotated[str, StringConstraints(max_length=1000)] | None = None
    lang: str | None = None


def parse_search_parameters(query: dict[str, str] | None) -> SearchParameters:
    try:
        return SearchParameters.model_validate_strings(query or {})
    except ValidationError as error:
        raise _refusal(error) from error


class StaffAccessParameters(_Body):
    """``GET /admin/access-log``: one staff member's entries, from one day to another (Beijing
    time, both included; the last seven days by default)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)

    staff_id: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    since: SpanDate | None = Field(None, alias="from")
    until: SpanDate | None = Field(None, alias="to")
    lang: str | None = None


def parse_staff_access_parameters(query: dict[str, str] | None) -> StaffAccessParameters:
    try:
        return StaffAccessParameters.model_validate_strings(query or {})
    except ValidationError as error:
        raise _refusal(error) from error


# --- Monthly reports and the published statistics -------------------------------------------------

# A month of the span the portal stores moments in (1990 to 2099).
MonthText = Annotated[str, StringConstraints(pattern=r"^(199[0-9]|20[0-9]{2})-(0[1-9]|1[0-2])$")]


class ReportParameters(_Body):
    """``GET /admin/reports/monthly``: which month (the current one by default), in which language
    and form, and whether the frozen snapshot or the live recomputation (the snapshot when there is
    one, by default)."""

    month: MonthText | None = None
    # The report's language, as on every route (read by the language negotiation).
    lang: str | None = None
    format: Literal["json", "xlsx", "csv"] = "json"
    source: Literal["live", "snapshot"] | None = None
    # The JSON counts the month's complaints; ``include=cases`` lists them too, as the downloads do.
    include: Literal["cases"] | None = None

    @property
    def case_rows(self) -> bool:
        return self.format != "json" or self.include == "cases"


class StatisticsParameters(_Body):
    """``GET /stats/monthly``: the twelve months ending at ``month`` (the latest published by default)."""

    month: MonthText | None = None
    lang: str | None = None
    format: Literal["json", "csv"] = "json"


def parse_report_parameters(query: dict[str, str] | None) -> ReportParameters:
    try:
        return ReportParameters.model_validate_strings(query or {})
    except ValidationError as error:
        raise _refusal(error) from error


def parse_statistics_parameters(query: dict[str, str] | None) -> StatisticsParameters:
    try:
        return StatisticsParameters.model_validate_strings(query or {})
    except ValidationError as error:
        raise _refusal(error) from error


# --- Complainants: actions on their own case -----------------------------------------------------

# The path segment of each complainant action's route.
_COMPLAINANT_ROUTES = {
    "information": "add_information",
    "feedback": "feedback",
    "review": "request_review",
    "withdraw": "withdraw",
}
_COMPLAINANT_INPUTS: dict[str, type[Any]] = {rule.name: rule.input for rule in COMPLAINANT_ACTIONS}
COMPLAINANT_BODIES: dict[str, type[_Body]] = {
    kind: _body_model(kind, _COMPLAINANT_INPUTS[name], _Body) for kind, name in _COMPLAINANT_ROUTES.items()
}


def parse_complainant_action(kind: str, body: bytes) -> ComplainantAction:
    content = body or b"{}"
    try:
        refuse_repeated_keys(content)
        parsed = COMPLAINANT_BODIES[kind].model_validate_json(content)
    except ValidationError as error:
        raise _refusal(error) from error
    action: ComplainantAction = _to_input(parsed, _COMPLAINANT_INPUTS[_COMPLAINANT_ROUTES[kind]])
    return action


def parse_empty_body(body: bytes) -> None:
    """A body that says nothing (a resend): ``{}``; any field is refused by name."""
    try:
        refuse_repeated_keys(body)
        _Body.model_validate_json(body)
    except ValidationError as error:
        raise _refusal(error) from error
