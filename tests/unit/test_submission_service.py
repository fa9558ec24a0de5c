"""Filing a complaint, against the in-memory repository: no AWS at all."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from msgspec.structs import replace

from chalicelib.domain.case import COMPLAINANT, Case, Event
from chalicelib.domain.complaint import ComplaintDraft
from chalicelib.domain.deadlines import default_policy
from chalicelib.domain.errors import (
    CaseNotFoundError,
    IdempotencyMismatchError,
    InvalidInputError,
    InvalidTrackingNumberError,
)
from chalicelib.domain.lifecycle import Status
from chalicelib.domain.notifications import Notice
from chalicelib.domain.tracking import access_code_matches, format_code
from chalicelib.services.lookup import find_case
from chalicelib.services.repository import IdempotencyRecord, TrackingNumberTakenError
from chalicelib.services.submissions import Receipt, submit_complaint
from chalicelib.storage.memory import MemoryCaseRepository
from tests.support.memory import TEST_IDENTITY, memory_repository

from .test_complaint_rules import PERSON

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
SECRET = "s" * 40


def submit(
    repository: MemoryCaseRepository,
    draft: ComplaintDraft = PERSON,
    key: str | None = None,
    now: datetime = NOW,
) -> Receipt:
    return submit_complaint(
        repository,
        draft,
        channel="web",
        actor=COMPLAINANT,
        idempotency_key=key,
        access_code_secret=SECRET,
        now=now,
        policy=default_policy(),
    )


def test_a_complaint_is_stored_received_with_its_first_event() -> None:
    repository = memory_repository()
    receipt = submit(repository)
    case = repository.get(receipt.case.tracking_no)
    assert case is not None
    assert case.status is Status.RECEIVED
    assert case.version == 1
    assert access_code_matches(case.tracking_no, receipt.access_code, case.access_code_hash)
    [event] = repository.history(case.tracking_no)
    assert (event.seq, event.action, event.to_status, event.visibility) == (
        1,
        "submit",
        Status.RECEIVED,
        "public",
    )
    decide = case.deadline("decide")
    assert decide is not None
    assert decide.met_at is None
    assert decide.due_at > NOW
    acknowledge = case.deadline("acknowledge")
    assert acknowledge is not None
    assert acknowledge.met_at == NOW


def test_staff_conduct_complaints_are_confidential() -> None:
    receipt = submit(memory_repository(), replace(PERSON, category="staff_conduct"))
    assert receipt.case.confidential


def test_a_bad_complaint_stores_nothing() -> None:
    repository = memory_repository()
    with pytest.raises(InvalidInputError):
        submit(repository, replace(PERSON, consent=False))
    assert repository.count() == 0


def test_the_same_key_and_body_return_the_same_case_and_code() -> None:
    repository = memory_repository()
    first = submit(repository, key="form-1")
    again = submit(repository, key="form-1")
    assert again.replayed
    assert again.case.tracking_no == first.case.tracking_no
    assert again.access_code == first.access_code
    assert repository.count() == 1


def test_the_same_key_with_another_body_is_refused() -> None:
    repository = memory_repository()
    submit(repository, key="form-1")
    with pytest.raises(IdempotencyMismatchError):
        submit(repository, replace(PERSON, subject="另一个投诉标题"), key="form-1")
    assert repository.count() == 1


def test_an_expired_key_files_a_new_case() -> None:
    repository = memory_repository()
    first = submit(repository, key="form-1")
    later = submit(repository, key="form-1", now=NOW.replace(day=26))
    assert later.case.tracking_no != first.case.tracking_no
    assert not later.replayed


def test_different_keys_file_different_cases_with_different_codes() -> None:
    repository = memory_repository()
    a, b = submit(repository, key="a"), submit(repository, key="b")
    assert a.case.tracking_no != b.case.tracking_no
    assert a.access_code != b.access_code


class CollidingRepository(MemoryCaseRepository):
    """Reports the first numbers tried as taken, as DynamoDB's condition would."""

    def __init__(self, collisions: int) -> None:
        super().__init__(TEST_IDENTITY)
        self.collisions = collisions
        self.tried: list[str] = []

    def create(
        self,
        case: Case,
        event: Event,
        idempotency: IdempotencyRecord | None,
        notices: Sequence[Notice] = (),
    ) -> None:
        self.tried.append(case.tracking_no)
        if len(self.tried) <= self.collisions:
            raise TrackingNumberTakenError()
        super().create(case, event, idempotency, notices)


def test_a_taken_number_is_never_assumed_free_a_new_one_is_drawn() -> None:
    repository = CollidingRepository(collisions=2)
    receipt = submit(repository)
    assert len(repository.tried) == 3
    assert len(set(repository.tried)) == 3
    assert receipt.case.tracking_no == repository.tried[-1]


def test_lookup_checks_the_number_before_reading_storage() -> None:
    class NoReads(MemoryCaseRepository):
        def get(self, tracking_no: str) -> Case | None:
            raise AssertionError("storage was read")

    with pytest.raises(InvalidTrackingNumberError):
        find_case(NoReads(TEST_IDENTITY), "ABCD-EFGH-JKMN")


def test_lookup_finds_a_case_by_any_typed_form_and_reports_unknown_ones() -> None:
    repository = memory_repository()
    receipt = submit(repository)
    typed = format_code(receipt.case.tracking_no).lower().replace("-", " ")
    assert find_case(repository, typed).tracking_no == receipt.case.tracking_no
    other = memory_repository()
    with pytest.raises(CaseNotFoundError):
        find_case(other, receipt.case.tracking_no)


def test_the_month_of_filing_is_the_beijing_month() -> None:
    late_on_the_last_day = datetime(2026, 11, 30, 17, 30, tzinfo=UTC)  # 1 December, 01:30 in Beijing
    receipt = submit(memory_repository(), now=late_on_the_last_day)
    assert receipt.case.submitted_month == "2026-12"
