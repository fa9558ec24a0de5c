"""What the monthly report and the public statistics show, in one language: the report's layout
(domain/report_layout.py) filled from its document, its lists as typed columns, its charts with
their data. The JSON answer, the workbook and the CSV are all made from these views, so that they
say the same."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC
from typing import Any, Literal

from ..domain.deadlines import Policy
from ..domain.monthly_report import CLOCK_KINDS, SATISFACTION_LEVELS, Figures
from ..domain.months import Month
from ..domain.report_layout import FigureRow, layout, summary_rows, term
from ..domain.tracking import format_code
from ..domain.vocabulary import Label, Lang, categories, departments, label, rejection_reasons, terms
from ..services.reports import MonthlyReport
from .svg_charts import Series, bars, bars_with_line
from .views import iso

__all__ = ["CASE_COLUMNS", "ColumnType", "report_view", "statistics_view"]

ColumnType = Literal["text", "datetime", "count", "percent", "days"]
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# The month's case list: (column, its label's glossary term, type). No complainant, nothing written.
CASE_COLUMNS: tuple[tuple[str, str, ColumnType], ...] = (
    ("tracking_no", "field.tracking_no", "text"),
    ("received_at", "report_figure.received_at", "datetime"),
    ("channel", "field.channel", "text"),
    ("category", "field.category", "text"),
    ("department", "field.department", "text"),
    ("priority", "field.priority", "text"),
    ("complainant_type", "field.complainant_type", "text"),
    ("anonymous", "field.anonymous", "text"),
    ("confidential", "report_figure.confidential", "text"),
    ("status", "field.status", "text"),
    ("accepted_at", "report_figure.accepted_at", "datetime"),
    ("rejected_at", "report_figure.rejected_at", "datetime"),
    ("reject_reason", "report_figure.reject_reason", "text"),
    ("responded_at", "report_figure.responded_at", "datetime"),
    ("respond_due_at", "report_figure.respond_due_at", "datetime"),
    ("closed_at", "report_figure.closed_at", "datetime"),
    ("withdrawn_at", "report_figure.withdrawn_at", "datetime"),
    ("callback_satisfaction", "report_figure.callback_satisfaction", "text"),
    ("complainant_rating", "report_figure.complainant_rating", "text"),
)
_MAJOR_COLUMNS = (
    "tracking_no",
    "priority",
    "category",
    "department",
    "status",
    "received_at",
    "accepted_at",
    "respond_due_at",
    "responded_at",
    "closed_at",
)
_OVERDUE_COLUMNS: tuple[tuple[str, str, ColumnType], ...] = (
    ("tracking_no", "field.tracking_no", "text"),
    ("clock", "report_figure.clock", "text"),
    ("due_at", "report_figure.due_at", "datetime"),
    ("category", "field.category", "text"),
    ("department", "field.department", "text"),
    ("priority", "field.priority", "text"),
    ("status", "field.status", "text"),
)
_TOP = 5


def _term(path: str) -> Label:
    section, code = path.split(".", 1)
    return label(section, code)


# The glossary section of the codes a list's column holds.
_CODE_SECTIONS = {
    "channel": "channel",
    "priority": "priority",
    "complainant_type": "complainant_type",
    "status": "status",
    "callback_satisfaction": "satisfaction",
    "complainant_rating": "satisfaction",
    "clock": "deadline",
}


def _code_labels(column: str) -> Mapping[str, Label] | None:
    """The labels of the codes a list's column holds, or ``None`` when it holds none."""
    if column in _CODE_SECTIONS:
        return terms(_CODE_SECTIONS[column])
    if column == "category":
        return {code: c.label for code, c in categories().items()}
    if column == "department":
        return {code: d.label for code, d in departments().items()}
    if column == "reject_reason":
        return {code: r.label for code, r in rejection_reasons().items()}
    return None


