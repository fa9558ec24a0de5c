"""CSV downloads: the month's complaints of a report (its ``cases`` list, as the report shows it), and
the published statistics as open data (one row per month, the columns the data dictionary page
describes). UTF-8 with a byte-order mark, so that spreadsheet programs read the Chinese right."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

__all__ = ["CSV_MEDIA_TYPE", "cases_csv", "statistics_columns", "statistics_csv"]

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
_BOM = "\ufeff"
_RATES = (
    ("accepted_share", "accepted_share_percent"),
    ("on_time_response_rate", "on_time_response_percent"),
    ("satisfaction_rate", "satisfaction_percent"),
    ("mean_working_days_to_respond", "mean_working_days_to_respond"),
)


def _text(rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(rows)
    return _BOM + out.getvalue()


def cases_csv(view: Mapping[str, Any]) -> str:
    listed = next(item for item in view["lists"] if item["key"] == "cases")
    header = [column["label"] for column in listed["columns"]]
    return _text([header, *([("" if v is None else v) for v in row] for row in listed["rows"])])


def statistics_columns(dataset: Mapping[str, Any]) -> list[str]:
    codes = [c["code"] for c in dataset["categories"]]
    return ["month", "received_total", *(f"received_{code}" for code in codes), *(name for _, name in _RATES)]


def _value(cell: Mapping[str, Any]) -> str:
    # "<5": fewer than 5; "x": withheld so that a "<5" cannot be worked out; "-": too few cases
    # for a rate or a mean (fewer than 10).
    flag = cell.get("flag")
    if flag == "small":
        return "<5"
    if flag == "withheld":
        return "x"
    if flag == "too_few" or cell.get("value") is None:
        return "-"
    return str(cell["value"])


def statistics_csv(dataset: Mapping[str, Any]) -> str:
    codes = [c["code"] for c in dataset["categories"]]
    rows: list[list[Any]] = [statistics_columns(dataset)]
    for month in dataset["months"]:
        rows.append(
            [
                month["month"],
                _value(month["received"]),
                *(_value(month["received_by_category"][code]) for code in codes),
                *(_value(month[key]) for key, _ in _RATES),
            ]
        )
    return _text(rows)
