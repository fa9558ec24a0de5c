"""What complainants do to their own case, with its access code: add information, rate the
outcome, ask for a review, withdraw."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from .actions import Satisfaction
from .case import COMPLAINANT, Case, Deadline, Event
from .deadlines import Policy
from .errors import TransitionNotAllowedError
from .lifecycle import OPEN_STATUSES, Status
from .messages import Message
from .vocabulary import label

__all__ = [
    "AddInformation",
    "ComplainantAction",
    "Feedback",
    "RequestReview",
    "Withdraw",
    "allowed_complainant_actions",
    "apply_complainant_action",
]


@dataclass(frozen=True, slots=True)
class AddInformation:
    message: str


@dataclass(frozen=True, slots=True)
class Feedback:
    satisfaction: Satisfaction
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class RequestReview:
    reasons: str


@dataclass(frozen=True, slots=True)
class Withdraw:
    reason: str | None = None


ComplainantAction = AddInformation | Feedback | RequestReview | Withdraw

_NAMES: dict[type[ComplainantAction], str] = {
    AddInformation: "add_information",
    Feedback: "feedback",
    RequestReview: "request_review",
    Withdraw: "withdraw",
}
_WITHDRAWABLE = frozenset({Status.RECEIVED, Status.ACCEPTED, Status.IN_PROGRESS})
_REVIEWABLE = frozenset({Status.RESPONDED, Status.REJECTED, Status.CLOSED})
_RATEABLE = frozenset({Status.RESPONDED, Status.CLOSED})


def _conflict(key: str, **params: int) -> TransitionNotAllowedError:
    return TransitionNotAllowedError(Message(key, dict(params)))


def _not_now(case: Case, name: str) -> TransitionNotAllowedError:
    return TransitionNotAllowedError(
        Message(
            "action_not_allowed",
            {"current": label("status", case.status.value), "action": label("action", name)},
        )
    )


def _window_open(case: Case, window: str, now: datetime, policy: Policy) -> bool:
    decided_at = case.last_decision_at()
    return decided_at is not None and now <= policy.due(window, decided_at).at


def allowed_complainant_actions(case: Case, now: datetime, policy: Policy) -> list[str]:
    """The actions the complainant may take now, for the self-service page to offer."""
    allowed = []
    if case.status in OPEN_STATUSES:
        allowed.append("add_information")
    if (
        case.status in _RATEABLE
        and case.complainant_rating is None
        and _window_open(case, "feedback", now, policy)
    ):
        allowed.append("feedback")
    if (
        case.status in _REVIEWABLE
        and case.review_count == 0
        and _window_open(case, "review_request", now, policy)
    ):
        allowed.append("request_review")
    if case.status in _WITHDRAWABLE:
        allowed.append("withdraw")
    return allowed


def _check(case: Case, name: str, now: datetime, policy: Policy) -> None:
    if name == "add_information" and case.status not in OPEN_STATUSES:
        raise _not_now(case, name)
    if name == "withdraw" and case.status not in _WITHDRAWABLE:
        raise _not_now(case, name)
    if name == "feedback":
        if case.status not in _RATEABLE:
            raise _not_now(case, name)
        if case.complainant_rating is not None:
            raise _conflict("already_rated")
        if not _window_open(case, "feedback", now, policy):
            raise _conflict("feedback_window_closed", days=policy.windows["feedback"].amount)
    if name == "request_review":
        if case.status not in _REVIEWABLE:
            raise _not_now(case, name)
        if case.review_count > 0:
            raise _conflict("review_already_requested")
        if not _window_open(case, "review_request", now, policy):
            raise _conflict("review_window_closed", days=policy.windows["review_request"].amount)


def apply_complainant_action(
    case: Case, action: ComplainantAction, *, now: datetime, policy: Policy
) -> tuple[Case, Event]:
    name = _NAMES[type(action)]
    _check(case, name, now, policy)
    note: str | None = None
    data: dict[str, str] = {}
    match action:
        case AddInformation(message=message):
            changed, note = case, message
        case Feedback(satisfaction=satisfaction, comment=comment):
            changed, note = replace(case, complainant_rating=satisfaction), comment
            data = {"satisfaction": satisfaction}
        case RequestReview(reasons=reasons):
            review = policy.due("review", now)
            changed = replace(case.moved_to(Status.UNDER_REVIEW, now), review_count=case.review_count + 1)
            changed, note = changed.with_deadline(Deadline("review", review.at, review.provisional)), reasons
        case Withdraw(reason=reason):
            changed, note = case.moved_to(Status.WITHDRAWN, now), reason
    changed = changed.touched(now)
    event = Event(
        tracking_no=case.tracking_no,
        seq=changed.version,
        at=now,
        actor=COMPLAINANT,
        action=name,
        visibility="public",
        from_status=case.status,
        to_status=changed.status,
        note=note,
        data=data,
    )
    return changed, event
