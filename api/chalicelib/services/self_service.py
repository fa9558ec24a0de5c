"""What complainants do with their tracking number and access code: read the messages and decision
addressed to them, add information, rate the outcome, ask for a review, withdraw.

Wrong access codes are counted per case in fixed windows: after ``MAX_FAILURES`` in one window the
case refuses every code (even the right one) until the window ends, so the code cannot be guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ..domain.case import Case, Event
from ..domain.complainant_actions import ComplainantAction, apply_complainant_action
from ..domain.deadlines import Policy
from ..domain.errors import ForbiddenError, TooManyAttemptsError, VersionConflictError
from ..domain.messages import Message
from ..domain.tracking import access_code_matches
from .lookup import find_case
from .repository import AttemptCounter, CaseRepository

__all__ = ["MAX_FAILURES", "WINDOW", "ComplainantView", "act_as_complainant", "open_own_case"]

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
# A staff member may change the case between our read and write; the complainant's request does
# not depend on that change, so it is applied again to the new version a few times.
_WRITE_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class ComplainantView:
    case: Case
    # Only what was addressed to the complainant or written by them: internal notes never appear.
    messages: list[Event]


def _window(now: datetime) -> tuple[int, datetime]:
    seconds = int(WINDOW.total_seconds())
    index = int(now.timestamp()) // seconds
    return index, datetime.fromtimestamp((index + 1) * seconds, UTC)


def _verified(
    repository: CaseRepository, attempts: AttemptCounter, typed_number: str, access_code: str, now: datetime
) -> Case:
    case = find_case(repository, typed_number)
    index, window_end = _window(now)
    key = f"{case.tracking_no}:{index}"
    retry_after = max(1, int((window_end - now).total_seconds()))
    if attempts.failures(key) >= MAX_FAILURES:
        raise TooManyAttemptsError(retry_after)
    if not access_code_matches(case.tracking_no, access_code, case.access_code_hash):
        # Kept a little past the window's end so a late read still sees it.
        if attempts.add_failure(key, window_end + WINDOW) >= MAX_FAILURES:
            raise TooManyAttemptsError(retry_after)
        raise ForbiddenError(Message("wrong_access_code"))
    return case


def _view(repository: CaseRepository, case: Case) -> ComplainantView:
    public = [event for event in repository.history(case.tracking_no) if event.visibility == "public"]
    return ComplainantView(case, public)


def open_own_case(
    repository: CaseRepository,
    attempts: AttemptCounter,
    typed_number: str,
    access_code: str,
    *,
    now: datetime,
) -> ComplainantView:
    return _view(repository, _verified(repository, attempts, typed_number, access_code, now))


def act_as_complainant(
    repository: CaseRepository,
    attempts: AttemptCounter,
    typed_number: str,
    access_code: str,
    action: ComplainantAction,
    *,
    now: datetime,
    policy: Policy,
) -> ComplainantView:
    case = _verified(repository, attempts, typed_number, access_code, now)
    for attempt in range(_WRITE_ATTEMPTS):
        changed, event = apply_complainant_action(case, action, now=now, policy=policy)
        try:
            repository.save(changed, event)
        except VersionConflictError:
            if attempt == _WRITE_ATTEMPTS - 1:
                raise
            fresh = repository.get(case.tracking_no)
            if fresh is None:
                raise
            case = fresh
            continue
        return _view(repository, changed)
    raise VersionConflictError()  # unreachable: the loop returns or raises
