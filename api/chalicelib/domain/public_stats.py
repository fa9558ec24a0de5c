"""The statistics the public can check: for each of the twelve months ending at a closed month, the
complaints received (in all and by category), the share accepted, the on-time response rate, the
satisfaction rate and the mean working days to respond, from the frozen monthly reports.

Nothing in them points to a person: counts below 5 are shown as "<5" with complementary suppression
(suppression.py); the confidential categories have no figure of their own (they are only in the
total, and a hidden part of each row); a rate or a mean is published only over 10 cases or more,
rounded (whole per cent, one decimal of a day). No free text, no case, no personal data.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .monthly_report import SATISFIED, Figures
from .months import Month
from .suppression import Cell, suppress_row
from .vocabulary import categories

__all__ = ["MIN_CASES_FOR_A_RATE", "MONTHS_SHOWN", "public_categories", "public_dataset"]

MONTHS_SHOWN = 12
MIN_CASES_FOR_A_RATE = 10


def public_categories() -> list[str]:
    """The categories published one by one: every category but the confidential ones."""
    return [code for code, c in categories().items() if not c.confidential]


def _cell(cell: Cell) -> dict[str, Any]:
    return {"value": cell.value, "flag": cell.flag}


def _share(numerator: int, denominator: int) -> dict[str, Any]:
    if denominator < MIN_CASES_FOR_A_RATE:
        return {"value": None, "flag": "too_few"}
    return {"value": round(100 * numerator / denominator), "flag": None}


def _count(figures: Figures, key: str) -> int:
    return int(figures.get(key) or 0)


def _row(month: Month, figures: Figures) -> dict[str, Any]:
    codes = public_categories()
    confidential = [code for code, c in categories().items() if c.confidential]
    row = suppress_row(
        _count(figures, "received.total"),
        {code: _count(figures, f"received.category.{code}") for code in codes},
        sum(_count(figures, f"received.category.{code}") for code in confidential) if confidential else None,
    )
    accepted = _count(figures, "decisions.accepted")
    decided = accepted + _count(figures, "decisions.not_accepted")
    on_time = _count(figures, "clock.respond.met_on_time")
    judged = on_time + _count(figures, "clock.respond.met_late") + _count(figures, "clock.respond.overdue")
    rated = _count(figures, "satisfaction.combined.total")
    satisfied = sum(_count(figures, f"satisfaction.combined.{level}") for level in SATISFIED)
    responses = _count(figures, "handling.all.count")
    mean = figures.get("handling.all.mean")
    return {
        "month": str(month),
        "received": _cell(row.total),
        "received_by_category": {code: _cell(cell) for code, cell in row.cells.items()},
        "accepted_share": _share(accepted, decided),
        "on_time_response_rate": _share(on_time, judged),
        "satisfaction_rate": _share(satisfied, rated),
        "mean_working_days_to_respond": (
            {"value": round(float(mean), 1), "flag": None}
            if mean is not None and responses >= MIN_CASES_FOR_A_RATE
            else {"value": None, "flag": "too_few"}
        ),
    }


def public_dataset(month: Month, figures: Mapping[str, Figures], published_at: datetime) -> dict[str, Any]:
    """The statistics of the twelve months ending at ``month``, from the frozen figures of each
    (a month without a snapshot, before the portal kept them, is left out)."""
    months = [month.shifted(-back) for back in range(MONTHS_SHOWN - 1, -1, -1)]
    return {
        "month": str(month),
        "published_at": published_at.isoformat(),
        "categories": [
            {"code": code, "label": categories()[code].label.as_dict()} for code in public_categories()
        ],
        "months": [_row(m, figures[str(m)]) for m in months if str(m) in figures],
    }
