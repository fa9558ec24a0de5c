"""Published statistics (issue 9, acceptance 3): no published count is below 5, and no hidden count,
the confidential categories' remainder included, can be worked out from what is published.

The check here is independent of domain/suppression.py: it enumerates, for every hidden value, the
values it could take given everything published and the rule itself (a "<5" is 0 to 4, an "x" is 5
or more and at most the smallest count still shown, the remainder is 0 or more, and with a
published total the hidden values add up to the total less the shown counts), by building the sums
the other hidden values can make."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.suppression import SMALL, Cell, suppress_row

NAMES = [f"c{i}" for i in range(7)]


def _possible(bounds: list[tuple[int, int]], target: int | None) -> list[set[int]]:
    """For each unknown, the values it can take in some solution of sum(unknowns) == target."""
    if target is None:
        return [set(range(lo, hi + 1)) for lo, hi in bounds]
    result = []
    for j, (lo, hi) in enumerate(bounds):
        sums = {0}
        for i, (olo, ohi) in enumerate(bounds):
            if i != j:
                sums = {s + v for s in sums for v in range(olo, ohi + 1) if s + v <= target}
        result.append({v for v in range(lo, hi + 1) if target - v in sums})
    return result


def _check(total: int, cells: dict[str, int], remainder: int | None) -> None:
    row = suppress_row(total, cells, remainder)
    published = [row.total, *row.cells.values()]
    # No published count below 5, and every published count is the true one.
    assert all(c.value is None or c.value >= SMALL for c in published)
    assert row.total.value in (None, total)
    for name, cell in row.cells.items():
        assert cell.value in (None, cells[name])
        assert (cell.value is None) == (cell.flag is not None)
    shown = [c.value for c in row.cells.values() if c.value is not None]
    # An "x" is at most the smallest count shown; with none shown, at most a published total, and
    # with the total withheld too, it has no upper bound (five more than it is will do here).
    unbounded = total + SMALL
    smallest = min(shown, default=total if row.total.value is not None else unbounded)
    # What the reader knows of the total bounds the remainder: below 5 when shown as "<5".
    most = SMALL - 1 if row.total.flag == "small" else total
    hidden: list[tuple[str, tuple[int, int], int]] = []
    if remainder is not None:
        hidden.append(("remainder", (0, most), remainder))
    for name, cell in row.cells.items():
        if cell.flag == "small":
            hidden.append((name, (0, SMALL - 1), cells[name]))
        elif cell.flag == "withheld":
            hidden.append((name, (SMALL, smallest), cells[name]))
    target = None if row.total.value is None else total - sum(shown)
    for (name, _, true), values in zip(hidden, _possible([b for _, b, _ in hidden], target), strict=True):
        assert true in values, (name, values)
        assert len(values) >= 2, f"{name} can be worked out: {values} (row {cells}, remainder {remainder})"


@settings(max_examples=400, deadline=None)
@given(
    values=st.lists(st.integers(min_value=0, max_value=14), min_size=1, max_size=6),
    remainder=st.one_of(st.none(), st.integers(min_value=0, max_value=6)),
)
def test_no_published_count_is_small_and_no_hidden_one_can_be_worked_out(
    values: list[int], remainder: int | None
) -> None:
    cells = dict(zip(NAMES, values, strict=False))
    _check(sum(values) + (remainder or 0), cells, remainder)


def test_a_lone_small_category_gets_a_second_cell_withheld_beside_it() -> None:
    # Without the "x", the "<5" would be the total less the others.
    row = suppress_row(40, {"a": 3, "b": 12, "c": 25}, None)
    assert row.cells["a"] == Cell(None, "small")
    assert row.cells["b"] == Cell(None, "withheld")
    assert row.cells["c"] == Cell(25)
    assert row.total == Cell(40)
    _check(40, {"a": 3, "b": 12, "c": 25}, None)


def test_the_confidential_remainder_already_keeps_a_lone_small_category_hidden() -> None:
    # The total less the others is the "<5" and the confidential remainder together.
    row = suppress_row(41, {"a": 3, "b": 12, "c": 25}, 1)
    assert [c.value for c in row.cells.values()] == [None, 12, 25]
    _check(41, {"a": 3, "b": 12, "c": 25}, 1)


def test_the_confidential_remainder_is_never_a_subtraction_away() -> None:
    # Every category large: shown as they are, the remainder (3 confidential complaints) would be
    # the total less them; so the smallest category is withheld.
    row = suppress_row(53, {"a": 20, "b": 30}, 3)
    assert row.cells["a"] == Cell(None, "withheld")
    assert row.cells["b"] == Cell(30)
    _check(53, {"a": 20, "b": 30}, 3)


def test_a_total_below_five_hides_the_whole_row() -> None:
    row = suppress_row(4, {"a": 1, "b": 3}, 0)
    assert row.total == Cell(None, "small")
    assert set(row.cells.values()) == {Cell(None, "small")}


def test_a_row_of_large_counts_and_no_confidential_category_is_shown_whole() -> None:
    row = suppress_row(105, {"a": 50, "b": 55}, None)
    assert row == suppress_row(105, {"a": 50, "b": 55}, None)
    assert [c.value for c in row.cells.values()] == [50, 55]
    assert row.total == Cell(105)
