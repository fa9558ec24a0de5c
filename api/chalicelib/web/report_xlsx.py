"""The monthly report as an Excel workbook, in the report's language, made from its view
(report_views.py): a summary sheet laid out like the office's monthly report, one sheet per section
(its tables stacked, each figure beside the previous month's and the same month a year before), the
lists (major and urgent complaints, overdue cases, the month's complaints: no personal data) and
the definitions. Frozen header rows, column widths, number and percent formats, dates as dates.

xlsxwriter writes it (imported here, on the one route that needs it: about 90 ms of a cold start).
Why xlsxwriter: a well-kept library that only writes, about 2.5 times as fast as openpyxl's
write-only mode on this machine (STACK-NOTES: 100 000 rows in 8.4 s against 21 s), with every
format this workbook needs; the tests read it back with openpyxl.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ..cycle_collector import paused
from .downloads import XLSX_MEDIA_TYPE

__all__ = ["XLSX_MEDIA_TYPE", "accepts_workbook", "workbook"]
# Sheet names of the lists and the definitions, by language (Excel allows 31 characters).
_SHEETS = {
    "zh": {"summary": "月报摘要", "definitions": "指标口径"},
    "en": {"summary": "Summary", "definitions": "Definitions"},
}
_ITEM = {"zh": "项目", "en": "Item"}


def accepts_workbook(accept: str | None) -> bool:
    """Whether a request's Accept header takes the workbook, as API Gateway and Chalice judge it."""
    parts = {part.strip().lower() for part in (accept or "").replace(";", ",").split(",")}
    return "*/*" in parts or XLSX_MEDIA_TYPE in parts


def _sheet_name(title: str, taken: set[str]) -> str:
    cleaned = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31]
    name, n = cleaned, 2
    while name in taken:
        name = f"{cleaned[:28]} {n}"
        n += 1
    taken.add(name)
    return name


def _number(value: Any, unit: str) -> Any:
    """A figure as its cell holds it: a rate as a fraction (shown with a percent format)."""
    if value is None:
        return None
    return value / 100 if unit == "percent" else value


# Excel's day 0 for every day after February 1900 (its serial numbers count a 29 February 1900).
_EXCEL_EPOCH = datetime(1899, 12, 30)
_SECONDS_A_DAY = 86_400


def _excel_moment(text: str) -> float:
    """A moment of a list (the report's time zone, to the second, with its offset) as the number
    Excel keeps a date and time as, in that time zone: what xlsxwriter's write_datetime writes,
    without making a second datetime for each of a month's thousands of moments."""
    delta = datetime.fromisoformat(text[:19]) - _EXCEL_EPOCH
    return delta.days + delta.seconds / _SECONDS_A_DAY


def workbook(view: Mapping[str, Any]) -> bytes:
    with paused():  # a month's workbook has a hundred thousand cells and more (cycle_collector.py)
        return _workbook(view)


def _workbook(view: Mapping[str, Any]) -> bytes:
    import xlsxwriter  # only this route writes workbooks

    lang = view["lang"]
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True, "remove_timezone": True})
    title = book.add_format({"bold": True, "font_size": 14})
    heading = book.add_format({"bold": True, "bg_color": "#E8EAF6", "border": 1, "text_wrap": True})
    table_title = book.add_format({"bold": True, "font_size": 12})
    formats = {
        "count": book.add_format({"num_format": "0", "border": 1}),
        "days": book.add_format({"num_format": "0.0", "border": 1}),
        "percent": book.add_format({"num_format": "0.0%", "border": 1}),
        "text": book.add_format({"border": 1}),
    }
    listed_formats = {
        "count": book.add_format({"num_format": "0"}),
        "days": book.add_format({"num_format": "0.0"}),
        "percent": book.add_format({"num_format": "0.0%"}),
        "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
    }
    wrapped = book.add_format({"text_wrap": True, "valign": "top"})
    taken: set[str] = set()
    compare = view["compare"]
    columns = [
        _ITEM[lang],
        compare["this_month"],
        compare["previous"]["label"],
        compare["year_before"]["label"],
    ]

    def figure_rows(sheet: Any, first: int, rows: Sequence[Mapping[str, Any]]) -> int:
        sheet.write_row(first, 0, columns, heading)
        for n, row in enumerate(rows, start=first + 1):
            sheet.write_string(n, 0, row["label"], formats["text"])
            for column, key in enumerate(("value", "previous", "year_before"), start=1):
                value = _number(row[key], row["unit"])
                if value is None:
                    sheet.write_blank(n, column, None, formats[row["unit"]])
                else:
                    sheet.write_number(n, column, value, formats[row["unit"]])
        return first + 1 + len(rows)

    # The summary: the report's title and period, then its key figures.
    summary = book.add_worksheet(_sheet_name(_SHEETS[lang]["summary"], taken))
    summary.write_string(0, 0, view["title"], title)
    summary.write_string(1, 0, f"{view['source_label']} · {view['as_at']}")
    summary.freeze_panes(3, 1)
    figure_rows(summary, 2, view["summary"]["rows"])
    summary.set_column(0, 0, 44)
    summary.set_column(1, 3, 14)

    for section in view["sections"]:
        sheet = book.add_worksheet(_sheet_name(section["title"], taken))
        sheet.write_string(0, 0, section["title"], title)
        sheet.freeze_panes(1, 1)
        row = 2
        for table in section["tables"]:
            sheet.write_string(row, 0, table["title"], table_title)
            row = figure_rows(sheet, row + 1, table["rows"]) + 1
        sheet.set_column(0, 0, 44)
        sheet.set_column(1, 3, 14)

    for listed in view["lists"]:
        sheet = book.add_worksheet(_sheet_name(listed["title"], taken))
        kinds = [column["type"] for column in listed["columns"]]
        sheet.write_row(0, 0, [column["label"] for column in listed["columns"]], heading)
        sheet.freeze_panes(1, 1)
        # A list may hold ten thousand rows: its cells have no borders (the sheet's grid shows) and
        # an empty one is not written at all, which took a quarter of the workbook's time.
        for n, cells in enumerate(listed["rows"], start=1):
            for column, (kind, value) in enumerate(zip(kinds, cells, strict=True)):
                if value is None:
                    continue
                if kind == "datetime":
                    sheet.write_number(n, column, _excel_moment(value), listed_formats[kind])
                elif kind in ("count", "days", "percent"):
                    sheet.write_number(n, column, _number(value, kind), listed_formats[kind])
                else:
                    sheet.write_string(n, column, str(value))
        for column, kind in enumerate(kinds):
            sheet.set_column(column, column, 17 if kind == "datetime" else 10 if kind == "count" else 22)
        sheet.set_column(0, 0, 17)
        if listed["rows"]:
            sheet.autofilter(0, 0, len(listed["rows"]), len(kinds) - 1)

    definitions = book.add_worksheet(_sheet_name(_SHEETS[lang]["definitions"], taken))
    definitions.write_row(0, 0, [_ITEM[lang], _SHEETS[lang]["definitions"]], heading)
    definitions.freeze_panes(1, 0)
    for n, item in enumerate(view["definitions"], start=1):
        definitions.write_string(n, 0, item["title"], wrapped)
        definitions.write_string(n, 1, item["text"], wrapped)
    definitions.set_column(0, 0, 22)
    definitions.set_column(1, 1, 110)
    book.close()
    return output.getvalue()
