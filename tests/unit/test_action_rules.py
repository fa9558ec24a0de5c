"""The rules of issue 8 in the domain alone: confidentiality that stays, bounded extensions, the
review by someone who took no part, no call back without a contact, registration clocks that run
from when the complaint was received, and one definition per action."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from msgspec.structs import replace

from chalicelib.domain.action_rules import leading_to
from chalicelib.domain.actions import (
    STAFF_ACTIONS,
    Accept,
    Acknowledge,
    Callback,
    Extend,
    LiftConfidentiality,
    Note,
    Reject,
    Respond,
    ReviewDecision,
    Start,
    allowed_staff_actions,
    apply_staff_action,
    withheld_staff_actions,
)
from chalicelib.domain.case import COMPLAINANT, Case, check_arrival, open_case
from chalicelib.domain.complainant_actions import (
    COMPLAINANT_ACTIONS,
    RequestReview,
    apply_complainant_action,
)
from chalicelib.domain.complaint import ComplaintDraft, check_draft
from chalicelib.domain.errors import ForbiddenError, InvalidInputError, TransitionNotAllowedError
from chalicelib.domain.lifecycle import TRANSITIONS, Status
from chalicelib.domain.messages import render
from chalicelib.domain.staff import StaffMember
from chalicelib.domain.vocabulary import terms

from .test_complaint_rules import PERSON
from .test_staff_actions import (
    HANDLER,
    NOW,
    OFFICER,
    POLICY,
    SUPERVISOR,
    SUPERVISOR_2,
    accepted,
    act,
    new_case,
)

OFFICER_2 = StaffMember("o2", "陈专员", frozenset({"officer"}))
CONDUCT_HANDLER = StaffMember("h3", "吴承办", frozenset({"handler"}), department="discipline_inspection")
ANONYMOUS = ComplaintDraft(
    complainant_type="individual",
    anonymous=True,
    category="env_noise",
    subject="夜间施工噪音",
    description="工地每天晚上十一点后仍在施工，影响居民休息。",
    consent=True,
)


def registered(
    draft: ComplaintDraft = PERSON, *, channel: str = "letter", received_at: datetime | None = None
) -> Case:
    complainant, details = check_draft(draft, today=NOW.date(), writer="staff")
    case, _ = open_case(
        tracking_no="TESTTESTTEST",
        access_code_hash="h",
        complainant=complainant,
        details=details,
        channel=channel,  # type: ignore[arg-type]
        actor=OFFICER.actor,
        now=NOW,
        policy=POLICY,
        received_at=received_at or NOW - timedelta(days=3),
    )
    return case


# --- 1. Confidentiality --------------------------------------------------------------------------


def test_accepting_a_conduct_complaint_under_another_category_keeps_it_confidential() -> None:
    conduct = new_case("staff_conduct")
    assert conduct.confidential
    recategorised = act(conduct, Accept("admin_service", "government_services", "normal"), OFFICER)
    assert recategorised.details.category == "admin_service"
    assert recategorised.confidential
    assert not OFFICER.sees_identity_of(recategorised)
    assert SUPERVISOR.sees_identity_of(recategorised)


def test_recategorising_into_a_confidential_category_makes_it_confidential_at_once() -> None:
    case = new_case("admin_service")
    assert not case.confidential
    changed, event = apply_staff_action(
        case, Accept("staff_conduct", "discipline_inspection", "normal"), OFFICER, now=NOW, policy=POLICY
    )
    assert changed.confidential
    assert event.data["confidential"] == "true"
    assert not CONDUCT_HANDLER.sees_identity_of(changed)


def test_only_a_supervisor_lifts_confidentiality_with_a_reason_recorded_internally() -> None:
    case = act(new_case("staff_conduct"), Accept("staff_conduct", "discipline_inspection", "normal"), OFFICER)
    assert "lift_confidentiality" in allowed_staff_actions(case, SUPERVISOR)
    for staff in (OFFICER, CONDUCT_HANDLER):
        assert "lift_confidentiality" not in allowed_staff_actions(case, staff)
        with pytest.raises(ForbiddenError):
            act(case, LiftConfidentiality("投诉人同意公开身份"), staff)
    lifted, event = apply_staff_action(
        case, LiftConfidentiality("投诉人书面同意公开身份"), SUPERVISOR, now=NOW, policy=POLICY
    )
    assert not lifted.confidential
    assert (event.action, event.visibility, event.note) == (
        "lift_confidentiality",
        "internal",
        "投诉人书面同意公开身份",
    )
    assert "lift_confidentiality" not in allowed_staff_actions(lifted, SUPERVISOR)
    with pytest.raises(TransitionNotAllowedError):
        act(lifted, LiftConfidentiality("again"), SUPERVISOR)


# --- 5. Extensions are bounded ---------------------------------------------------------------------


def test_an_extension_goes_at_most_the_policys_maximum_beyond_the_current_limit() -> None:
    case = accepted()
    respond = case.deadline("respond")
    assert respond is not None
    latest = POLICY.due("extension_max", respond.due_at).at
    assert POLICY.bounds["extension_max"].amount == 60
    extended = act(case, Extend(latest, "需要长期监测"), SUPERVISOR)
    assert extended.deadline("respond") is not None
    for too_late in (latest + timedelta(seconds=1), datetime(9999, 12, 31, tzinfo=UTC)):
        with pytest.raises(InvalidInputError) as refused:
            act(case, Extend(too_late, "x"), SUPERVISOR)
        assert render(refused.value.fields["due_at"], "en").startswith(
            "A time limit can be extended by at most 60 working days"
        )


def test_nothing_left_to_extend_is_a_refusal_of_the_action_not_of_a_field() -> None:
    responded = act(accepted(), Respond("upheld", "已整改"), OFFICER)
    reviewing, _ = apply_complainant_action(
        responded, RequestReview("不服"), now=responded.updated_at, policy=POLICY
    )
    decided_review = reviewing.deadline("review")
    assert decided_review is not None
    met = replace(reviewing, deadlines=tuple(replace(d, met_at=NOW) for d in reviewing.deadlines))
    assert "extend" not in allowed_staff_actions(met, SUPERVISOR)
    with pytest.raises(TransitionNotAllowedError):
        act(met, Extend(decided_review.due_at + timedelta(days=1), "x"), SUPERVISOR)


# --- 8 and 9. The review ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.ACCEPTED, Status.IN_PROGRESS])
def test_a_review_decision_belongs_to_a_case_under_review_only(status: Status) -> None:
    case = accepted() if status is Status.ACCEPTED else act(accepted(), Start(), HANDLER)
    assert case.status is status
    assert "review_decision" not in allowed_staff_actions(case, SUPERVISOR_2)
    with pytest.raises(TransitionNotAllowedError):
        act(case, ReviewDecision("upheld", "复查维持"), SUPERVISOR_2)


def _under_review(accepted_by: StaffMember, responded_by: StaffMember) -> Case:
    case = act(new_case(), Accept("env_noise", "ecology_environment", "normal"), accepted_by)
    responded = act(case, Respond("not_upheld", "经核查噪声未超标"), responded_by)
    reviewing, _ = apply_complainant_action(
        responded, RequestReview("监测时间不对"), now=responded.updated_at, policy=POLICY
    )
    return reviewing


@pytest.mark.parametrize(
    ("accepted_by", "responded_by", "excluded"),
    [
        (SUPERVISOR, HANDLER, SUPERVISOR),  # accepted it
        (OFFICER, SUPERVISOR, SUPERVISOR),  # responded to it
    ],
)
def test_nobody_who_took_part_decides_the_review_and_the_console_says_why(
    accepted_by: StaffMember, responded_by: StaffMember, excluded: StaffMember
) -> None:
    reviewing = _under_review(accepted_by, responded_by)
    assert "review_decision" not in allowed_staff_actions(reviewing, excluded)
    reason = withheld_staff_actions(reviewing, excluded)["review_decision"]
    assert "took no part" in render(reason, "en")
    with pytest.raises(ForbiddenError) as refused:
        act(reviewing, ReviewDecision("upheld", "x"), excluded)
    assert refused.value.message == reason
    assert "review_decision" in allowed_staff_actions(reviewing, SUPERVISOR_2)
    assert withheld_staff_actions(reviewing, SUPERVISOR_2) == {}


def test_whoever_decided_a_review_is_excluded_from_any_later_one() -> None:
    reviewing = _under_review(OFFICER, HANDLER)
    decided = act(reviewing, ReviewDecision("upheld", "复测超标"), SUPERVISOR)
    assert decided.handled_by == (OFFICER.id, HANDLER.id, SUPERVISOR.id)
    again = replace(decided, status=Status.UNDER_REVIEW)
    assert "review_decision" not in allowed_staff_actions(again, SUPERVISOR)


def test_a_rejection_excludes_whoever_rejected_from_its_review() -> None:
    rejected = act(new_case(), Reject("insufficient_information", "请补充地点"), SUPERVISOR)
    reviewing, _ = apply_complainant_action(
        rejected, RequestReview("已补充"), now=rejected.updated_at, policy=POLICY
    )
    assert "review_decision" not in allowed_staff_actions(reviewing, SUPERVISOR)


# --- 10. No call back without a contact ------------------------------------------------------------


def test_an_anonymous_complaint_gets_no_callback_clock_and_no_callback() -> None:
    complainant, details = check_draft(ANONYMOUS, today=NOW.date())
    case, _ = open_case(
        tracking_no="TESTTESTTEST",
        access_code_hash="h",
        complainant=complainant,
        details=details,
        channel="web",
        actor=COMPLAINANT,
        now=NOW,
        policy=POLICY,
    )
    case = act(case, Accept("env_noise", "ecology_environment", "normal"), OFFICER)
    responded = act(case, Respond("upheld", "已整改"), OFFICER)
    assert responded.deadline("callback") is None
    assert not responded.is_overdue(NOW + timedelta(days=365))
    assert "callback" not in allowed_staff_actions(responded, OFFICER)
    with pytest.raises(TransitionNotAllowedError) as refused:
        act(responded, Callback("satisfied"), OFFICER)
    assert "no contact" in render(refused.value.message, "en")


# --- 11. Registration clocks ----------------------------------------------------------------------


def test_a_registered_complaints_clocks_run_from_when_it_was_received() -> None:
    received = NOW - timedelta(days=3)
    case = registered(received_at=received)
    assert case.submitted_at == received
    assert case.milestones[0].at == received
    decide = case.deadline("decide")
    acknowledge = case.deadline("acknowledge")
    assert decide is not None
    assert acknowledge is not None
    assert decide.due_at == POLICY.due("decide", received).at
    assert acknowledge.due_at == received + timedelta(hours=24)
    assert acknowledge.met_at is None  # not met by registering it
    assert case.is_overdue(NOW)


def test_the_acknowledgement_is_met_when_staff_record_the_complainant_was_told() -> None:
    case = registered()
    assert "acknowledge" in allowed_staff_actions(case, OFFICER)
    assert "acknowledge" not in allowed_staff_actions(case, HANDLER)
    told, event = apply_staff_action(case, Acknowledge("phone"), OFFICER, now=NOW, policy=POLICY)
    acknowledge = told.deadline("acknowledge")
    assert acknowledge is not None
    assert acknowledge.met_at == NOW
    assert (event.action, event.visibility, event.data) == ("acknowledge", "public", {"method": "phone"})
    assert "acknowledge" not in allowed_staff_actions(told, OFFICER)
    # Online, the confirmation page tells the number at once.
    assert "acknowledge" not in allowed_staff_actions(new_case(), OFFICER)


def test_an_anonymous_letter_owes_no_acknowledgement_but_a_visit_does() -> None:
    letter = registered(ANONYMOUS, channel="letter")
    assert letter.deadline("acknowledge") is None
    assert registered(ANONYMOUS, channel="visit").deadline("acknowledge") is not None


def test_when_it_was_received_is_required_not_in_the_future_and_not_too_long_ago() -> None:
    def problems(received_at: datetime | None) -> dict[str, str]:
        return {
            name: render(message, "en")
            for name, message in check_arrival("letter", received_at, now=NOW, policy=POLICY).items()
        }

    assert problems(NOW - timedelta(days=89)) == {}
    assert problems(NOW) == {}
    assert set(problems(None)) == {"received_at"}
    assert "future" in problems(NOW + timedelta(minutes=5))["received_at"]
    assert "90 days" in problems(NOW - timedelta(days=92))["received_at"]
    assert set(check_arrival(None, None, now=NOW, policy=POLICY)) == {"channel", "received_at"}


# --- One definition per action ---------------------------------------------------------------------


EVERY_ACTION = [(rule.name, rule.statuses) for rule in STAFF_ACTIONS] + [
    (rule.name, rule.statuses) for rule in COMPLAINANT_ACTIONS
]


def test_every_action_has_a_label_and_a_status_it_can_be_taken_in() -> None:
    labelled = set(terms("action"))
    for name, statuses in EVERY_ACTION:
        assert name in labelled
        assert statuses
    names = [name for name, _ in EVERY_ACTION]
    assert len(names) == len(set(names))


def test_a_status_changing_action_is_offered_only_where_the_lifecycle_allows_its_move() -> None:
    targets = {
        "accept": Status.ACCEPTED,
        "reject": Status.REJECTED,
        "start": Status.IN_PROGRESS,
        "respond": Status.RESPONDED,
        "close": Status.CLOSED,
        "review_decision": Status.RESPONDED,
        "request_review": Status.UNDER_REVIEW,
        "withdraw": Status.WITHDRAWN,
    }
    for name, statuses in EVERY_ACTION:
        if name in targets:
            assert statuses <= leading_to(targets[name]), name
            assert all(targets[name] in TRANSITIONS[status] for status in statuses)


def test_a_note_is_possible_in_every_status_for_whoever_may_work_the_case() -> None:
    for status in Status:
        case = replace(accepted(), status=status)
        assert "note" in allowed_staff_actions(case, HANDLER)
        act(case, Note("记录"), HANDLER)
