"""Time limits from the policy file, and the due dates they give.

``data/policy.json`` is the one place the limits live; the API, the status page and the published
policy read it. A limit counts hours, calendar days or Chinese working days. Day-based limits end at
the end of the last day in the portal's time zone (China Standard Time, UTC+8, no daylight saving).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import cache
from typing import Literal, get_args

from msgspec import Struct

from .vocabulary import DATA_DIR, Label
from .working_days import WorkingDayCalendar, default_calendar

__all__ = [
    "CLOCKS",
    "REQUIRED_BOUNDS",
    "Chasing",
    "Clock",
    "Due",
    "Policy",
    "Span",
    "TimeLimit",
    "Unit",
    "default_policy",
    "load_policy",
]

Unit = Literal["hours", "days", "working_days"]
_UNITS: tuple[Unit, ...] = ("hours", "days", "working_days")
# The bounds the actions rely on (the others are optional reading for people).
REQUIRED_BOUNDS = frozenset({"extension_max", "registration_backdate", "callback_retry_max"})


class TimeLimit(Struct, frozen=True):
    code: str
    amount: int
    unit: Unit
    label: Label
    note: Label


class Due(Struct, frozen=True):
    at: datetime
    provisional: bool


class Span(Struct, frozen=True):
    """An amount of time in one unit, without the label a published limit has."""

    amount: int
    unit: Unit


class Chasing(Struct, frozen=True):
    """How the portal chases its own time limits and messages (policy.json ``chasing``)."""

    # How long before each clock runs out whoever must act is reminded.
    remind_before: dict[str, timedelta]
    # A clock still open this long after it ran out is escalated a second time.
    escalate_again_after: Span
    # A complainant who has not rated the outcome this long after the response is reminded once.
    remind_to_rate_after: Span
    # How long a delivered (or finally failed) message is kept.
    message_retention: Span
    # Attempts at delivering a message before it is marked failed for staff to look at.
    delivery_attempts: int


class Policy(Struct, frozen=True):
    zone: timezone
    # Clocks staff must beat (acknowledge, decide, respond...).
    limits: dict[str, TimeLimit]
    # Time complainants have for something (ask for a review, rate the outcome).
    windows: dict[str, TimeLimit]
    # Bounds on what staff may enter: how far a limit may be extended, how long ago a complaint
    # registered from another channel may have been received.
    bounds: dict[str, TimeLimit]
    chasing: Chasing

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def end_of_day(self, day: date) -> datetime:
        return datetime.combine(day, time(23, 59, 59), tzinfo=self.zone).astimezone(UTC)

    def due(self, code: str, start: datetime, calendar: WorkingDayCalendar | None = None) -> Due:
        """When the limit (or window) ``code`` counted from ``start`` runs out."""
        limit = self.limits.get(code) or self.windows.get(code) or self.bounds[code]
        return self.after(Span(limit.amount, limit.unit), start, calendar)

    def after(self, span: Span, start: datetime, calendar: WorkingDayCalendar | None = None) -> Due:
        """When ``span`` counted from ``start`` ends: hours from the moment; (working) days to the end
        of the last day in the portal's time zone."""
        if span.unit == "hours":
            return Due(start + timedelta(hours=span.amount), provisional=False)
        if span.unit == "days":
            return Due(self.end_of_day(self.local_date(start) + timedelta(days=span.amount)), False)
        last_day, provisional = (calendar or default_calendar()).add_working_days(
            self.local_date(start), span.amount
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


def _span(name: str, raw: object) -> Span:
    if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in _UNITS:
        raise ValueError(f"policy.json: chasing.{name} must be one of {', '.join(_UNITS)} with an amount")
    unit, amount = next(iter(raw.items()))
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 1:
        raise ValueError(f"policy.json: chasing.{name}.{unit} must be a positive whole number")
    return Span(amount, unit)


def _chasing(raw: object, clocks: set[str]) -> Chasing:
    if not isinstance(raw, dict):
        raise ValueError("policy.json needs a chasing section")
    hours = raw.get("remind_before_hours")
    if not isinstance(hours, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in hours.values()
    ):
        raise ValueError("policy.json: chasing.remind_before_hours maps clocks to positive hours")
    unknown = sorted(set(hours) - clocks)
    if unknown:
        raise ValueError(f"policy.json: chasing.remind_before_hours names no clock: {', '.join(unknown)}")
    attempts = raw.get("delivery_attempts")
    if not isinstance(attempts, int) or isinstance(attempts, bool) or attempts < 1:
        raise ValueError("policy.json: chasing.delivery_attempts must be a positive whole number")
    return Chasing(
        remind_before={clock: timedelta(hours=amount) for clock, amount in hours.items()},
        escalate_again_after=_span("escalate_again_after", raw.get("escalate_again_after")),
        remind_to_rate_after=_span("remind_to_rate_after", raw.get("remind_to_rate_after")),
        message_retention=_span("message_retention", raw.get("message_retention")),
        delivery_attempts=attempts,
    )


# The clocks a case can run (Deadline.kind), for checking what the chasing section names.
Clock = Literal["acknowledge", "decide", "attend", "respond", "review", "report", "callback"]
CLOCKS = frozenset(get_args(Clock))


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
        chasing=_chasing(raw.get("chasing"), set(CLOCKS)),
    )


@cache
def default_policy() -> Policy:
    with (DATA_DIR / "policy.json").open(encoding="utf-8") as handle:
        return load_policy(json.load(handle))
