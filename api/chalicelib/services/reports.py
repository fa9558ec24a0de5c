"""The monthly report and the public statistics: reading them (staff, the public) and keeping them
(the scheduled job: carrying open cases into a new month, freezing a closed month, publishing).

A report's *document* holds everything it shows, in codes and numbers: the month's figures and
lists (domain/monthly_report.py), the figures of the previous month and of the same month a year
before, and the twelve months' trend. A frozen month keeps its document as it was frozen; a live
one is computed from the month's facts when asked for.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from msgspec import Struct

from ..cycle_collector import paused
from ..domain.deadlines import Policy
from ..domain.errors import InvalidInputError, NotFoundError
from ..domain.messages import Message
from ..domain.moments import EARLIEST
from ..domain.monthly_report import Figures, ReportData, compute_report, reviews_needing_origin
from ..domain.months import Month
from ..domain.public_stats import MONTHS_SHOWN, public_dataset
from ..domain.report_facts import open_at
from ..domain.staff import OFFICE, StaffMember
from ..domain.working_days import WorkingDayCalendar, default_calendar
from .report_store import ReportStore, Snapshot

__all__ = [
    "TREND_FIGURES",
    "MonthlyReport",
    "Source",
    "carry_over",
    "freeze_month",
    "monthly_report",
    "public_statistics",
    "publish_statistics",
    "report_month",
]

Source = Literal["live", "snapshot"]
# What the trend shows of each of the twelve months.
TREND_FIGURES = ("received.total", "clock.respond.rate", "satisfaction.combined.rate")
# How far back the job looks for months still to carry open cases into.
_CARRY_LOOKBACK = 12


class MonthlyReport(Struct, frozen=True):
    month: str
    source: Source
    # When it was frozen (a snapshot), or computed (live).
    as_at: datetime
    # The month is not over yet at ``as_at``: the figures are the month so far.
    so_far: bool
    document: dict[str, Any]


def report_month(text: str | None, *, now: datetime, policy: Policy, field: str = "month") -> Month:
    """The month a request names (``YYYY-MM``), or the current month when it names none. A month
    before the portal's span is refused naming the field; one still to come has no report yet."""
    current = Month.of(now, policy.zone)
    if text is None:
        return current
    month = Month.parse(text)
    if month is None or month < Month.of(EARLIEST, policy.zone):
        raise InvalidInputError({field: Message("report_month_invalid")})
    if current < month:
        raise NotFoundError(Message("report_month_future"), {field: Message("report_month_future")})
    return month


def _live_data(
    store: ReportStore, month: Month, now: datetime, policy: Policy, *, case_rows: bool
) -> ReportData:
    with paused():
        facts = store.month_facts(str(month))
        needed = reviews_needing_origin(month, facts, policy.zone)
        origins = {no: f.marks.respond_decision for no, f in store.facts_in(needed).items()} if needed else {}
        return compute_report(
            month,
            facts,
            as_at=now,
            zone=policy.zone,
            calendar=default_calendar(),
            origins=origins,
            case_rows=case_rows,
        )


def _data_dict(data: ReportData) -> dict[str, Any]:
    # Its rows are plain dictionaries already (a deep conversion would copy each one again).
    return {
        "month": data.month,
        "as_at": data.as_at.isoformat(),
        "figures": data.figures,
        "major_cases": data.major_cases,
        "overdue_cases": data.overdue_cases,
        # ``None`` when left out (a document without the month's list of complaints).
        "cases": data.cases,
        "top_locations": data.top_locations,
    }


def _live_document(
    store: ReportStore, month: Month, now: datetime, policy: Policy, *, case_rows: bool
) -> dict[str, Any]:
    data = _live_data(store, month, now, policy, case_rows=case_rows)
    earlier = [month.shifted(-back) for back in range(MONTHS_SHOWN - 1, 0, -1)]
    frozen = store.snapshot_figures([str(m) for m in {*earlier, month.year_before}])
    compared: dict[str, tuple[Figures | None, str | None]] = {}
    for other in (month.previous, month.year_before):
        if str(other) in frozen:
            compared[str(other)] = (frozen[str(other)], "snapshot")
        else:  # not frozen (yet): computed from its facts as they stand now
            compared[str(other)] = (_live_data(store, other, now, policy, case_rows=False).figures, "live")
    trend = []
    for m in [*earlier, month]:
        figures = data.figures if m == month else compared.get(str(m), (frozen.get(str(m)), None))[0]
        trend.append({"month": str(m), **({k: figures.get(k) for k in TREND_FIGURES} if figures else {})})
    return {
        **_data_dict(data),
        "previous": {
            "month": str(month.previous),
            "source": compared[str(month.previous)][1],
            "figures": compared[str(month.previous)][0],
        },
        "year_before": {
            "month": str(month.year_before),
            "source": compared[str(month.year_before)][1],
            "figures": compared[str(month.year_before)][0],
        },
        "trend": trend,
    }


