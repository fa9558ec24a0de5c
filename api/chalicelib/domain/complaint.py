"""What a complaint says and who says it, and the rules a new complaint must satisfy.

The transport layer has already checked types, lengths and enumerations; these are the rules that
depend on several fields or on the domain (contact details, anonymity, enterprise identity, claims).
Every broken rule is reported at once, each under the field a person has to change.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Literal, get_args

from msgspec import Struct

from .errors import InvalidInputError
from .messages import Message, field_message
from .moments import EARLIEST
from .vocabulary import Lang, categories

__all__ = [
    "CHANNELS",
    "COMPLAINANT_TYPES",
    "EARLIEST_OCCURRENCE",
    "MAX_CLAIM_AMOUNT",
    "MAX_LENGTHS",
    "MIN_LENGTHS",
    "REGISTRATION_CHANNELS",
    "Channel",
    "Complainant",
    "ComplainantType",
    "ComplaintDetails",
    "ComplaintDraft",
    "RegistrationChannel",
    "Writer",
    "check_draft",
    "normalize_credit_code",
    "normalize_email",
    "normalize_phone",
]

ComplainantType = Literal["individual", "enterprise"]
# Who fills the form in: the complainant online, or staff registering what they were told. The
# rules are the same; the messages speak to the one who has to correct the field.
Writer = Literal["complainant", "staff"]
# The channels staff register complaints from; online ones are filed by the complainant.
RegistrationChannel = Literal["phone", "letter", "visit", "email", "mailbox"]
Channel = Literal["web", RegistrationChannel]
COMPLAINANT_TYPES: tuple[ComplainantType, ...] = ("individual", "enterprise")
REGISTRATION_CHANNELS: tuple[RegistrationChannel, ...] = get_args(RegistrationChannel)
CHANNELS: tuple[Channel, ...] = ("web", *REGISTRATION_CHANNELS)
MAX_CLAIM_AMOUNT = Decimal("100000000")
# Bounds on what people write, in characters.
MAX_LENGTHS = {
    "name": 50,
    "organization": 100,
    "credit_code": 40,  # room for the spaces and hyphens people type between its groups
    "phone": 30,
    "email": 254,
    "subject": 100,
    "description": 5000,
    "location": 200,
    "desired_outcome": 1000,
}
MIN_LENGTHS = {"subject": 4, "description": 10}
# An earlier date of what happened is a slip of the keyboard (0001-01-01, 1900-01-01).
EARLIEST_OCCURRENCE = EARLIEST.date()

# Patterns as text, compiled at their first use into re's own cache: a lookup or a staff action
# never checks a phone number, and compiling all of them took a millisecond of every cold start.
_MOBILE = r"1[3-9]\d{9}"
_LANDLINE = r"0\d{2,3}\d{7,8}(?:#?\d{1,6})?"
_SERVICE_NUMBER = r"[48]00\d{7}"
_INTERNATIONAL = r"\+(?!86)[1-9]\d{6,14}"
_PHONE_NOISE = r"[\s\-()（）]"
_ISO_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
# ASCII digits only: Python's Decimal also reads Arabic-Indic digits and underscores ("1_000").
_AMOUNT = r"[0-9]+(?:\.[0-9]+)?"
_THOUSANDS = r"[0-9]{1,3}(?:[,，][0-9]{3})+(?:\.[0-9]+)?"
_CREDIT_CODE_NOISE = r"[\s\-]"


class ComplaintDraft(Struct, frozen=True):
    """A complaint as received: what people type is still text here (amounts, dates), so that every
    mistake is found by the same rules and reported at once."""

    complainant_type: ComplainantType | None
    category: str | None
    subject: str | None
    description: str | None
    consent: bool
    anonymous: bool = False
    name: str | None = None
    organization: str | None = None
    credit_code: str | None = None
    phone: str | None = None
    email: str | None = None
    preferred_language: Lang = "zh"
    location: str | None = None
    occurred_on: str | None = None
    desired_outcome: str | None = None
    claim_amount: str | None = None


class Complainant(Struct, frozen=True):
    type: ComplainantType
    anonymous: bool
    preferred_language: Lang
    name: str | None = None
    organization: str | None = None
    credit_code: str | None = None
    phone: str | None = None
    email: str | None = None


class ComplaintDetails(Struct, frozen=True):
    category: str
    subject: str
    description: str
    location: str | None = None
    occurred_on: date | None = None
    desired_outcome: str | None = None
    claim_amount: Decimal | None = None


def normalize_phone(raw: str) -> str | None:
    """The phone number without spaces, hyphens or brackets, or ``None`` if it is not one.
    Accepts Chinese mobiles, landlines with area code (and extension), 400/800 numbers and
    international numbers in + form."""
    compact = re.sub(_PHONE_NOISE, "", raw)
    national = re.sub(r"^(?:\+86|0086)", "", compact)
    if national != compact and re.fullmatch(_MOBILE, national):
        return national
    for pattern in (_MOBILE, _LANDLINE, _SERVICE_NUMBER):
        if re.fullmatch(pattern, national):
            return national
    if re.fullmatch(_INTERNATIONAL, compact):
        return compact
    return None


def _normalize_email(raw: str) -> str | None:
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def normalize_email(raw: str) -> str:
    """An e-mail address in the form its identity key is made of: compared without regard to case."""
    return raw.strip().casefold()


def normalize_credit_code(raw: str) -> str:
    """A credit code as people type it (spaces or hyphens between groups, lower case, full-width
    characters from a Chinese input method) in its printed form: 18 upper-case characters."""
    return re.sub(_CREDIT_CODE_NOISE, "", unicodedata.normalize("NFKC", raw)).upper()


def _credit_code_is_valid(code: str) -> bool:
    # GB 32100-2015: 18 characters from a 31-symbol alphabet, the last a weighted mod-31 check.
    from stdnum.cn import uscc

    return bool(uscc.is_valid(code))


def _parse_date(text: str) -> date | None:
    if not re.fullmatch(_ISO_DATE, text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _parse_amount(text: str) -> Decimal | None:
    """An amount as people write it: "1999.9", "1,999.90", "¥ 2000", "2000元". A comma is read only
    as a thousands separator ("12,5" is refused rather than guessed); digits are ASCII digits."""
    compact = text.strip().lstrip("¥￥").removesuffix("元").strip()
    if "," in compact or "，" in compact:
        if not re.fullmatch(_THOUSANDS, compact):
            return None
        compact = compact.replace(",", "").replace("，", "")
    if not re.fullmatch(_AMOUNT, compact):
        return None
    try:
        return Decimal(compact)
    except InvalidOperation:  # pragma: no cover - the pattern admits only what Decimal reads
        return None


def _sensible_amount(amount: Decimal) -> bool:
    return 0 < amount <= MAX_CLAIM_AMOUNT and amount == round(amount, 2)


# Messages that tell the complainant what to do; staff registering a complaint get their own
# wording of the same rule (the key with "_staff" appended).
_STAFF_WORDED = frozenset({"consent_required", "contact_required", "claim_amount_required"})


def _worded(key: str, writer: Writer) -> Message:
    return Message(f"{key}_staff" if writer == "staff" and key in _STAFF_WORDED else key)


def check_draft(
    draft: ComplaintDraft, *, today: date, writer: Writer = "complainant"
) -> tuple[Complainant, ComplaintDetails]:
    """Apply the domain's rules; raise ``InvalidInputError`` naming every field that breaks one."""
    errors: dict[str, Message] = {}

    if draft.complainant_type is None:
        errors["complainant_type"] = field_message("required", "complainant_type")
    category = categories().get(draft.category or "")
    if category is None:
        key = "required" if not draft.category else "invalid_choice"
        errors["category"] = field_message(key, "category")
    if not draft.subject:
        errors["subject"] = field_message("required", "subject")
    if not draft.description:
        errors["description"] = field_message("required", "description")
    if not draft.consent:
        errors["consent"] = _worded("consent_required", writer)
    occurred_on = _parse_date(draft.occurred_on) if draft.occurred_on else None
    if draft.occurred_on and occurred_on is None:
        errors["occurred_on"] = field_message("invalid_date", "occurred_on")
    elif occurred_on is not None and occurred_on > today:
        errors["occurred_on"] = field_message("date_in_future", "occurred_on")
    elif occurred_on is not None and occurred_on < EARLIEST_OCCURRENCE:
        errors["occurred_on"] = field_message(
            "date_too_early", "occurred_on", earliest=EARLIEST_OCCURRENCE.isoformat()
        )

    claim_amount = _parse_amount(draft.claim_amount) if draft.claim_amount else None
    if category is not None and category.claim:
        if not draft.claim_amount:
            errors["claim_amount"] = _worded("claim_amount_required", writer)
        elif claim_amount is None or not _sensible_amount(claim_amount):
            errors["claim_amount"] = Message("claim_amount_invalid")
    elif draft.claim_amount:
        errors["claim_amount"] = Message("claim_only")

    phone = email = credit_code = None
    identity = ("name", "organization", "credit_code", "phone", "email")
    if draft.anonymous:
        for name in identity:
            if getattr(draft, name):
                errors[name] = field_message("anonymous_no_identity", name)
    else:
        if not draft.name:
            errors["name"] = field_message("required", "name")
        if draft.phone:
            phone = normalize_phone(draft.phone)
            if phone is None:
                errors["phone"] = Message("invalid_phone")
        if draft.email:
            email = _normalize_email(draft.email)
            if email is None:
                errors["email"] = Message("invalid_email")
        if not draft.phone and not draft.email:
            errors["phone"] = _worded("contact_required", writer)
        if draft.complainant_type == "enterprise":
            if not draft.organization:
                errors["organization"] = field_message("required", "organization")
            if not draft.credit_code:
                errors["credit_code"] = field_message("required", "credit_code")
            else:
                credit_code = normalize_credit_code(draft.credit_code)
                if not _credit_code_is_valid(credit_code):
                    errors["credit_code"] = Message("invalid_credit_code")
        else:
            for name in ("organization", "credit_code"):
                if getattr(draft, name):
                    errors[name] = field_message("enterprise_only", name)

    for name, limit in MAX_LENGTHS.items():
        value = getattr(draft, name)
        if value and len(value) > limit and name not in errors:
            errors[name] = field_message("too_long", name, max=limit)
    for name, least in MIN_LENGTHS.items():
        value = getattr(draft, name)
        if value and len(value) < least and name not in errors:
            errors[name] = field_message("too_short", name, min=least)

    if errors:
        raise InvalidInputError(errors)
    # Guaranteed by the checks above (mypy cannot see it through the error dictionary).
    assert category is not None and draft.complainant_type and draft.subject and draft.description
    complainant = Complainant(
        type=draft.complainant_type,
        anonymous=draft.anonymous,
        preferred_language=draft.preferred_language,
        name=None if draft.anonymous else draft.name,
        organization=draft.organization if draft.complainant_type == "enterprise" else None,
        credit_code=credit_code,
        phone=phone,
        email=email,
    )
    details = ComplaintDetails(
        category=category.code,
        subject=draft.subject,
        description=draft.description,
        location=draft.location,
        occurred_on=occurred_on,
        desired_outcome=draft.desired_outcome,
        claim_amount=claim_amount.quantize(Decimal("0.01")) if claim_amount is not None else None,
    )
    return complainant, details
