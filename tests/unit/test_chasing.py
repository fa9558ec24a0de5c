"""Chasing the clocks, closing finished cases, the rating reminder and the digest, on the in-memory
repository: what is sent when, to whom, and each once however often the jobs run."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from msgspec.structs import replace

from chalicelib.domain.actions import Accept, Respond
from chalicelib.domain.case import Case, Event
from chalicelib.domain.chasing import chase_notices, closes_by_itself, escalation_level, rate_reminder
from chalicelib.domain.complainant_actions import Feedback, RequestReview, apply_complainant_action
from chalicelib.domain.lifecycle import Status
from chalicelib.domain.vocabulary import departments, office_mailboxes
from chalicelib.domain.working_days import default_calendar
from chalicelib.services.scheduled_work import auto_close, chase_deadlines, daily_digest, remind_to_rate
from chalicelib.services.submissions import submit_complaint
from chalicelib.storage.memory import MemoryCaseRepository, MemoryJobCursors
from tests.support.memory import memory_repository

from .test_complaint_rules import PERSON
from .test_staff_actions import NOW, OFFICER, POLICY, act, new_case

BEIJING = POLICY.zone


def stored(repository: MemoryCaseRepository, case: Case) -> None:
    """A store already holding ``case`` (its history aside)."""
    event = Event(case.tracking_no, case.version, case.updated_at, OFFICER.actor, "note", "internal")
    repository.create(case, event, None)


def beijing(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BEIJING).astimezone(UTC)


def test_a_reminder_goes_to_whoever_must_act_before_the_clock_runs_out() -> None:
    case = new_case()
    decide = case.deadline("decide")
    assert decide is not None
    lead = POLICY.chasing.remind_before["decide"]
    assert chase_notices(case, decide.due_at - lead - timedelta(minutes=1), POLICY) == []
    [reminder] = chase_notices(case, decide.due_at - lead, POLICY)
    assert (reminder.template, reminder.role, reminder.address) == (
        "reminder",
        "officers",
        office_mailboxes().officers,
    )
    assert reminder.params["clock"] == "decide"


def test_escalations_go_to_the_owner_and_supervisors_twice_at_most() -> None:
    case = act(new_case(), Accept("env_noise", "ecology_environment", "normal"), OFFICER)
    report = case.deadline("report")
    assert report is not None
    just_after = report.due_at + timedelta(minutes=1)
    assert escalation_level(report.due_at, just_after, POLICY) == 1
    first = [n for n in chase_notices(case, just_after, POLICY) if n.params["clock"] == "report"]
    assert {(n.template, n.role, n.params["level"]) for n in first} == {
        ("escalation", "department", "1"),
        ("escalation", "supervisors", "1"),
    }
    assert {n.address for n in first if n.role == "department"} == {
        departments()["ecology_environment"].mailbox
    }
    second_at = POLICY.after(POLICY.chasing.escalate_again_after, report.due_at).at + timedelta(minutes=1)
    later = [n for n in chase_notices(case, second_at, POLICY) if n.params["clock"] == "report"]
    assert {n.params["level"] for n in later} == {"1", "2"}
    # The first level's messages are the same ones again: the outbox keeps them once.
    assert {n.id for n in first} <= {n.id for n in later}


def test_the_jobs_send_each_reminder_and_escalation_once_however_often_they_run() -> None:
    repository = memory_repository()
    receipt = submit_complaint(
        repository,
        PERSON,
        channel="web",
        actor=OFFICER.actor,
        idempotency_key=None,
        access_code_secret="s" * 40,
        now=NOW,
        policy=POLICY,
    )
    decide = receipt.case.deadline("decide")
    assert decide is not None
    moments = [decide.due_at - timedelta(hours=1), decide.due_at + timedelta(hours=1)]
    moments.append(POLICY.after(POLICY.chasing.escalate_again_after, decide.due_at).at + timedelta(hours=1))
    sent: list[dict[str, int]] = []
    for moment in moments:
        for _ in range(2):  # the same moment twice: nothing new the second time
            sent.append(
                chase_deadlines(
                    repository, repository.outbox, MemoryJobCursors(), now=moment, policy=POLICY
                ).counts
            )
    assert [counts.get("reminder", 0) + counts.get("escalation", 0) for counts in sent] == [1, 0, 2, 0, 2, 0]
    templates = [m.notice.template for m in repository.outbox.for_case(receipt.case.tracking_no)]
    assert templates.count("reminder") == 1
    assert templates.count("escalation") == 4


def _responded() -> Case:
    return act(
        act(new_case(), Accept("env_noise", "ecology_environment", "normal"), OFFICER),
        Respond("upheld", "已整改"),
        OFFICER,
    )


def test_a_case_closes_by_itself_once_its_review_window_has_passed_and_not_before() -> None:
    responded = _responded()
    window_end = POLICY.due("review_request", responded.updated_at).at
    assert not closes_by_itself(responded, window_end, POLICY)
    assert closes_by_itself(responded, window_end + timedelta(seconds=1), POLICY)
    reviewing, _ = apply_complainant_action(
        responded, RequestReview("不服"), now=responded.updated_at, policy=POLICY
    )
    assert not closes_by_itself(reviewing, window_end + timedelta(days=1), POLICY)


def test_auto_close_closes_exactly_the_cases_past_their_window() -> None:
    repository = memory_repository()
    past, recent = _responded(), replace(_responded(), tracking_no="RECENTRECENT")
    later = replace(
        recent, milestones=tuple(replace(m, at=m.at + timedelta(days=20)) for m in recent.milestones)
    )
    for case in (past, later):
        stored(repository, case)
    moment = POLICY.due("review_request", past.updated_at).at + timedelta(hours=1)
    assert auto_close(repository, MemoryJobCursors(), now=moment, policy=POLICY).counts == {"closed": 1}
    assert auto_close(repository, MemoryJobCursors(), now=moment, policy=POLICY).counts == {}
    closed, open_ = repository.get(past.tracking_no), repository.get(later.tracking_no)
    assert closed is not None
    assert open_ is not None
    assert (closed.status, open_.status) == (Status.CLOSED, Status.RESPONDED)
    event = repository.history(past.tracking_no)[-1]
    assert (event.action, event.actor.kind, event.visibility) == ("close", "system", "public")
    assert [m.notice.template for m in repository.outbox.for_case(past.tracking_no)] == ["closed"]


def test_the_rating_reminder_is_sent_once_after_the_response_and_never_once_rated() -> None:
    responded = _responded()
    after = POLICY.after(POLICY.chasing.remind_to_rate_after, responded.updated_at).at
    assert rate_reminder(responded, after - timedelta(seconds=1), POLICY) is None
    reminder, next_day = (
        rate_reminder(responded, after, POLICY),
        rate_reminder(responded, after + timedelta(days=1), POLICY),
    )
    assert reminder is not None
    assert next_day is not None
    assert reminder.id == next_day.id  # the same message: sent once
    rated, _ = apply_complainant_action(responded, Feedback("satisfied"), now=after, policy=POLICY)
    assert rate_reminder(rated, after, POLICY) is None
    repository = memory_repository()
    stored(repository, responded)
    assert remind_to_rate(
        repository, repository.outbox, MemoryJobCursors(), now=after, policy=POLICY
    ).counts == {"reminded": 1}
    assert (
        remind_to_rate(
            repository, repository.outbox, MemoryJobCursors(), now=after + timedelta(days=1), policy=POLICY
        ).counts
        == {}
    )


def test_the_digest_goes_on_working_days_only_make_up_days_included() -> None:
    repository = memory_repository()
    overdue = replace(new_case(), tracking_no="OVERDUEOVERD")
    stored(repository, overdue)
    # 2026-10-01 is National Day (a holiday); a weekend day worked in exchange (调休) that year.
    calendar = default_calendar()
    make_up_day = next(
        day
        for day in (date(2026, 1, 1) + timedelta(days=n) for n in range(365))
        if day.weekday() >= 5 and calendar.is_working_day(day) == (True, True)
    )
    holiday = beijing(2026, 10, 1, 8, 30)
    make_up = beijing(make_up_day.year, make_up_day.month, make_up_day.day, 8, 30)
    assert daily_digest(repository, repository.outbox, now=holiday, policy=POLICY).counts == {
        "not_a_working_day": 1
    }
    far_later = beijing(2026, 12, 1, 8, 30)
    assert daily_digest(repository, repository.outbox, now=far_later, policy=POLICY).counts == {
        "overdue": 1,
        "sent": 1,
    }
    # Sent once; the overdue count is reported by every run (the overdue cases alarm reads it).
    assert daily_digest(repository, repository.outbox, now=far_later, policy=POLICY).counts == {"overdue": 1}
    [digest] = repository.outbox.for_case("digest")
    assert (digest.notice.role, digest.notice.params["overdue"]) == ("supervisors", "1")
    assert daily_digest(repository, repository.outbox, now=make_up, policy=POLICY).counts.get("sent") == 1
