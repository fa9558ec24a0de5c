"""Small counts kept out of published statistics, so that no figure points to a few people.

A published row is a total and the counts it is made of (complaints by category in one month). Any
count below 5 is shown as "<5" (primary suppression). The counts of confidential categories are
never shown at all; they are part of the total, an unknown of the row like a hidden cell. Then,
knowing the rule, a reader could still work a hidden count out by subtracting what is shown from
the total. So, while any hidden count (or the confidential remainder) is the only value the row
allows, the smallest count still shown is withheld too (complementary suppression, shown as "x"),
and when nothing is left to withhold, the total is withheld as well.

What a reader who knows this rule knows of a hidden value, and what ``exposed`` computes from: a
count shown as "<5" is 0 to 4; a withheld count ("x") is 5 or more, and no larger than the smallest
count still shown (the smallest were withheld first); the confidential remainder is 0 or more; each
is at most the total, and, when the total is shown, the hidden values add up to the total less what
is shown. One equation with bounded unknowns: each unknown can take every whole value between its
lowest and highest possible value, so it is recoverable exactly when those two are equal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from msgspec import Struct

__all__ = ["SMALL", "Cell", "Flag", "SuppressedRow", "exposed", "suppress_row"]

SMALL = 5
Flag = Literal["small", "withheld"]
# The name of the confidential remainder among the unknowns of a row (never a published cell).
REMAINDER = "__remainder__"


class Cell(Struct, frozen=True):
    """A published count: its value, or why it is not shown."""

    value: int | None
    flag: Flag | None = None


class SuppressedRow(Struct, frozen=True):
    total: Cell
    cells: dict[str, Cell]


def _bounds(flag: str, total: int, smallest_shown: int) -> tuple[int, int]:
    if flag == "small":
        return 0, SMALL - 1
    if flag == "withheld":
        return SMALL, smallest_shown
    return 0, total  # the confidential remainder


def exposed(total: int | None, shown: Mapping[str, int], hidden: Mapping[str, str]) -> set[str]:
    """The hidden values (name -> "small", "withheld" or "remainder") that a reader can work out
    exactly from a row whose ``total`` (``None`` when withheld) and ``shown`` counts are published."""
    if total is None:
        # No equation: only the bounds are known. "<5" spans 5 values; a withheld count, from 5 to
        # the smallest shown, spans one value only if that is 5: then it is exposed all the same.
        smallest_shown = min(shown.values(), default=None)
        return {n for n, f in hidden.items() if f == "withheld" and smallest_shown == SMALL}
    rest = total - sum(shown.values())
    smallest_shown = min(shown.values(), default=total)
    bounds = {name: _bounds(flag, total, smallest_shown) for name, flag in hidden.items()}
    low_sum = sum(lo for lo, _ in bounds.values())
    high_sum = sum(hi for _, hi in bounds.values())
    found = set()
    for name, (lo, hi) in bounds.items():
        lowest = max(lo, rest - (high_sum - hi))
        highest = min(hi, rest - (low_sum - lo))
        if lowest >= highest:
            found.add(name)
    return found


def suppress_row(total: int, cells: Mapping[str, int], remainder: int | None) -> SuppressedRow:
    """The published form of a row: ``cells`` by name (shown in that order), plus ``remainder``
    (the confidential categories' count, never shown; ``None`` when there are none), adding up to
    ``total``."""
    if sum(cells.values()) + (remainder or 0) != total:
        raise ValueError("the cells and the remainder must add up to the total")
    if total < SMALL:
        return SuppressedRow(Cell(None, "small"), {name: Cell(None, "small") for name in cells})
    flags: dict[str, Flag] = {name: "small" for name, value in cells.items() if value < SMALL}
    total_shown = True
    while True:
        hidden: dict[str, str] = {**flags, **({} if remainder is None else {REMAINDER: "remainder"})}
        shown = {name: value for name, value in cells.items() if name not in flags}
        if not exposed(total if total_shown else None, shown, hidden):
            break
        if not shown:
            total_shown = False
            continue
        smallest = min(shown, key=lambda name: (shown[name], list(cells).index(name)))
        flags[smallest] = "withheld"
    return SuppressedRow(
        Cell(total) if total_shown else Cell(None, "withheld"),
        {name: Cell(None, flags[name]) if name in flags else Cell(value) for name, value in cells.items()},
    )
