"""The span of time the portal stores moments and dates in.

Every date and time a person enters is checked against it before anything is stored: nothing the
portal handles happened before 1990, and no limit or date reaches past 2100. A value outside is a
slip of the keyboard (0001-01-01, year 9999), and one that could not even be converted to UTC would
make every later view of the case fail.
"""

from __future__ import annotations

from datetime import UTC, datetime, timezone
from typing import Literal

__all__ = ["EARLIEST", "LATEST", "format_local", "format_short", "to_utc"]

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def to_utc(moment: datetime) -> datetime | None:
    """``moment`` in UTC, or ``None`` when it has no UTC equivalent inside the span."""
    try:
        utc = moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    return utc if EARLIEST <= utc < LATEST else None


def format_local(moment: datetime, lang: Literal["zh", "en"], zone: timezone) -> str:
    """A moment as people read it, in the portal's time zone and saying so."""
    local = moment.astimezone(zone)
    if lang == "zh":
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}（北京时间）"
    return f"{local.day} {local:%B %Y}, {local:%H:%M} (Beijing time)"


def format_short(moment: datetime, lang: Literal["zh", "en"], zone: timezone) -> str:
    """The same, as short as a text message needs it (the year and time zone go without saying)."""
    local = moment.astimezone(zone)
    if lang == "zh":
        return f"{local.month}月{local.day}日{local:%H:%M}"
    return f"{local.day} {local:%b} {local:%H:%M}"
