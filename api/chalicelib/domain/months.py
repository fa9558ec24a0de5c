"""Calendar months in the portal's time zone (Beijing time): what monthly reports count by."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

from msgspec import Struct

from .working_days import WorkingDayCalendar

__all__ = ["Month"]

_PATTERN = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")


# Ordered by its fields: the year, then the month.
class Month(Struct, frozen=True, order=True):
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month | None:
        """``YYYY-MM``, or ``None`` for anything else."""
        match = _PATTERN.fullmatch(text)
        return cls(int(match.group(1)), int(match.group(2))) if match else None

    @classmethod
    def of(cls, moment: datetime, zone: timezone) -> Month:
        local = moment.astimezone(zone)
        return cls(local.year, local.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def shifted(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    @property
    def previous(self) -> Month:
        return self.shifted(-1)

    @property
    def year_before(self) -> Month:
        return self.shifted(-12)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return self.shifted(1).first_day - timedelta(days=1)

    def start(self, zone: timezone) -> datetime:
        """The first moment of the month (00:00 on its first day, local time)."""
        return datetime.combine(self.first_day, time(0), tzinfo=zone)

    def end(self, zone: timezone) -> datetime:
        """The first moment after the month: a moment is in the month when start <= it < end."""
        return self.shifted(1).start(zone)

    def contains(self, moment: datetime | None, zone: timezone) -> bool:
        return moment is not None and self.start(zone) <= moment < self.end(zone)

    def first_working_day_after(self, calendar: WorkingDayCalendar) -> date:
        """The first working day after the month (make-up working days count, holidays do not)."""
        return calendar.add_working_days(self.last_day, 1)[0]
