"""A scheduled job's pass through the queue longer than one run, on DynamoDB Local: the cursor left in
the job-cursors table, the next run going on from it through the real queue index (whose cursors are
keys), past the cases the first run closed, and the cursor forgotten once the pass ends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.actions import Accept, Respond, apply_staff_action
from chalicelib.domain.case import open_case
from chalicelib.domain.lifecycle import Status
from chalicelib.services import scheduled_work
from chalicelib.services.repository import CaseRepository, JobCursors
from chalicelib.services.scheduled_work import auto_close
from tests.support import unique_table_prefix
from tests.support.api_client import reset_app_state
from tests.unit.test_staff_actions import NOW, OFFICER, POLICY, new_case


@pytest.fixture
def stores(
    dynamodb_local: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[CaseRepository, JobCursors]]:
    monkeypatch.setenv("STAGE", "test")
    monkeypatch.setenv("STORAGE", "dynamodb")
    monkeypatch.setenv("TABLE_PREFIX", unique_table_prefix("job-passes"))
    monkeypatch.setattr(scheduled_work, "_PAGE", 2)
    monkeypatch.setattr(scheduled_work, "_MAX_PAGES", 1)
    reset_app_state()
    from chalicelib.settings import get_settings
    from chalicelib.storage import job_cursors_for, repository_for
    from chalicelib.storage.tables import ensure_tables

    ensure_tables(get_settings())
    yield repository_for(get_settings()), job_cursors_for(get_settings())
    reset_app_state()


def responded_case(repository: CaseRepository, tracking_no: str) -> str:
    """A case filed, accepted and responded to, each step saved as the API saves it."""
    case, event = open_case(
        tracking_no=tracking_no,
        access_code_hash="h",
        complainant=new_case().complainant,
        details=new_case().details,
        channel="web",
        actor=OFFICER.actor,
        now=NOW,
        policy=POLICY,
    )
    repository.create(case, event, None)
    for action in (Accept("env_noise", "ecology_environment", "normal"), Respond("upheld", "已整改")):
        case, event = apply_staff_action(
            case, action, OFFICER, now=case.updated_at + timedelta(minutes=1), policy=POLICY
        )
        repository.save(case, event)
    return tracking_no


def test_auto_close_goes_on_from_its_cursor_past_what_it_closed_and_forgets_it_at_the_end(
    stores: tuple[CaseRepository, JobCursors],
) -> None:
    repository, cursors = stores
    numbers = [responded_case(repository, f"TESTCASE{n:04d}") for n in range(5)]
    sample = repository.get(numbers[0])
    assert sample is not None
    moment = POLICY.due("review_request", sample.updated_at).at + timedelta(hours=1)

    first = auto_close(repository, cursors, now=moment, policy=POLICY)
    assert (first.counts.get("closed"), first.more) == (2, True)
    assert cursors.get("auto_close:responded", now=moment) is not None

    later = [auto_close(repository, cursors, now=moment, policy=POLICY) for _ in range(2)]
    assert [r.counts.get("closed", 0) for r in later] == [2, 1]
    assert [r.counts.get("resumed", 0) for r in later] == [1, 1]
    statuses = set()
    for number in numbers:
        stored = repository.get(number)
        assert stored is not None
        statuses.add(stored.status)
    assert statuses == {Status.CLOSED}
    assert cursors.get("auto_close:responded", now=moment) is None


def test_a_cursor_past_its_keep_until_is_not_resumed(stores: tuple[CaseRepository, JobCursors]) -> None:
    _, cursors = stores
    now = datetime(2026, 12, 1, tzinfo=UTC)
    cursors.put("chase_deadlines", "somewhere", keep_until=now + timedelta(hours=1))
    assert cursors.get("chase_deadlines", now=now) == "somewhere"
    assert cursors.get("chase_deadlines", now=now + timedelta(hours=2)) is None
    cursors.put("chase_deadlines", None, keep_until=now)
    assert cursors.get("chase_deadlines", now=now) is None
