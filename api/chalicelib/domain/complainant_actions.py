"""What complainants do to their own case, with its access code, each action defined once in
``COMPLAINANT_ACTIONS``: add information, rate the outcome, ask for a review, withdraw.

As for staff actions (actions.py), the self-service page's offer and the API's acceptance both
read ``refusal``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Generic, TypeVar

from msgspec import Struct
from msgspec.structs import replace

from .action_rules import Effect, leading_to, not_now, refused
from .actions import Satisfaction
from .case import COMPLAINANT, Case, Deadline, Event
from .deadlines import Policy
from .errors import DomainError
from .lifecycle import OPEN_STATUSES, Status

__all__ = [
    "COMPLAINANT_ACTIONS",
    "AddInformation",
    "ComplainantAction",
    "ComplainantActionRule",
    "Feedback",
    "RequestReview",
    "Withdraw",
    "allowed_complainant_actions",
    "apply_complainant_action",
]


# --- What each action takes (the wire schemas derive from these fields, see web/schemas.py) -------


class AddInformation(Struct, frozen=True):
    message: str


class Feedback(Struct, frozen=True):
    satisfaction: Satisfaction
    comment: str | None = None


class RequestReview(Struct, frozen=True):
    reasons: str


class Withdraw(Struct, frozen=True):
    reason: str | None = None


ComplainantAction = AddInformation | Feedback | RequestReview | Withdraw

A = TypeVar("A")


class ComplainantActionRule(Struct, Generic[A], frozen=True):
    name: str
    input: type[A]
    statuses: frozenset[Status]
    effect: Callable[[Case, A, datetime, Policy], Effect]
    # What else must hold (a window still open, once only), as the refusal to give when it does not.
    condition: Callable[[Case, datetime, Policy], DomainError | None] | None = None

    def refusal(self, case: Case, now: datetime, policy: Policy) -> DomainError | None:
        if case.status not in self.statuses:
            return not_now(case, self.name)
        return self.condition(case, now, policy) if self.condition else None


def _window_open(case: Case, window: str, now: datetime, policy: Policy) -> bool:
    decided_at = case.last_decision_at()
    return decided_at is not None and now <= policy.due(window, decided_at).at


def _may_rate(case: Case, now: datetime, policy: Policy) -> DomainError | None:
    if case.complainant_rating is not None:
        return refused("already_rated")
    if not _window_open(case, "feedback", now, policy):
        return refused("feedback_window_closed", days=policy.windows["feedback"].amount)
    return None


def _may_ask_for_review(case: Case, now: datetime, policy: Policy) -> DomainError | None:
    if case.review_count > 0:
        return refused("review_already_requested")
    if not _window_open(case, "review_request", now, policy):
        return refused("review_window_closed", days=policy.windows["review_request"].amount)
    return None


def _add_information(case: Case, a: AddInformation, now: datetime, policy: Policy) -> Effect:
    return Effect(case, note=a.message)


def _feedback(case: Case, a: Feedback, now: datetime, policy: Policy) -> Effect:
    return Effect(
        replace(case, complainant_rating=a.satisfaction),
        note=a.comment,
        data={"satisfaction": a.satisfaction},
    )


def _request_review(case: Case, a: RequestReview, now: datetime, policy: Policy) -> Effect:
    review = policy.due("review", now)
    changed = replace(case.moved_to(Status.UNDER_REVIEW, now), review_count=case.review_count + 1)
    return Effect(changed.with_deadline(Deadline("review", review.at, review.provisional)), note=a.reasons)


def _withdraw(case: Case, a: Withdraw, now: datetime, policy: Policy) -> Effect:
    return Effect(case.moved_to(Status.WITHDRAWN, now), note=a.reason)


COMPLAINANT_ACTIONS: tuple[ComplainantActionRule[Any], ...] = (
    ComplainantActionRule("add_information", AddInformation, OPEN_STATUSES, _add_information),
    # Rated once, after a response (a rejection is not an outcome to rate), within the window.
    ComplainantActionRule(
        "feedback", Feedback, frozenset({Status.RESPONDED, Status.CLOSED}), _feedback, _may_rate
    ),
    # Once per complaint, within the window after a response or a rejection.
    ComplainantActionRule(
        "request_review", RequestReview, leading_to(Status.UNDER_REVIEW), _request_review, _may_ask_for_review
    ),
    ComplainantActionRule("withdraw", Withdraw, leading_to(Status.WITHDRAWN), _withdraw),
)

_BY_INPUT: dict[type[Any], ComplainantActionRule[Any]] = {rule.input: rule for rule in COMPLAINANT_ACTIONS}


def allowed_complainant_actions(case: Case, now: datetime, policy: Policy) -> list[str]:
    """The actions the complainant may take now, for the self-service page to offer."""
    return [rule.name for rule in COMPLAINANT_ACTIONS if rule.refusal(case, now, policy) is None]


def apply_complainant_action(
    case: Case, action: ComplainantAction, *, now: datetime, policy: Policy
) -> tuple[Case, Event]:
    rule = _BY_INPUT[type(action)]
    refusal = rule.refusal(case, now, policy)
    if refusal is not None:
        raise refusal
    effect = rule.effect(case, action, now, policy)
    changed = effect.case.touched(now)
    event = Event(
        tracking_no=case.tracking_no,
        seq=changed.version,
        at=now,
        actor=COMPLAINANT,
        action=rule.name,
        visibility="public",
        from_status=case.status,
        to_status=changed.status,
        note=effect.note,
        data=dict(effect.data or {}),
    )
    return changed, event
