"""What complainants do with their tracking number and access code: read the messages and decision
addressed to them, add information, rate the outcome, ask for a review, withdraw.

Every comparison of an access code is reserved first under the limits of access_code_throttle.py,
which stop bulk guessing without letting anyone else's wrong codes lock the owner out.
"""

from __future__ import annotations

from datetime import datetime

from msgspec import Struct

from ..domain.case import Case, Event
from ..domain.complainant_actions import ComplainantAction, apply_complainant_action
from ..domain.deadlines import Policy
from ..domain.errors import ForbiddenError, VersionConflictError
from ..domain.messages import Message
from ..domain.notifications import notices_for
from ..domain.tracking import access_code_matches
from .access_code_throttle import give_back, reserve_attempt
from .lookup import find_case
from .repository import AttemptCounter, CaseRepository

__all__ = ["ComplainantView", "act_as_complainant", "open_own_case"]
# A staff member may change the case between our read and write; the complainant's request does
# not depend on that change, so it is applied again to the new version a few times.
_WRITE_ATTEMPTS = 3


class ComplainantView(Struct, frozen=True):
    case: Case
    # Only what was addressed to the complainant or written by them: internal notes never appear.
    messages: list[Event]


def _verified(
    repository: CaseRepository,
    attempts: AttemptCounter,
    typed_number: str,
    access_code: str,
    *,
    client: str,
    now: datetime,
) -> Case:
    case = find_case(repository, typed_number)
    reserved = reserve_attempt(attempts, client=client, tracking_no=case.tracking_no, now=now)
    if not access_code_matches(case.tracking_no, access_code, case.access_code_hash):
        raise ForbiddenError(Message("wrong_access_code"))  # the attempt stays counted
    give_back(attempts, reserved)
    return case


def _view(case: Case, history: list[Event]) -> ComplainantView:
    return ComplainantView(case, [event for event in history if event.visibility == "public"])


def open_own_case(
    repository: CaseRepository,
    attempts: AttemptCounter,
    typed_number: str,
    access_code: str,
    *,
    client: str,
    now: datetime,
) -> ComplainantView:
    """``client`` is the caller's address as ``access_code_throttle.client_key`` gives it."""
    case = _verified(repository, attempts, typed_number, access_code, client=client, now=now)
    return _view(case, repository.history(case.tracking_no))


def act_as_complainant(
    repository: CaseRepository,
    attempts: AttemptCounter,
    typed_number: str,
    access_code: str,
    action: ComplainantAction,
    *,
    client: str,
    now: datetime,
    policy: Policy,
    notify: bool = True,
) -> ComplainantView:
    """Apply the action and show the case after it. As for staff actions, the history is read before
    the one write, so a saved action cannot fail afterwards."""
    case = _verified(repository, attempts, typed_number, access_code, client=client, now=now)
    for attempt in range(_WRITE_ATTEMPTS):
        changed, event = apply_complainant_action(case, action, now=now, policy=policy)
        history = repository.history(case.tracking_no)
        notices = notices_for(changed, event, policy=policy) if notify else []
        try:
            repository.save(changed, event, notices=notices)
        except VersionConflictError:
            if attempt == _WRITE_ATTEMPTS - 1:
                raise
            fresh = repository.get(case.tracking_no)
            if fresh is None:
                raise
            case = fresh
            continue
        return _view(changed, [*history, event])
    raise VersionConflictError()  # unreachable: the loop returns or raises
