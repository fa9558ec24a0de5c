"""What the definitions of actions are made of, staff's and complainants' alike.

An action is defined once (its name, who may take it, in which statuses, what else must hold, and
what it changes); what a page offers and what the API accepts are both read from that one
definition, so they cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from msgspec import Struct

from .case import Case
from .errors import TransitionNotAllowedError
from .lifecycle import TRANSITIONS, Status
from .messages import Message
from .vocabulary import label

__all__ = ["EVERY_STATUS", "CatalogCode", "Effect", "leading_to", "not_now", "refused"]

EVERY_STATUS: frozenset[Status] = frozenset(Status)
# A code from the catalog (a category, department or rejection reason) in an action's input: chosen
# from a list, never written, so it travels as it is and the effect checks it against the catalog.
CatalogCode = Annotated[str, "catalog code"]


class Effect(Struct, frozen=True):
    """What an action does: the changed case (before its version moves on), and what its history
    event records besides who, when and the statuses."""

    case: Case
    note: str | None = None
    data: Mapping[str, str] | None = None


def leading_to(target: Status) -> frozenset[Status]:
    """The statuses the lifecycle lets a case leave for ``target``: where an action that moves a case
    there may be taken."""
    return frozenset(status for status, targets in TRANSITIONS.items() if target in targets)


def not_now(case: Case, name: str) -> TransitionNotAllowedError:
    return TransitionNotAllowedError(
        Message(
            "action_not_allowed",
            {"current": label("status", case.status.value), "action": label("action", name)},
        )
    )


def refused(key: str, **params: int) -> TransitionNotAllowedError:
    """A refusal because of the state of the case (409), with the reason people read."""
    return TransitionNotAllowedError(Message(key, dict(params)))
