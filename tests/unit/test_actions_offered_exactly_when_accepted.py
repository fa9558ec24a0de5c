"""Over random sequences of actions by random staff and by the complainant, as time passes: an action
is offered exactly when taking it (with input that is valid in itself) succeeds. What the console
and the self-service page offer and what the API accepts come from one definition (issue 8)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from msgspec.structs import replace

from chalicelib.domain.actions import (
    ACKNOWLEDGE_METHODS,
    DECISIONS,
    SATISFACTION_LEVELS,
    STAFF_ACTIONS,
    Accept,
    Acknowledge,
    Callback,
    CallbackUnreachable,
    Close,
    Extend,
    LiftConfidentiality,
    Note,
    Reject,
    Reply,
    Respond,
    ReviewDecision,
    Start,
    Transfer,
    allowed_staff_actions,
    apply_staff_action,
)
from chalicelib.domain.case import COMPLAINANT, Case, open_case
from chalicelib.domain.complainant_actions import (
    COMPLAINANT_ACTIONS,
    AddInformation,
    Feedback,
    RequestReview,
    Withdraw,
    allowed_complainant_actions,
    apply_complainant_action,
)
from chalicelib.domain.complaint import Channel, check_draft
from chalicelib.domain.errors import DomainError
from chalicelib.domain.extensions import ApproveExtension, DeclineExtension, RequestExtension
from chalicelib.domain.staff import StaffMember
from chalicelib.domain.vocabulary import categories, departments, rejection_reasons

from .test_action_rules import ANONYMOUS, CONDUCT_HANDLER, OFFICER_2
from .test_complaint_rules import PERSON
from .test_staff_actions import HANDLER, NOW, OFFICER, OTHER_HANDLER, POLICY, SUPERVISOR, SUPERVISOR_2

STAFF = [
    OFFICER,
    OFFICER_2,
    SUPERVISOR,
    SUPERVISOR_2,
    HANDLER,
    OTHER_HANDLER,
    CONDUCT_HANDLER,
    StaffMember("m1", "兼任", frozenset({"officer", "handler"}), department="ecology_environment"),
    StaffMember("n1", "无角色", frozenset()),
]
STARTS: list[tuple[Channel, Any]] = [
    ("web", replace(PERSON, category="env_noise")),
    ("web", replace(PERSON, category="staff_conduct")),
    ("web", ANONYMOUS),
    ("phone", replace(PERSON, category="quality")),
    ("letter", ANONYMOUS),
    ("visit", replace(ANONYMOUS, category="staff_conduct")),
]
STAFF_NAMES = [rule.name for rule in STAFF_ACTIONS]
COMPLAINANT_NAMES = [rule.name for rule in COMPLAINANT_ACTIONS]
DEPARTMENTS = sorted(departments())


def staff_input(name: str, case: Case, now: datetime, data: st.DataObject) -> Any:
    """Input for ``name`` that is valid in itself, so that only the action's own rules decide."""
    draw = data.draw
    text = draw(st.sampled_from(["已核实", "需要现场监测", "联系执法队"]))
    decision = draw(st.sampled_from(DECISIONS))
    if name == "accept":
        return Accept(
            draw(st.sampled_from(sorted(categories()))),
            draw(st.sampled_from(DEPARTMENTS)),
            draw(st.sampled_from(["normal", "major", "urgent"])),
        )
    if name in ("extend", "request_extension"):
        kind = "review" if case.status.value == "under_review" else "respond"
        current = case.deadline(kind)
        make = Extend if name == "extend" else RequestExtension
        if current is None:
            return make(now + timedelta(days=1), text)
        latest = POLICY.due("extension_max", current.due_at).at
        earliest = max(current.due_at, now) + timedelta(seconds=1)
        return make(earliest + (latest - earliest) * draw(st.floats(0, 1)), text)
    simple: dict[str, Any] = {
        "reject": lambda: Reject(draw(st.sampled_from(sorted(rejection_reasons()))), text),
        "acknowledge": lambda: Acknowledge(draw(st.sampled_from(ACKNOWLEDGE_METHODS))),
        "transfer": lambda: Transfer(draw(st.sampled_from(DEPARTMENTS)), text),
        "start": Start,
        "note": lambda: Note(text),
        "reply": lambda: Reply(text),
        "respond": lambda: Respond(decision, text, draw(st.sampled_from([None, "限期整改"]))),
        "callback": lambda: Callback(draw(st.sampled_from(SATISFACTION_LEVELS)), None),
        "callback_unreachable": lambda: CallbackUnreachable(
            now + timedelta(hours=draw(st.integers(1, 24 * 7))), draw(st.sampled_from([None, text]))
        ),
        "close": Close,
        "approve_extension": lambda: ApproveExtension(text),
        "decline_extension": lambda: DeclineExtension(text),
        "review_decision": lambda: ReviewDecision(decision, text),
        "lift_confidentiality": lambda: LiftConfidentiality(text),
    }
    return simple[name]()


