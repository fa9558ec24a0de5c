"""Chinese working days: the State Council's yearly holiday notice, make-up working days included.

Sources, in order: the staff-maintained notices in ``data/holidays.json``; the ``chinesecalendar``
library. For a year neither knows, days are counted Monday to Friday and every result says it is
provisional: a deadline is never silently wrong for a year whose official calendar is not yet known.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from msgspec import Struct

from .vocabulary import DATA_DIR

__all__ = ["OfficialYear", "WorkingDayCalendar", "default_calendar", "load_official_years"]


class OfficialYear(Struct, frozen=True):
    """One year's official notice: holidays on weekdays and make-up working days on weekends."""

    holidays: frozenset[date]
    workdays: frozenset[date]

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5


LibraryLookup = Callable[[date], bool]


def _chinese_calendar_lookup(day: date) -> bool:
    import chinese_calendar  # no stubs; small, but only needed when a deadline is computed

    result: bool = chinese_calendar.is_workday(day)
    return result


class WorkingDayCalendar:
    def __init__(
        self,
        official_years: Mapping[int, OfficialYear],
        library: LibraryLookup | None = _chinese_calendar_lookup,
    ) -> None:
        self._official = dict(official_years)
        self._library = library

    def is_working_day(self, day: date) -> tuple[bool, bool]:
        """Whether ``day`` is a working day, and whether that is known from an official source."""
        official = self._official.get(day.year)
        if official is not None:
            return official.is_working_day(day), True
        if self._library is not None:
            try:
                return self._library(day), True
            except NotImplementedError:  # chinesecalendar's answer for a year it does not know
                pass
        return day.weekday() < 5, False

    def add_working_days(self, start: date, count: int) -> tuple[date, bool]:
        """The ``count``-th working day after ``start`` (``start`` itself not counted), and whether
        the result is provisional because some day on the way is in an unknown year."""
        if count < 1:
            raise ValueError("count must be at least 1")
        day, remaining, provisional = start, count, False
        while remaining:
            day += timedelta(days=1)
            working, known = self.is_working_day(day)
            provisional = provisional or not known
            if working:
                remaining -= 1
        return day, provisional


def _parse_year(year: int, raw: Mapping[str, object]) -> OfficialYear:
    def dates(key: str) -> frozenset[date]:
        values = raw.get(key, [])
        if not isinstance(values, list):
            raise ValueError(f"holidays.json: {year}.{key} must be a list of ISO dates")
        parsed = frozenset(date.fromisoformat(str(v)) for v in values)
        if any(d.year != year for d in parsed):
            raise ValueError(f"holidays.json: {year}.{key} holds a date of another year")
        return parsed

    return OfficialYear(holidays=dates("holidays"), workdays=dates("workdays"))


def load_official_years(path: Path) -> dict[int, OfficialYear]:
    with path.open(encoding="utf-8") as handle:
        raw = json.load(handle)
    return {int(year): _parse_year(int(year), notice) for year, notice in raw.get("years", {}).items()}


@cache
def default_calendar() -> WorkingDayCalendar:
    return WorkingDayCalendar(load_official_years(DATA_DIR / "holidays.json"))
