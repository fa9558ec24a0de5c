"""Time limits from the policy file, and the due dates they give.

``data/policy.json`` is the one place the limits live; the API, the status page and the published
policy read it. A limit counts hours, calendar days or Chinese working days. Day-based limits end at
the end of the last day in the portal's time zone (China Standard Time, UTC+8, no daylight saving).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import cache
from typing import Literal

from .vocabulary import DATA_DIR, Label
from .working_days import WorkingDayCalendar, default_calendar

__all__ = ["REQUIRED_BOUNDS", "Due", "Policy", "TimeLimit", "Unit", "default_policy", "load_policy"]

Unit = Literal["hours", "days", "working_days"]
_UNITS: tuple[Unit, ...] = ("hours", "days", "working_days")
# The bounds the actions rely on (the others are optional reading for people).
REQUIRED_BOUNDS = frozenset({"extension_max", "registration_backdate"})


@dataclass(frozen=True, slots=True)
class TimeLimit:
    code: str
    amount: int
    unit: Unit
    label: Label
    note: Label


@dataclass(frozen=True, slots=True)
class Due:
    at: datetime
    provisional: bool


@dataclass(frozen=True, slots=True)
class Policy:
    zone: timezone
    # Clocks staff must beat (acknowledge, decide, respond...).
    limits: dict[str, TimeLimit]
    # Time complainants have for something (ask for a review, rate the outcome).
    windows: dict[str, TimeLimit]
    # Bounds on what staff may enter: how far a limit may be extended, how long ago a complaint
    # registered from another channel may have been received.
    bounds: dict[str, TimeLimit]

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def end_of_day(self, day: date) -> datetime:
        return datetime.combine(day, time(23, 59, 59), tzinfo=self.zone).astimezone(UTC)

    def due(self, code: str, start: datetime, calendar: WorkingDayCalendar | None = None) -> Due:
        """When the limit (or window) ``code`` counted from ``start`` runs out."""
        limit = self.limits.get(code) or self.windows.get(code) or self.bounds[code]
        if limit.unit == "hours":
            return Due(start + timedelta(hours=limit.amount), provisional=False)
        if limit.unit == "days":
            return Due(self.end_of_day(self.local_date(start) + timedelta(days=limit.amount)), False)
        last_day, provisional = (calendar or default_calendar()).add_working_days(
            self.local_date(start), limit.amount
        )
        return Due(self.end_of_day(last_day), provisional)


def _limit(code: str, raw: dict[str, object]) -> TimeLimit:
    units = [unit for unit in _UNITS if unit in raw]
    if len(units) != 1:
        raise ValueError(f"policy.json: {code} must have exactly one of {', '.join(_UNITS)}")
    amount = raw[units[0]]
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 1:
        raise ValueError(f"policy.json: {code}.{units[0]} must be a positive whole number")
    label, note = raw.get("label"), raw.get("note")
    if not isinstance(label, dict) or not isinstance(note, dict):
        raise ValueError(f"policy.json: {code} needs a zh/en label and note")
    return TimeLimit(code, amount, units[0], Label(**label), Label(**note))


def load_policy(raw: dict[str, object]) -> Policy:
    offset, limits, windows = raw.get("utc_offset_hours"), raw.get("time_limits"), raw.get("windows")
    bounds = raw.get("bounds")
    sections = (limits, windows, bounds)
    if not isinstance(offset, int) or not all(isinstance(section, dict) for section in sections):
        raise ValueError("policy.json needs utc_offset_hours, time_limits, windows and bounds")
    assert isinstance(limits, dict) and isinstance(windows, dict) and isinstance(bounds, dict)
    missing = sorted(REQUIRED_BOUNDS - set(bounds))
    if missing:
        raise ValueError(f"policy.json: bounds needs {', '.join(missing)}")
    return Policy(
        zone=timezone(timedelta(hours=offset)),
        limits={code: _limit(code, spec) for code, spec in limits.items()},
        windows={code: _limit(code, spec) for code, spec in windows.items()},
        bounds={code: _limit(code, spec) for code, spec in bounds.items()},
    )


@cache
def default_policy() -> Policy:
    with (DATA_DIR / "policy.json").open(encoding="utf-8") as handle:
        return load_policy(json.load(handle))