def _converter(column: str, kind: ColumnType, lang: Lang, policy: Policy) -> Callable[[Any], Any]:
    """How a list's column shows its values, worked out once per column (a month lists thousands)."""
    if kind == "datetime":  # already in the portal's time zone, to the second (monthly_report.py)
        return lambda value: value
    if column == "tracking_no":
        return lambda value: format_code(str(value))
    labels = _code_labels(column)
    if labels is not None:
        texts = {code: text.in_(lang) for code, text in labels.items()}
        return lambda value: None if value is None else texts.get(str(value), value)
    yes, no = term("yes").in_(lang), term("no").in_(lang)
    return lambda value: (yes if value else no) if isinstance(value, bool) else value


def _list(
    key: str,
    title: Label,
    columns: Sequence[tuple[str, str, ColumnType]],
    rows: Sequence[Mapping[str, Any]] | None,
    lang: Lang,
    policy: Policy,
    count: int | None = None,
) -> dict[str, Any]:
    """A list of the report; without ``rows`` (left out of the document) only how many it holds."""
    listed: dict[str, Any] = {
        "key": key,
        "title": title.in_(lang),
        "columns": [{"key": c, "label": _term(t).in_(lang), "type": kind} for c, t, kind in columns],
        "count": len(rows) if rows is not None else count,
    }
    if rows is not None:
        shown = [(c, _converter(c, kind, lang, policy)) for c, _, kind in columns]
        listed["rows"] = [[convert(row.get(c)) for c, convert in shown] for row in rows]
    return listed


def _row(
    row: FigureRow, figures: Figures, previous: Figures | None, year_before: Figures | None, lang: Lang
) -> dict[str, Any]:
    return {
        "key": row.key,
        "label": row.label.in_(lang),
        "unit": row.unit,
        "value": figures.get(row.key),
        "previous": previous.get(row.key) if previous else None,
        "year_before": year_before.get(row.key) if year_before else None,
    }


def _title(month: Month, lang: Lang) -> str:
    template = label("report_section", "title").in_(lang)
    return template.format(year=month.year, month=month.month, month_name=_MONTH_NAMES[month.month - 1])


def _top(figures: Figures, prefix: str, labels: Mapping[str, Label], lang: Lang) -> list[list[Any]]:
    counted = [(int(figures.get(f"{prefix}.{code}") or 0), code) for code in labels]
    ranked = sorted(
        (item for item in counted if item[0] > 0), key=lambda item: (-item[0], list(labels).index(item[1]))
    )
    return [[labels[code].in_(lang), n] for n, code in ranked[:_TOP]]


def _ranking(key: str, column: str, rows: list[list[Any]], lang: Lang) -> dict[str, Any]:
    """A list of the most complained-about categories or departments, from the figures."""
    return {
        "key": key,
        "title": label("report_section", key).in_(lang),
        "columns": [
            {"key": column, "label": term(column).in_(lang), "type": "text"},
            {"key": "count", "label": _term("report_figure.count_of_cases").in_(lang), "type": "count"},
        ],
        "count": len(rows),
        "rows": rows,
    }


