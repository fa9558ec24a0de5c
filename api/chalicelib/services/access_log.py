"""Reading the access log: who viewed a case's complainant, and what one staff member viewed and
searched. Supervisors only (the routes check it); reading the log is not itself logged: it shows
staff names and times, no complainant's personal data."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from msgspec import Struct

from ..domain.deadlines import Policy
from ..domain.errors import InvalidInputError
from ..domain.messages import Message
from .lookup import find_case
from .repository import AccessEntry, CaseRepository

__all__ = ["MAX_DAYS", "StaffAccessLog", "case_access_log", "staff_access_log"]

# A screen of one staff member's entries covers at most about a quarter.
MAX_DAYS = 92
_DEFAULT_DAYS = 7


class StaffAccessLog(Struct, frozen=True):
    staff_id: str
    since: date
    until: date
    entries: list[AccessEntry]


def case_access_log(repository: CaseRepository, typed_number: str) -> list[AccessEntry]:
    """Every view of the case's complainant and every look-up of their other complaints, in order."""
    case = find_case(repository, typed_number)
    return repository.access_log(case.tracking_no)


def staff_access_log(
    repository: CaseRepository,
    staff_id: str,
    since: date | None,
    until: date | None,
    *,
    now: datetime,
    policy: Policy,
) -> StaffAccessLog:
    """One staff member's entries from ``since`` to ``until``, both days included (Beijing time):
    by default the last seven days."""
    last = until or policy.local_date(now)
    first = since or last - timedelta(days=_DEFAULT_DAYS - 1)
    if first > last:
        raise InvalidInputError({"from": Message("access_range_reversed")})
    if (last - first).days >= MAX_DAYS:
        raise InvalidInputError({"to": Message("access_range_too_long", {"max": MAX_DAYS})})
    start = datetime.combine(first, time(), policy.zone)
    end = datetime.combine(last + timedelta(days=1), time(), policy.zone)
    return StaffAccessLog(staff_id, first, last, repository.staff_access(staff_id, start, end))
