"""The monthly report (issue 9, acceptance 1): a month of cases with known answers, built through the
services on the in-memory store, and every figure of the report checked against the test's own
count (tests/support/report_month.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.deadlines import default_policy
from chalicelib.domain.errors import ForbiddenError
from chalicelib.domain.staff import StaffMember
from chalicelib.services.reports import freeze_month, monthly_report
from chalicelib.storage.memory import MemoryAttemptCounter
from tests.support.memory import memory_repository
from tests.support.report_month import AS_AT, MONTH, Scenario, build_october, expected_figures, expected_lists

OFFICER = StaffMember("o9", "赵专员", frozenset({"officer"}))


@pytest.fixture(scope="module")
def october() -> Scenario:
    repository = memory_repository()
    return build_october(repository, repository, MemoryAttemptCounter())


def test_every_figure_of_the_month_is_the_count_the_test_makes_itself(october: Scenario) -> None:
    report = monthly_report(october.store, OFFICER, MONTH, source=None, now=AS_AT, policy=default_policy())
    assert report.source == "live"
    assert not report.so_far
    figures = report.document["figures"]
    expected = expected_figures(october)
    assert set(figures) == set(expected)
    wrong = {key: (figures[key], expected[key]) for key in expected if figures[key] != expected[key]}
    assert not wrong, wrong


def test_the_lists_hold_the_cases_the_test_expects(october: Scenario) -> None:
    document = monthly_report(
        october.store, OFFICER, MONTH, source="live", now=AS_AT, policy=default_policy()
    ).document
    expected = expected_lists(october)
    assert [row["tracking_no"] for row in document["cases"]] == expected["cases"]
    assert sorted(row["tracking_no"] for row in document["major_cases"]) == expected["major_cases"]
    assert (
        sorted((row["tracking_no"], row["clock"]) for row in document["overdue_cases"]) == expected["overdue"]
    )
    assert [(row["location"], row["count"]) for row in document["top_locations"]] == expected["top_locations"]


def test_a_report_without_the_case_rows_has_the_same_figures_and_lists(october: Scenario) -> None:
    policy = default_policy()
    whole = monthly_report(october.store, OFFICER, MONTH, source="live", now=AS_AT, policy=policy)
    counted = monthly_report(
        october.store, OFFICER, MONTH, source="live", now=AS_AT, policy=policy, case_rows=False
    )
    assert counted.document["cases"] is None
    assert whole.document["cases"]
    assert {**counted.document, "cases": whole.document["cases"]} == whole.document


def test_known_answers_of_the_month(october: Scenario) -> None:
    """A few figures spelled out, so that a wrong reading of the definitions shows here first."""
    f = expected_figures(october)
    assert f["received.total"] == 12  # A, C-K, O and P; B was received on 30 September
    assert f["stock.carried_over"] == 4  # L, M, N (carried by the job) and B (received 30 September)
    assert f["clock.report.met_late"] == 3  # A, G and H: due on the make-up Saturday 11 October
    assert f["clock.respond.extended"] == 1  # F
    assert f["clock.decide.lapsed"] == 1  # D, withdrawn before the decision was due
    assert f["handling.all.median"] == 3
    assert f["recurring.repeat_complainants"] == 1  # A, I and J share a phone or an e-mail address
    assert f["recurring.repeat_complaints"] == 3
    assert (f["reviews.upheld"], f["reviews.changed"]) == (1, 1)


def test_the_frozen_month_is_the_report_as_it_was_then_and_stays_so(october: Scenario) -> None:
    policy = default_policy()
    frozen_at = AS_AT - timedelta(days=7)  # Monday 3 November, the first working day after October
    assert freeze_month(october.store, now=frozen_at - timedelta(days=2), policy=policy) is None
    assert freeze_month(october.store, now=frozen_at, policy=policy) == MONTH
    assert freeze_month(october.store, now=AS_AT, policy=policy) is None  # frozen once
    snapshot = monthly_report(october.store, OFFICER, MONTH, source=None, now=AS_AT, policy=policy)
    assert snapshot.source == "snapshot"
    assert snapshot.as_at == frozen_at
    expected = expected_figures(october, as_at=frozen_at)
    assert snapshot.document["figures"] == expected
    live = monthly_report(october.store, OFFICER, MONTH, source="live", now=AS_AT, policy=policy)
    assert live.document["figures"] == expected_figures(october)
    # The snapshot keeps the month's complaints for its downloads; a count only leaves them out.
    assert [row["tracking_no"] for row in snapshot.document["cases"]] == expected_lists(october, frozen_at)[
        "cases"
    ]
    counted = monthly_report(
        october.store, OFFICER, MONTH, source=None, now=AS_AT, policy=policy, case_rows=False
    )
    assert counted.document["cases"] is None
    assert counted.document["figures"] == snapshot.document["figures"]


def test_only_officers_and_supervisors_read_the_report(october: Scenario) -> None:
    handler = StaffMember("h1", "李承办", frozenset({"handler"}), "ecology_environment")
    with pytest.raises(ForbiddenError):
        monthly_report(october.store, handler, MONTH, source=None, now=AS_AT, policy=default_policy())