def _shown(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "percent":
        return f"{value:g} %"
    return f"{value:g}"


def _report_charts(figures: Figures, trend: Sequence[Mapping[str, Any]], lang: Lang) -> list[dict[str, Any]]:
    charts = []
    cats = categories()
    values = [figures.get(f"received.category.{code}") for code in cats]
    names = [c.label.in_(lang) for c in cats.values()]
    title = label("report_table", "by_category").in_(lang)
    charts.append(
        {
            "key": "received_by_category",
            "title": f"{label('report_section', 'received').in_(lang)} · {title}",
            "svg": bars(
                "chart-received",
                title,
                label("report_definition", "received").in_(lang),
                names,
                [Series(term("count_of_cases").in_(lang), values, [_shown(v, "count") for v in values])],
            ),
            "table": {
                "columns": [term("category").in_(lang), term("count_of_cases").in_(lang)],
                "rows": [[n, v] for n, v in zip(names, values, strict=True)],
            },
        }
    )
    rates = [figures.get(f"clock.{kind}.rate") for kind in CLOCK_KINDS]
    clocks = [label("deadline", kind).in_(lang) for kind in CLOCK_KINDS]
    charts.append(
        {
            "key": "on_time_by_clock",
            "title": label("report_section", "on_time").in_(lang),
            "svg": bars(
                "chart-on-time",
                label("report_section", "on_time").in_(lang),
                label("report_definition", "on_time").in_(lang),
                clocks,
                [Series(term("rate").in_(lang), rates, [_shown(v, "percent") for v in rates])],
                maximum=100,
            ),
            "table": {
                "columns": [term("clock").in_(lang), term("rate").in_(lang)],
                "rows": [[n, v] for n, v in zip(clocks, rates, strict=True)],
            },
        }
    )
    levels = [label("satisfaction", level).in_(lang) for level in SATISFACTION_LEVELS]
    sources = [
        (
            label("report_table", f"satisfaction_{source}").in_(lang),
            [figures.get(f"satisfaction.{source}.{level}") for level in SATISFACTION_LEVELS],
        )
        for source in ("callback", "rating")
    ]
    charts.append(
        {
            "key": "satisfaction_levels",
            "title": label("report_section", "satisfaction").in_(lang),
            "svg": bars(
                "chart-satisfaction",
                label("report_section", "satisfaction").in_(lang),
                label("report_definition", "satisfaction").in_(lang),
                levels,
                [Series(name, vals, [_shown(v, "count") for v in vals]) for name, vals in sources],
            ),
            "table": {
                "columns": [label("field", "satisfaction").in_(lang), *(name for name, _ in sources)],
                "rows": [[level, *(vals[i] for _, vals in sources)] for i, level in enumerate(levels)],
            },
        }
    )
    months = [str(point["month"]) for point in trend]
    received = [point.get("received.total") for point in trend]
    respond = [point.get("clock.respond.rate") for point in trend]
    charts.append(
        {
            "key": "trend",
            "title": label("report_section", "trend").in_(lang),
            "svg": bars_with_line(
                "chart-trend",
                label("report_section", "trend").in_(lang),
                label("report_definition", "months").in_(lang),
                [m[2:].replace("-", "/") for m in months],
                Series(
                    term("received_per_month").in_(lang),
                    received,
                    [_shown(v, "count") if v is not None else "" for v in received],
                ),
                Series(term("respond_rate").in_(lang), respond, [_shown(v, "percent") for v in respond]),
            ),
            "table": {
                "columns": [
                    term("month").in_(lang),
                    term("received_per_month").in_(lang),
                    term("respond_rate").in_(lang),
                    term("combined_rate").in_(lang),
                ],
                "rows": [
                    [
                        m,
                        point.get("received.total"),
                        point.get("clock.respond.rate"),
                        point.get("satisfaction.combined.rate"),
                    ]
                    for m, point in zip(months, trend, strict=True)
                ],
            },
        }
    )
    return charts


def report_view(report: MonthlyReport, lang: Lang, policy: Policy) -> dict[str, Any]:
    """The report in ``lang``: its summary, sections, lists, trend and charts."""
    document = report.document
    month = Month.parse(report.month)
    assert month is not None  # the service only gives parsed months
    figures: Figures = document["figures"]
    previous: Figures | None = document["previous"]["figures"]
    year_before: Figures | None = document["year_before"]["figures"]
    sections = [
        {
            "key": section.key,
            "title": section.title.in_(lang),
            "definition": section.definition.in_(lang),
            "tables": [
                {
                    "key": table.key,
                    "title": table.title.in_(lang),
                    "rows": [_row(row, figures, previous, year_before, lang) for row in table.rows],
                }
                for table in section.tables
            ],
        }
        for section in layout()
    ]
    major = [c for c in CASE_COLUMNS if c[0] in _MAJOR_COLUMNS]
    count_label = "report_figure.count_of_cases"
    lists = [
        _list(
            "major_cases",
            label("report_section", "major_cases"),
            major,
            document["major_cases"],
            lang,
            policy,
        ),
        _list(
            "overdue_cases",
            label("report_section", "overdue_cases"),
            _OVERDUE_COLUMNS,
            document["overdue_cases"],
            lang,
            policy,
        ),
        _ranking(
            "top_categories",
            "category",
            _top(figures, "received.category", {k: c.label for k, c in categories().items()}, lang),
            lang,
        ),
        _ranking(
            "top_departments",
            "department",
            _top(figures, "received.department", {k: d.label for k, d in departments().items()}, lang),
            lang,
        ),
        _list(
            "top_locations",
            label("report_section", "top_locations"),
            (("location", "report_figure.location", "text"), ("count", count_label, "count")),
            document["top_locations"],
            lang,
            policy,
        ),
        _list(
            "cases",
            label("report_section", "cases"),
            CASE_COLUMNS,
            document["cases"],
            lang,
            policy,
            # Every complaint received in the month is a row (domain/monthly_report.py).
            count=int(figures.get("received.total") or 0),
        ),
    ]
    definitions = [
        {
            "key": key,
            "title": label("report_section", "definitions" if key == "months" else key).in_(lang),
            "text": label("report_definition", key).in_(lang),
        }
        for key in ("months", *(s.key for s in layout()))
    ]
    return {
        "month": report.month,
        "lang": lang,
        "title": _title(month, lang),
        "source": report.source,
        "source_label": term(f"source_{report.source}").in_(lang),
        "as_at": iso(report.as_at.astimezone(UTC)),
        "so_far": report.so_far,
        "compare": {
            "previous": {
                "month": document["previous"]["month"],
                "source": document["previous"]["source"],
                "label": term("previous").in_(lang),
            },
            "year_before": {
                "month": document["year_before"]["month"],
                "source": document["year_before"]["source"],
                "label": term("year_before").in_(lang),
            },
            "this_month": term("this_month").in_(lang),
        },
        "summary": {
            "title": label("report_section", "summary").in_(lang),
            "rows": [_row(row, figures, previous, year_before, lang) for row in summary_rows()],
        },
        "sections": sections,
        "lists": lists,
        "charts": _report_charts(figures, document["trend"], lang),
        "definitions": definitions,
    }


# --- The public statistics -------------------------------------------------------------------------


def _public_shown(cell: Mapping[str, Any], unit: str = "count") -> str:
    flag = cell.get("flag")
    if flag == "small":
        return "<5"
    if flag == "withheld":
        return "x"
    if cell.get("value") is None:
        return "—"
    return _shown(cell["value"], unit)


def statistics_view(dataset: Mapping[str, Any], lang: Lang) -> dict[str, Any]:
    """The published statistics with their charts in ``lang`` (the data are the dataset's own)."""
    rows = dataset["months"]
    months = [str(row["month"])[2:].replace("-", "/") for row in rows]
    received = [row["received"]["value"] for row in rows]
    rate = [row["on_time_response_rate"]["value"] for row in rows]
    title = label("report_section", "statistics_title").in_(lang)
    chart = bars_with_line(
        "chart-statistics",
        title,
        label("report_definition", "months").in_(lang),
        months,
        Series(term("received_per_month").in_(lang), received, [_public_shown(r["received"]) for r in rows]),
        Series(
            term("respond_rate").in_(lang),
            rate,
            [_public_shown(r["on_time_response_rate"], "percent") for r in rows],
        ),
    )
    labels = {
        "received": term("received_per_month").in_(lang),
        "accepted_share": term("accepted_share").in_(lang),
        "on_time_response_rate": term("on_time_response_rate").in_(lang),
        "satisfaction_rate": term("combined_rate").in_(lang),
        "mean_working_days_to_respond": term("mean_working_days_to_respond").in_(lang),
    }
    return {
        **dataset,
        "lang": lang,
        "labels": labels,
        "charts": [{"key": "statistics", "title": title, "svg": chart}],
    }