def complainant_input(name: str, data: st.DataObject) -> Any:
    inputs: dict[str, Callable[[], Any]] = {
        "add_information": lambda: AddInformation("补充现场照片说明"),
        "feedback": lambda: Feedback(data.draw(st.sampled_from(SATISFACTION_LEVELS))),
        "request_review": lambda: RequestReview("对处理结果有异议"),
        "withdraw": lambda: Withdraw(None),
    }
    return inputs[name]()


class OfferedExactlyWhenAccepted(RuleBasedStateMachine):
    case: Case
    now: datetime

    @initialize(start=st.sampled_from(STARTS))
    def file(self, start: tuple[Channel, Any]) -> None:
        channel, draft = start
        complainant, details = check_draft(draft, today=NOW.date(), writer="staff")
        self.now = NOW
        self.case, _ = open_case(
            tracking_no="TESTTESTTEST",
            access_code_hash="h",
            complainant=complainant,
            details=details,
            channel=channel,
            actor=COMPLAINANT if channel == "web" else OFFICER.actor,
            now=NOW,
            policy=POLICY,
            received_at=NOW - timedelta(hours=2) if channel != "web" else None,
        )
        self.lifted = False

    @rule(minutes=st.integers(1, 2 * 24 * 60))
    def time_passes(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)

    @rule(staff=st.sampled_from(STAFF), name=st.sampled_from(STAFF_NAMES), data=st.data())
    def staff_act(self, staff: StaffMember, name: str, data: st.DataObject) -> None:
        offered = name in allowed_staff_actions(self.case, staff)
        action = staff_input(name, self.case, self.now, data)
        try:
            changed, event = apply_staff_action(self.case, action, staff, now=self.now, policy=POLICY)
        except DomainError as error:
            refusal: DomainError | None = error
        else:
            refusal = None
        if refusal is not None:
            assert not offered, f"{name} offered to {staff.id} in {self.case.status} but refused: {refusal}"
            return
        assert offered, f"{name} by {staff.id} in {self.case.status} succeeded but was not offered"
        assert event.action == name
        assert changed.version == self.case.version + 1
        if self.case.confidential and not changed.confidential:
            assert name == "lift_confidentiality"
            assert "supervisor" in staff.roles
            self.lifted = True
        self.case = changed

    @rule(name=st.sampled_from(COMPLAINANT_NAMES), data=st.data())
    def complainant_acts(self, name: str, data: st.DataObject) -> None:
        offered = name in allowed_complainant_actions(self.case, self.now, POLICY)
        try:
            changed, _ = apply_complainant_action(
                self.case, complainant_input(name, data), now=self.now, policy=POLICY
            )
        except DomainError as error:
            refusal: DomainError | None = error
        else:
            refusal = None
        if refusal is not None:
            assert not offered, f"{name} offered in {self.case.status} but refused: {refusal}"
            return
        assert offered, f"{name} in {self.case.status} succeeded but was not offered"
        self.case = changed

    @invariant()
    def confidentiality_is_lifted_by_supervisors_only(self) -> None:
        if getattr(self, "case", None) is not None and categories()[self.case.details.category].confidential:
            assert self.case.confidential or self.lifted

    @invariant()
    def no_clock_waits_on_a_closed_or_withdrawn_case(self) -> None:
        if getattr(self, "case", None) is not None and self.case.status.value in ("closed", "withdrawn"):
            assert not self.case.open_deadlines


OfferedExactlyWhenAccepted.TestCase.settings = settings(
    max_examples=250,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestOfferedExactlyWhenAccepted = OfferedExactlyWhenAccepted.TestCase
