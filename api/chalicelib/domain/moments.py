"""The span of time the portal stores moments and dates in.

Every date and time a person enters is checked against it before anything is stored: nothing the
portal handles happened before 1990, and no limit or date reaches past 2100. A value outside is a
slip of the keyboard (0001-01-01, year 9999), and one that could not even be converted to UTC would
make every later view of the case fail.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["EARLIEST", "LATEST", "to_utc"]

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def to_utc(moment: datetime) -> datetime | None:
    """``moment`` in UTC, or ``None`` when it has no UTC equivalent inside the span."""
    try:
        utc = moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    return utc if EARLIEST <= utc < LATEST else None
