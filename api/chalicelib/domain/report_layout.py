"""How the monthly report is laid out: its sections, their tables and each row's figure, with the
zh/en labels and definitions from glossary.json. The JSON report, its workbook and the console's
Reports page all follow this one layout."""

from __future__ import annotations

from functools import cache
from typing import Literal

from msgspec import Struct

from .complaint import CHANNELS, COMPLAINANT_TYPES
from .monthly_report import CLOCK_KINDS, CLOCK_OUTCOMES, NONE, PRIORITIES, SATISFACTION_LEVELS
from .vocabulary import Label, categories, departments, label, rejection_reasons

__all__ = ["SUMMARY", "FigureRow", "Section", "Table", "Unit", "layout", "summary_rows", "term"]

Unit = Literal["count", "percent", "days"]


class FigureRow(Struct, frozen=True):
    key: str
    label: Label
    unit: Unit = "count"


class Table(Struct, frozen=True):
    key: str
    title: Label
    rows: tuple[FigureRow, ...]


class Section(Struct, frozen=True):
    key: str
    title: Label
    definition: Label
    tables: tuple[Table, ...]


def term(code: str) -> Label:
    return label("report_figure", code)


def _joined(first: Label, second: Label) -> Label:
    return Label(zh=f"{first.zh}：{second.zh}", en=f"{first.en}: {second.en}")


def _table(key: str, rows: list[FigureRow]) -> Table:
    return Table(key, label("report_table", key), tuple(rows))


def _clock_table(kind: str) -> Table:
    rows = [FigureRow(f"clock.{kind}.due", term("due"))]
    rows += [FigureRow(f"clock.{kind}.{outcome}", term(outcome)) for outcome in CLOCK_OUTCOMES]
    rows += [
        FigureRow(f"clock.{kind}.extended", term("extended")),
        FigureRow(f"clock.{kind}.rate", term("rate"), "percent"),
    ]
    return Table(f"clock_{kind}", label("deadline", kind), tuple(rows))


def _handling_table(priority: str) -> Table:
    return _table(
        f"handling_{priority}",
        [
            FigureRow(f"handling.{priority}.count", term("count")),
            FigureRow(f"handling.{priority}.mean", term("mean"), "days"),
            FigureRow(f"handling.{priority}.median", term("median"), "days"),
            FigureRow(f"handling.{priority}.p90", term("p90"), "days"),
        ],
    )


def _satisfaction_table(source: str) -> Table:
    rows = [
        FigureRow(f"satisfaction.{source}.{level}", label("satisfaction", level))
        for level in SATISFACTION_LEVELS
    ]
    rows += [
        FigureRow(f"satisfaction.{source}.total", term("rated")),
        FigureRow(f"satisfaction.{source}.rate", term("satisfaction_rate"), "percent"),
    ]
    return _table(f"satisfaction_{source}", rows)


def _section(key: str, tables: list[Table]) -> Section:
    return Section(key, label("report_section", key), label("report_definition", key), tuple(tables))


@cache
def layout() -> tuple[Section, ...]:
    """Every section of the report, in order (the catalog's categories and departments included)."""
    received = [
        _table(
            "received",
            [
                FigureRow("received.total", term("total")),
                FigureRow("received.anonymous", term("anonymous")),
                FigureRow("received.confidential", term("confidential")),
            ],
        ),
        _table("by_channel", [FigureRow(f"received.channel.{c}", label("channel", c)) for c in CHANNELS]),
        _table(
            "by_category",
            [FigureRow(f"received.category.{code}", c.label) for code, c in categories().items()],
        ),
        _table(
            "by_department",
            [FigureRow(f"received.department.{code}", d.label) for code, d in departments().items()]
            + [FigureRow(f"received.department.{NONE}", term(NONE))],
        ),
        _table(
            "by_complainant_type",
            [
                FigureRow(f"received.complainant_type.{t}", label("complainant_type", t))
                for t in COMPLAINANT_TYPES
            ],
        ),
        _table(
            "by_priority",
            [FigureRow(f"received.priority.{p}", label("priority", p)) for p in PRIORITIES]
            + [FigureRow(f"received.priority.{NONE}", term(NONE))],
        ),
    ]
    decisions = [
        _table(
            "decisions",
            [
                FigureRow(f"decisions.{step}", term(step))
                for step in ("accepted", "not_accepted", "withdrawn", "responded", "closed")
            ],
        ),
        _table(
            "not_accepted_reasons",
            [
                FigureRow(f"decisions.not_accepted.reason.{code}", r.label)
                for code, r in rejection_reasons().items()
            ],
        ),
    ]
    stock = [
        _table(
            "stock",
            [
                FigureRow("stock.carried_over", term("carried_over")),
                FigureRow("stock.open_at_end", term("open_at_end")),
            ],
        )
    ]
    satisfaction = [_satisfaction_table(source) for source in ("callback", "rating", "combined")]
    satisfaction.append(
        _table("satisfaction_reach", [FigureRow("satisfaction.not_reachable", term("not_reachable"))])
    )
    reviews = [
        _table(
            "reviews",
            [FigureRow(f"reviews.{k}", term(k)) for k in ("requested", "decided", "upheld", "changed")],
        )
    ]
    major = [
        _table("major", [FigureRow("major.major", term("major")), FigureRow("major.urgent", term("urgent"))])
    ]
    recurring = [
        _table(
            "recurring",
            [
                FigureRow("recurring.repeat_complainants", term("repeat_complainants")),
                FigureRow("recurring.repeat_complaints", term("repeat_complaints")),
            ],
        )
    ]
    return (
        _section("received", received),
        _section("decisions", decisions),
        _section("stock", stock),
        _section("on_time", [_clock_table(kind) for kind in CLOCK_KINDS]),
        _section("handling", [_handling_table(p) for p in (*PRIORITIES, "all")]),
        _section("satisfaction", satisfaction),
        _section("reviews", reviews),
        _section("major", major),
        _section("recurring", recurring),
    )


# The summary sheet's figures, as the office's monthly report puts them first.
SUMMARY: tuple[tuple[str, str, Unit], ...] = (
    ("received.total", "received_per_month", "count"),
    ("decisions.accepted", "accepted", "count"),
    ("decisions.not_accepted", "not_accepted", "count"),
    ("decisions.withdrawn", "withdrawn", "count"),
    ("decisions.responded", "responded", "count"),
    ("decisions.closed", "closed", "count"),
    ("stock.carried_over", "carried_over", "count"),
    ("stock.open_at_end", "open_at_end", "count"),
    ("clock.respond.rate", "respond_rate", "percent"),
    ("satisfaction.callback.rate", "satisfaction_rate", "percent"),
    ("handling.all.mean", "mean", "days"),
    ("reviews.requested", "requested", "count"),
    ("major.major", "major", "count"),
    ("major.urgent", "urgent", "count"),
    ("recurring.repeat_complainants", "repeat_complainants", "count"),
)


def summary_rows() -> tuple[FigureRow, ...]:
    rows = []
    for key, code, unit in SUMMARY:
        text = term(code)
        if key == "satisfaction.callback.rate":
            text = _joined(label("report_table", "satisfaction_callback"), term("satisfaction_rate"))
        elif key == "handling.all.mean":
            text = _joined(label("report_section", "handling"), term("mean"))
        rows.append(FigureRow(key, text, unit))
    return tuple(rows)
