"""A scheduled job's pass through the queue longer than one run: each run reads a bounded number of
pages, leaves its cursor, and the next run goes on from there until the pass ends (issue 13: "works
in bounded pages with a continuation"). Pages of 2 cases and 1 page a run, on the memory store,
whose cursors are places in the order as DynamoDB's are keys."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from msgspec.structs import replace

from chalicelib.domain.case import Case, Event
from chalicelib.services import scheduled_work
from chalicelib.services.scheduled_work import auto_close, chase_deadlines
from chalicelib.storage.memory import MemoryCaseRepository, MemoryJobCursors
from tests.support.memory import memory_repository

from .test_chasing import _responded
from .test_staff_actions import OFFICER, POLICY, new_case


@pytest.fixture(autouse=True)
def small_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scheduled_work, "_PAGE", 2)
    monkeypatch.setattr(scheduled_work, "_MAX_PAGES", 1)


def store(repository: MemoryCaseRepository, case: Case) -> None:
    event = Event(case.tracking_no, case.version, case.updated_at, OFFICER.actor, "note", "internal")
    repository.create(case, event, None)


def numbered(case: Case, n: int) -> Case:
    return replace(case, tracking_no=f"TESTCASE{n:04d}")


def overdue_cases(repository: MemoryCaseRepository, count: int) -> list[str]:
    numbers = []
    for n in range(count):
        case = numbered(new_case(), n)
        store(repository, case)
        numbers.append(case.tracking_no)
    return numbers


def an_hour_past_the_first_clock(repository: MemoryCaseRepository, number: str) -> datetime:
    case = repository.get(number)
    assert case is not None
    assert case.next_due_at is not None
    return case.next_due_at + timedelta(hours=1)


def test_a_chase_longer_than_a_run_goes_on_where_the_last_run_stopped_until_it_ends() -> None:
    repository, cursors = memory_repository(), MemoryJobCursors()
    numbers = overdue_cases(repository, 5)
    moment = an_hour_past_the_first_clock(repository, numbers[0])

    runs = [
        chase_deadlines(repository, repository.outbox, cursors, now=moment, policy=POLICY) for _ in range(4)
    ]

    assert [r.counts.get("cases", 0) for r in runs] == [2, 2, 1, 2]
    assert [r.more for r in runs] == [True, True, False, True]
    assert [r.counts.get("resumed", 0) for r in runs] == [0, 1, 1, 0]  # the fourth starts over
    # Every case was chased in the first pass, each once; the second pass sends nothing new.
    for number in numbers:
        assert [m.notice.template for m in repository.outbox.for_case(number)].count("escalation") == 2
    assert runs[3].counts.get("escalation", 0) == 0


def test_a_pass_left_unfinished_long_ago_starts_over() -> None:
    repository, cursors = memory_repository(), MemoryJobCursors()
    numbers = overdue_cases(repository, 3)
    moment = an_hour_past_the_first_clock(repository, numbers[0])
    assert chase_deadlines(repository, repository.outbox, cursors, now=moment, policy=POLICY).more
    later = chase_deadlines(
        repository, repository.outbox, cursors, now=moment + timedelta(days=3), policy=POLICY
    )
    assert later.counts.get("resumed", 0) == 0
    assert later.counts["cases"] == 2


def test_a_cursor_of_an_older_form_of_the_queue_starts_the_pass_over() -> None:
    repository, cursors = memory_repository(), MemoryJobCursors()
    numbers = overdue_cases(repository, 1)
    moment = an_hour_past_the_first_clock(repository, numbers[0])
    cursors.put("chase_deadlines", "not a cursor", keep_until=moment + timedelta(days=1))
    run = chase_deadlines(repository, repository.outbox, cursors, now=moment, policy=POLICY)
    assert (run.counts["cases"], run.more) == (1, False)
    assert cursors.get("chase_deadlines", now=moment) is None


def test_auto_close_goes_on_past_the_cases_it_closed_without_skipping_any() -> None:
    repository, cursors = memory_repository(), MemoryJobCursors()
    numbers = []
    for n in range(5):
        case = numbered(_responded(), n)
        store(repository, case)
        numbers.append(case.tracking_no)
    sample = repository.get(numbers[0])
    assert sample is not None
    moment = POLICY.due("review_request", sample.updated_at).at + timedelta(hours=1)

    closed = [
        auto_close(repository, cursors, now=moment, policy=POLICY).counts.get("closed", 0) for _ in range(3)
    ]

    # Closing a case takes it out of the queue being read: the cursor, a place and not an offset,
    # goes on after it all the same.
    assert closed == [2, 2, 1]
    assert {repository.get(n).status.value for n in numbers} == {"closed"}  # type: ignore[union-attr]
    assert auto_close(repository, cursors, now=moment, policy=POLICY).counts.get("closed", 0) == 0