def monthly_report(
    store: ReportStore,
    staff: StaffMember,
    month_text: str | None,
    *,
    source: Source | None,
    now: datetime,
    policy: Policy,
    case_rows: bool = True,
) -> MonthlyReport:
    """The report of the month named (``YYYY-MM``; the current month when none is): its snapshot
    when it has one (or when ``source`` asks for it), else computed now from the month's facts.
    Without ``case_rows`` its document leaves out the month's list of complaints (the downloads
    carry it; the figures count it). Officers and supervisors only."""
    staff.ensure_role(OFFICE)
    month = report_month(month_text, now=now, policy=policy)
    if source != "live":
        snapshot = store.snapshot(str(month))
        if snapshot is not None:
            document = dict(snapshot.document)
            if not case_rows:
                document["cases"] = None
            return MonthlyReport(str(month), "snapshot", snapshot.frozen_at, False, document)
        if source == "snapshot":
            raise NotFoundError(Message("report_not_frozen"), {"source": Message("report_not_frozen")})
    so_far = now < month.end(policy.zone)
    document = _live_document(store, month, now, policy, case_rows=case_rows)
    return MonthlyReport(str(month), "live", now, so_far, document)


# --- The scheduled job's work --------------------------------------------------------------------


def carry_over(store: ReportStore, *, now: datetime, policy: Policy) -> int:
    """Carry the cases still open at the end of each month into the next, up to the current month,
    for every month not carried into yet (oldest first); how many copies were made."""
    current = Month.of(now, policy.zone)
    months = [current.shifted(-back) for back in range(_CARRY_LOOKBACK, -1, -1)]
    done = store.carried([str(m) for m in months])
    copied = 0
    for month in months:
        if str(month) in done:
            continue
        start = month.start(policy.zone)
        still_open = [f for f in store.month_facts(str(month.previous)) if open_at(f, start)]
        copied += store.carry(str(month), still_open)
        store.mark_carried(str(month))
    return copied


def _due_for_freezing(month: Month, now: datetime, policy: Policy, calendar: WorkingDayCalendar) -> bool:
    return policy.local_date(now) >= month.first_working_day_after(calendar)


def freeze_month(store: ReportStore, *, now: datetime, policy: Policy) -> str | None:
    """Freeze the month before ``now`` into its snapshot, from the first working day after it (the
    frozen report is the one management receives); the month frozen, or ``None`` (not yet due, or
    frozen already)."""
    month = Month.of(now, policy.zone).previous
    if not _due_for_freezing(month, now, policy, default_calendar()) or store.snapshot_figures([str(month)]):
        return None
    document = _live_document(store, month, now, policy, case_rows=True)
    frozen = store.freeze(Snapshot(str(month), now, document["figures"], document))
    return str(month) if frozen else None


def publish_statistics(store: ReportStore, *, now: datetime, policy: Policy) -> str | None:
    """Publish the statistics ending at the latest frozen month (the month before ``now``, or the
    one before it while that is not frozen yet), unless they are published already; the month
    published, or ``None``."""
    previous = Month.of(now, policy.zone).previous
    months = [previous.shifted(-back) for back in range(MONTHS_SHOWN, -1, -1)]
    figures = store.snapshot_figures([str(m) for m in months])
    month = next((m for m in (previous, previous.previous) if str(m) in figures), None)
    if month is None or store.statistics(str(month)) is not None:
        return None
    store.publish_statistics(str(month), public_dataset(month, figures, now))
    return str(month)


# --- The public ----------------------------------------------------------------------------------


def public_statistics(
    store: ReportStore, month_text: str | None, *, now: datetime, policy: Policy
) -> dict[str, Any]:
    """The published statistics ending at the month named, or the latest: one read."""
    month = report_month(month_text, now=now, policy=policy) if month_text is not None else None
    found = store.statistics(str(month) if month else "latest")
    if found is None:
        raise NotFoundError(
            Message("statistics_not_published"), {"month": Message("statistics_not_published")}
        )
    return dict(found)
