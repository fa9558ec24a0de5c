"""The domain's rules for a new complaint: every broken rule reported at once, under its field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from msgspec.structs import replace

from chalicelib.domain.complaint import ComplaintDraft, check_draft, normalize_phone
from chalicelib.domain.errors import InvalidInputError
from chalicelib.domain.messages import render

TODAY = date(2026, 11, 24)
VALID_CREDIT_CODE = "91350100M000100Y43"

PERSON = ComplaintDraft(
    complainant_type="individual",
    name="王小明",
    phone="138 0013 8000",
    category="env_noise",
    subject="夜间施工噪音",
    description="工地每天晚上十一点后仍在施工，影响居民休息。",
    consent=True,
)
ENTERPRISE = replace(
    PERSON,
    complainant_type="enterprise",
    organization="苏州某某科技有限公司",
    credit_code=VALID_CREDIT_CODE.lower(),
)


def refused_fields(draft: ComplaintDraft) -> dict[str, str]:
    with pytest.raises(InvalidInputError) as refused:
        check_draft(draft, today=TODAY)
    return {name: render(message, "en") for name, message in refused.value.fields.items()}


def test_a_complete_complaint_passes_and_is_normalised() -> None:
    complainant, details = check_draft(PERSON, today=TODAY)
    assert complainant.phone == "13800138000"
    assert details.category == "env_noise"


def test_an_enterprise_is_identified_by_a_valid_credit_code() -> None:
    complainant, _ = check_draft(ENTERPRISE, today=TODAY)
    assert complainant.credit_code == VALID_CREDIT_CODE


@pytest.mark.parametrize(
    "code", ["91350100M000100Y44", "91350100M000100Y4", "ABCDEFGHIJKLMNOPQR", "9135010OM000100Y43"]
)
def test_a_wrong_credit_code_is_refused(code: str) -> None:
    assert (
        "Unified Social Credit Code" in refused_fields(replace(ENTERPRISE, credit_code=code))["credit_code"]
    )


def test_an_enterprise_needs_its_name_and_code() -> None:
    fields = refused_fields(replace(ENTERPRISE, organization=None, credit_code=None))
    assert set(fields) == {"organization", "credit_code"}


def test_an_individual_gives_no_enterprise_fields() -> None:
    assert set(refused_fields(replace(PERSON, organization="X", credit_code=VALID_CREDIT_CODE))) == {
        "organization",
        "credit_code",
    }


def test_a_named_complaint_needs_a_name_and_a_way_to_reach_the_complainant() -> None:
    fields = refused_fields(replace(PERSON, name=None, phone=None, email=None))
    assert set(fields) == {"name", "phone"}
    assert "anonymously" in fields["phone"]


def test_an_anonymous_complaint_needs_no_identity_and_takes_none() -> None:
    anonymous = replace(PERSON, anonymous=True, name=None, phone=None)
    complainant, _ = check_draft(anonymous, today=TODAY)
    assert complainant.anonymous
    assert complainant.name is None
    assert complainant.phone is None
    assert set(refused_fields(replace(anonymous, name="X", email="x@example.com"))) == {"name", "email"}


def test_everything_wrong_is_reported_at_once() -> None:
    fields = refused_fields(
        replace(
            PERSON,
            category="nonsense",
            subject=None,
            description="short",
            consent=False,
            phone="12345",
            email="not-an-address",
            occurred_on="2026-11-25",
        )
    )
    assert set(fields) == {"category", "subject", "description", "consent", "phone", "email", "occurred_on"}


def test_lengths_are_bounded() -> None:
    fields = refused_fields(replace(PERSON, subject="x" * 101, name="名" * 51))
    assert fields["subject"] == "Subject must be at most 100 characters."
    assert set(fields) == {"subject", "name"}


def test_a_compensation_claim_states_a_sensible_amount() -> None:
    claim = replace(PERSON, category="compensation")
    assert set(refused_fields(claim)) == {"claim_amount"}
    for bad in ("0", "-1", "0.001", "100000000.01", "12,5", "NaN", "Infinity", "1,00", "元"):
        assert set(refused_fields(replace(claim, claim_amount=bad))) == {"claim_amount"}
    for typed, amount in (
        ("1,999.9", "1999.90"),
        ("¥ 2000", "2000.00"),
        ("0.5", "0.50"),
        ("12元", "12.00"),
        ("1,000 元", "1000.00"),
    ):
        _, details = check_draft(replace(claim, claim_amount=typed), today=TODAY)
        assert details.claim_amount == Decimal(amount)
    assert set(refused_fields(replace(PERSON, claim_amount="10"))) == {"claim_amount"}


def test_messages_exist_in_both_languages() -> None:
    with pytest.raises(InvalidInputError) as refused:
        check_draft(replace(PERSON, name=None), today=TODAY)
    message = refused.value.fields["name"]
    assert render(message, "zh") == "请填写姓名。"
    assert render(message, "en") == "Name is required."


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13800138000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("0512-12345678", "051212345678"),
        ("(010) 1234 5678", "01012345678"),
        ("400-123-4567", "4001234567"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_phone_numbers_people_type_are_accepted(typed: str, stored: str) -> None:
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize("typed", ["12345", "23800138000", "phone", "+86", "1380013800000"])
def test_things_that_are_not_phone_numbers_are_refused(typed: str) -> None:
    assert normalize_phone(typed) is None


@pytest.mark.parametrize("typed", ["١٢٣", "1_000", "1e3", "１２３", "12 34", "+12", ".5"])
def test_an_amount_has_ascii_digits_only(typed: str) -> None:
    # Decimal() reads Arabic-Indic digits, underscores and exponents: none of them is an amount typed here.
    claim = replace(PERSON, category="compensation", claim_amount=typed)
    assert set(refused_fields(claim)) == {"claim_amount"}


@pytest.mark.parametrize("day", ["0001-01-01", "1900-06-30", "1989-12-31"])
def test_what_happened_cannot_be_dated_before_1990(day: str) -> None:
    fields = refused_fields(replace(PERSON, occurred_on=day))
    assert set(fields) == {"occurred_on"}
    assert "1990-01-01" in fields["occurred_on"]
    _, details = check_draft(replace(PERSON, occurred_on="1990-01-01"), today=TODAY)
    assert details.occurred_on == date(1990, 1, 1)


@pytest.mark.parametrize(
    "typed",
    [
        "91350100m000100y43",
        "9135 0100 M000 100Y 43",
        "91350100-M000100Y43",
        "９１３５０１００Ｍ０００１００Ｙ４３",
    ],
)
def test_a_credit_code_is_read_with_spaces_lower_case_or_full_width(typed: str) -> None:
    enterprise = replace(ENTERPRISE, credit_code=typed)
    complainant, _ = check_draft(enterprise, today=TODAY)
    assert complainant.credit_code == "91350100M000100Y43"


def test_staff_registering_are_told_in_staff_words() -> None:
    draft = replace(PERSON, phone=None, email=None, consent=False)
    with pytest.raises(InvalidInputError) as refused:
        check_draft(draft, today=TODAY, writer="staff")
    staff_words = {name: render(m, "en") for name, m in refused.value.fields.items()}
    complainant_words = refused_fields(draft)
    assert set(staff_words) == set(complainant_words) == {"phone", "consent"}
    assert staff_words["consent"] != complainant_words["consent"]
    assert "complainant" in staff_words["phone"]
    assert "you" not in staff_words["phone"].split()
