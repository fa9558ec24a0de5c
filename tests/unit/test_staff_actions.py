"""Staff and complainant actions on a case, in the domain alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.actions import (
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
    allowed_staff_actions,
    apply_staff_action,
)
from chalicelib.domain.case import COMPLAINANT, Case, Priority, open_case
from chalicelib.domain.complainant_actions import (
    AddInformation,
    Feedback,
    RequestReview,
    Withdraw,
    allowed_complainant_actions,
    apply_complainant_action,
)
from chalicelib.domain.complaint import check_draft
from chalicelib.domain.deadlines import default_policy
from chalicelib.domain.errors import ForbiddenError, InvalidInputError, TransitionNotAllowedError
from chalicelib.domain.lifecycle import Status
from chalicelib.domain.messages import render
from chalicelib.domain.staff import StaffMember

from .test_complaint_rules import PERSON

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # a Tuesday
POLICY = default_policy()
OFFICER = StaffMember("o1", "王专员", frozenset({"officer"}))
SUPERVISOR = StaffMember("s1", "张主管", frozenset({"supervisor"}))
SUPERVISOR_2 = StaffMember("s2", "赵主管", frozenset({"supervisor"}))
HANDLER = StaffMember("h1", "李承办", frozenset({"handler"}), department="ecology_environment")
OTHER_HANDLER = StaffMember("h2", "周承办", frozenset({"handler"}), department="market_regulation")


def new_case(category: str = "env_noise") -> Case:
    from msgspec.structs import replace

    complainant, details = check_draft(replace(PERSON, category=category), today=NOW.date())
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
    return case


def act(case: Case, action: StaffAction, staff: StaffMember, minutes: int = 1) -> Case:
    changed, event = apply_staff_action(
        case, action, staff, now=case.updated_at + timedelta(minutes=minutes), policy=POLICY
    )
    assert changed.version == case.version + 1
    assert event.seq == changed.version
    return changed


def accepted(priority: Priority = "normal") -> Case:
    return act(new_case(), Accept("env_noise", "ecology_environment", priority), OFFICER)


def test_accepting_routes_the_case_and_sets_the_response_deadline_by_priority() -> None:
    case = accepted()
    assert (case.status, case.department, case.priority) == (Status.ACCEPTED, "ecology_environment", "normal")
    decide = case.deadline("decide")
    assert decide is not None
    assert decide.met_at is not None
    respond = case.deadline("respond")
    assert respond is not None
    assert respond.due_at == POLICY.due("respond_normal", case.updated_at).at
    assert case.deadline("report") is not None
    assert case.deadline("attend") is None
    urgent = accepted("urgent")
    attend = urgent.deadline("attend")
    assert attend is not None
    assert attend.due_at == urgent.updated_at + timedelta(hours=4)


def test_rejecting_needs_a_configured_reason_and_explains_it_to_the_complainant() -> None:
    with pytest.raises(InvalidInputError) as refused:
        act(new_case(), Reject("because", "说明"), OFFICER)
    assert set(refused.value.fields) == {"reason_code"}
    case, event = apply_staff_action(
        new_case(),
        Reject("out_of_scope", "不属于本平台受理范围，请向法院起诉。"),
        OFFICER,
        now=NOW,
        policy=POLICY,
    )
    assert case.status is Status.REJECTED
    assert (event.visibility, event.note, event.data["reason_code"]) == (
        "public",
        "不属于本平台受理范围，请向法院起诉。",
        "out_of_scope",
    )
    assert case.handled_by == (OFFICER.id,)


def test_handlers_work_only_their_own_departments_cases() -> None:
    case = accepted()
    act(case, Start(), HANDLER)
    with pytest.raises(ForbiddenError) as refused:
        act(case, Start(), OTHER_HANDLER)
    assert "不属于您所在的部门" in render(refused.value.message, "zh")
    with pytest.raises(ForbiddenError):
        act(new_case(), Note("x"), HANDLER)  # not routed to anyone yet


@pytest.mark.parametrize(
    ("action", "staff"),
    [
        (Accept("env_noise", "ecology_environment", "normal"), HANDLER),
        (Reject("duplicate", "x"), HANDLER),
        (Close(), HANDLER),
        (Extend(NOW + timedelta(days=60), "x"), OFFICER),
        (ReviewDecision("upheld", "x"), OFFICER),
    ],
)
def test_roles_are_enforced(action: StaffAction, staff: StaffMember) -> None:
    case = accepted() if staff is HANDLER and not isinstance(action, Accept | Reject) else new_case()
    with pytest.raises(ForbiddenError):
        apply_staff_action(case, action, staff, now=NOW, policy=POLICY)


def test_an_action_out_of_its_status_is_refused_with_the_reason() -> None:
    with pytest.raises(TransitionNotAllowedError) as refused:
        act(new_case(), Respond("upheld", "理由"), OFFICER)
    assert (
        render(refused.value.message, "en") == "The complaint is “Received”: “Response” is not possible now."
    )
    with pytest.raises(TransitionNotAllowedError):
        act(accepted(), Callback("satisfied"), OFFICER)


def test_transfer_changes_the_department_and_restarts_its_report_clock() -> None:
    case = act(accepted(), Transfer("market_regulation", "属于产品质量问题"), OFFICER, minutes=90)
    assert case.department == "market_regulation"
    report = case.deadline("report")
    assert report is not None
    assert report.due_at == POLICY.due("department_report", case.updated_at).at
    with pytest.raises(InvalidInputError):
        act(accepted(), Transfer("nowhere", "x"), OFFICER)


def test_extension_is_for_supervisors_moves_the_respond_deadline_later_only() -> None:
    case = accepted()
    respond = case.deadline("respond")
    assert respond is not None
    later = respond.due_at + timedelta(days=10)
    extended = act(case, Extend(later, "需要现场监测"), SUPERVISOR)
    new_respond = extended.deadline("respond")
    assert new_respond is not None
    assert new_respond.due_at == later
    with pytest.raises(InvalidInputError) as refused:
        act(case, Extend(respond.due_at - timedelta(days=1), "x"), SUPERVISOR)
    assert set(refused.value.fields) == {"due_at"}


def test_responding_meets_the_deadline_and_opens_the_call_back() -> None:
    case = act(
        act(accepted(), Start(), HANDLER), Respond("partly_upheld", "已责令整改", "限期停止夜间施工"), HANDLER
    )
    assert case.status is Status.RESPONDED
    respond = case.deadline("respond")
    assert respond is not None
    assert respond.met_at is not None
    callback = case.deadline("callback")
    assert callback is not None
    assert callback.met_at is None
    assert case.handled_by == (OFFICER.id, HANDLER.id)
    called = act(case, Callback("basically_satisfied", "基本认可"), OFFICER)
    assert called.callback_satisfaction == "basically_satisfied"
    called_back = called.deadline("callback")
    assert called_back is not None
    assert called_back.met_at is not None


def test_a_review_is_decided_by_someone_other_than_who_decided_first() -> None:
    responded = act(accepted(), Respond("not_upheld", "经核查噪声未超标"), SUPERVISOR)
    reviewing, _ = apply_complainant_action(
        responded, RequestReview("监测时间不对"), now=responded.updated_at, policy=POLICY
    )
    assert reviewing.status is Status.UNDER_REVIEW
    assert "review_decision" not in allowed_staff_actions(reviewing, SUPERVISOR)
    with pytest.raises(ForbiddenError) as refused:
        act(reviewing, ReviewDecision("upheld", "x"), SUPERVISOR)
    assert "未参与原处理" in render(refused.value.message, "zh")
    decided = act(reviewing, ReviewDecision("upheld", "夜间复测超标"), SUPERVISOR_2)
    assert decided.status is Status.RESPONDED
    review = decided.deadline("review")
    assert review is not None
    assert review.met_at is not None


def test_notes_are_internal_and_replies_are_public() -> None:
    case = accepted()
    _, note = apply_staff_action(case, Note("内部：联系执法队"), OFFICER, now=NOW, policy=POLICY)
    _, reply = apply_staff_action(case, Reply("已安排夜间巡查"), OFFICER, now=NOW, policy=POLICY)
    assert (note.visibility, reply.visibility) == ("internal", "public")


def test_allowed_actions_offer_only_what_can_succeed() -> None:
    assert allowed_staff_actions(new_case(), OFFICER) == ["accept", "reject", "note", "reply"]
    assert allowed_staff_actions(new_case(), HANDLER) == []
    assert "extend" in allowed_staff_actions(accepted(), SUPERVISOR)
    assert "extend" not in allowed_staff_actions(accepted(), OFFICER)


def test_complainant_actions_follow_status_windows_and_once_only_rules() -> None:
    case = new_case()
    assert allowed_complainant_actions(case, NOW, POLICY) == ["add_information", "withdraw"]
    informed, event = apply_complainant_action(case, AddInformation("补充照片说明"), now=NOW, policy=POLICY)
    assert (event.visibility, event.actor.kind, informed.status) == ("public", "complainant", Status.RECEIVED)
    withdrawn, _ = apply_complainant_action(case, Withdraw("已私下解决"), now=NOW, policy=POLICY)
    assert withdrawn.status is Status.WITHDRAWN
    assert withdrawn.open_deadlines == ()
    responded = act(accepted(), Respond("upheld", "已整改"), OFFICER)
    rated, _ = apply_complainant_action(
        responded, Feedback("satisfied", "好"), now=responded.updated_at, policy=POLICY
    )
    assert rated.complainant_rating == "satisfied"
    with pytest.raises(TransitionNotAllowedError):
        apply_complainant_action(rated, Feedback("satisfied"), now=responded.updated_at, policy=POLICY)
    late = responded.updated_at + timedelta(days=40)
    with pytest.raises(TransitionNotAllowedError) as refused:
        apply_complainant_action(responded, RequestReview("不服"), now=late, policy=POLICY)
    assert "30" in render(refused.value.message, "zh")
    reviewing, _ = apply_complainant_action(
        responded, RequestReview("不服"), now=responded.updated_at, policy=POLICY
    )
    decided = act(reviewing, ReviewDecision("upheld", "维持"), SUPERVISOR)
    with pytest.raises(TransitionNotAllowedError) as once:
        apply_complainant_action(decided, RequestReview("再次不服"), now=decided.updated_at, policy=POLICY)
    assert "只能申请一次" in render(once.value.message, "zh")
    with pytest.raises(TransitionNotAllowedError):
        apply_complainant_action(act(responded, Close(), OFFICER), Withdraw(), now=NOW, policy=POLICY)
