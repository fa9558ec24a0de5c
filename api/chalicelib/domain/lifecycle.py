"""The life of a complaint as a state machine."""

from __future__ import annotations

from enum import StrEnum

from .errors import TransitionNotAllowedError
from .messages import Message
from .vocabulary import label

__all__ = [
    "OPEN_STATUSES",
    "TRANSITIONS",
    "Status",
    "ensure_transition",
]


class Status(StrEnum):
    RECEIVED = "received"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    IN_PROGRESS = "in_progress"
    RESPONDED = "responded"
    UNDER_REVIEW = "under_review"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.RECEIVED: frozenset({Status.ACCEPTED, Status.REJECTED, Status.WITHDRAWN}),
    Status.ACCEPTED: frozenset({Status.IN_PROGRESS, Status.RESPONDED, Status.WITHDRAWN}),
    Status.IN_PROGRESS: frozenset({Status.RESPONDED, Status.WITHDRAWN}),
    Status.RESPONDED: frozenset({Status.CLOSED, Status.UNDER_REVIEW}),
    Status.REJECTED: frozenset({Status.UNDER_REVIEW, Status.CLOSED}),
    Status.UNDER_REVIEW: frozenset({Status.RESPONDED}),
    # Reopening a closed case is further limited to the review window, once (see case rules).
    Status.CLOSED: frozenset({Status.UNDER_REVIEW}),
    Status.WITHDRAWN: frozenset(),
}

# Statuses in which the complaint still waits for someone on the portal's side to act.
OPEN_STATUSES = frozenset({Status.RECEIVED, Status.ACCEPTED, Status.IN_PROGRESS, Status.UNDER_REVIEW})


def ensure_transition(current: Status, target: Status) -> None:
    """Refuse, with a reason people can read, any move the lifecycle does not list."""
    if target not in TRANSITIONS[current]:
        raise TransitionNotAllowedError(
            Message(
                "transition_not_allowed",
                {"current": label("status", current.value), "target": label("status", target.value)},
            )
        )
