"""The monthly complaint report (客户投诉情况及处理月报), computed from the facts of one month's cases
(report_facts.py) as they stand at a moment ``as_at`` (now, or when a closed month was frozen).

Months are calendar months in Beijing time. Every figure has one flat key (``received.channel.web``,
``clock.respond.met_on_time``); the same keys of the previous month and of the same month a year
before stand beside it. What each figure counts, precisely (the report shows the same definitions,
from glossary.json ``report_definition``):

- received: cases whose receipt (filed online, or received by another channel as staff recorded
  it) falls in the month; broken down by their channel, their category, department and priority
  now (``none``: not yet set), and the complainant's type;
- decisions: cases accepted, not accepted (with the reason given), withdrawn, responded to (a first
  response or a review decision) and closed in the month, by the moment of that step;
- stock: carried over = received before the month and neither closed nor withdrawn when it began;
  open at the end = received by its end and neither closed nor withdrawn then (a case not accepted
  stays open until it is closed);
- clocks (acknowledge, decide, attend, department report, respond, review, callback): a clock
  counts in the month its due date (the one in force: an extension approved by a supervisor moves
  it) falls in. Met on time: met at or before its due date; met late: met after it; overdue: not met
  and its due date has passed; pending: not met and not yet due; lapsed: the case was closed or
  withdrawn before the clock fell due, so it is no longer owed. On-time rate = met on time / (met
  on time + met late + overdue); pending and lapsed clocks are left out. Extended = clocks due in
  the month whose due date was extended;
- handling time: for cases first responded to in the month, the working days from the day of
  receipt to the day of the response (a response on the day of receipt is 0, on the next working
  day 1; weekends and public holidays do not count, make-up working days do), per priority: mean
  (one decimal), median, and 90th percentile (the smallest value that at least 90 % of the cases do
  not exceed);
- satisfaction: the latest call-back of a case counts in the month it was made, the complainant's
  own rating in the month it was given; the four levels from each source and both together;
  satisfaction rate = (very satisfied + satisfied + basically satisfied) / all rated; not
  reachable = cases responded to in the month whose complainant left no contact (anonymous, or
  neither phone nor e-mail), so that nobody could be called back;
- reviews: requested in the month; decided in the month; upheld = the review reached the decision
  of the response it reviewed; changed = any other decision, and every review of a case not
  accepted (the review decided it on its merits);
- major and urgent complaints: those received in the month or carried over into it;
- repeat complainants: among the month's complaints, people (or enterprises) who filed two or more,
  recognised by the same phone number, e-mail address or credit code (keyed hashes: counted, never
  named), and the number of complaints they filed.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, timezone

from msgspec import Struct, field

from .complaint import CHANNELS, COMPLAINANT_TYPES
from .lifecycle import Status
from .months import Month
from .report_facts import FINISHED, CaseFacts, ClockFact, open_at, status_at
from .vocabulary import categories, departments, rejection_reasons
from .working_days import WorkingDayCalendar

__all__ = [
    "CLOCK_KINDS",
    "CLOCK_OUTCOMES",
    "NONE",
    "PRIORITIES",
    "SATISFACTION_LEVELS",
    "SATISFACTION_SOURCES",
    "SATISFIED",
    "Figures",
    "ReportData",
    "Row",
    "compute_report",
    "reviews_needing_origin",
]

CLOCK_KINDS = ("acknowledge", "decide", "attend", "report", "respond", "review", "callback")
CLOCK_OUTCOMES = ("met_on_time", "met_late", "overdue", "pending", "lapsed")
PRIORITIES = ("normal", "major", "urgent")
SATISFACTION_LEVELS = ("very_satisfied", "satisfied", "basically_satisfied", "unsatisfied")
SATISFIED = frozenset({"very_satisfied", "satisfied", "basically_satisfied"})
SATISFACTION_SOURCES = ("callback", "rating", "combined")
# The code of "not set yet" (no department, no priority) in a breakdown.
NONE = "none"
_TOP_LOCATIONS = 10

Figures = dict[str, int | float | None]
Row = dict[str, str | int | float | bool | None]


class ReportData(Struct, frozen=True):
    """One month's report, in codes and numbers (labels are the presentation's)."""

    month: str
    as_at: datetime
    figures: Figures
    major_cases: list[Row] = field(default_factory=list)
    overdue_cases: list[Row] = field(default_factory=list)
    # The month's complaints, one row each; ``None`` when the report was computed without them.
    cases: list[Row] | None = field(default_factory=list)
    top_locations: list[Row] = field(default_factory=list)


def _local_iso(moment: datetime | None, zone: timezone) -> str | None:
    """A moment of a list as the report shows it: in the portal's time zone, to the second."""
    return moment.astimezone(zone).isoformat(timespec="seconds") if moment else None


class _Timeline(Struct, frozen=True):
    """What a case's milestones say about the report's window, read once per case."""

    first: dict[Status, datetime]
    last: dict[Status, datetime]
    # The statuses the case reached within the window.
    reached: frozenset[Status]
    open_at_start: bool
    open_at_end: bool
    # The status at the moment of the report.
    status: Status

    @classmethod
    def of(cls, facts: CaseFacts, window: _Window, as_at: datetime) -> _Timeline:
        first: dict[Status, datetime] = {}
        last: dict[Status, datetime] = {}
        reached = set()
        before_start = before_end = None  # the status just before the window began, and ended
        now = facts.core.status
        for status, at in facts.core.milestones:
            if at <= as_at:
                now = status
            first.setdefault(status, at)
            last[status] = at
            if at < window.start:
                before_start = status
            if at < window.end:
                before_end = status
                if window.start <= at:
                    reached.add(status)
        return cls(
            first,
            last,
            frozenset(reached),
            before_start is not None and before_start not in FINISHED,
            before_end is not None and before_end not in FINISHED,
            now,
        )


def _in(month: Month, zone: timezone, as_at: datetime) -> _Window:
    # In UTC, as the facts' moments are stored (storage/report_mapping.py): aware moments of one
    # time zone compare some thirty times as fast as moments of two.
    return _Window(month.start(zone).astimezone(UTC), min(month.end(zone), as_at).astimezone(UTC))


class _Window(Struct, frozen=True):
    start: datetime
    end: datetime  # exclusive: the month's end, or the moment of the report when sooner

    def holds(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.end


def reviews_needing_origin(month: Month, facts: Iterable[CaseFacts], zone: timezone) -> list[tuple[str, str]]:
    """The cases whose review was decided in ``month`` without this month's copy knowing the decision
    reviewed: (the month they were received in, tracking number). That month's copy knows it (every
    change of a case writes the copy of its month of receipt)."""
    needed = []
    for f in facts:
        received = Month.of(f.core.received_at, zone)
        decided = month.contains(f.marks.review_decided_at, zone)
        if decided and f.marks.respond_decision is None and received != month:
            needed.append((str(received), f.tracking_no))
    return needed


class _WorkingDays:
    """Working days between dates, from a running count over the dates the report spans."""

    def __init__(self, calendar: WorkingDayCalendar, first: date, last: date) -> None:
        self._first = first
        self._running: list[int] = []
        count, day = 0, first
        while day <= last:
            count += calendar.is_working_day(day)[0]
            self._running.append(count)
            day += timedelta(days=1)

    def between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``."""
        if end <= start:
            return 0
        return self._running[(end - self._first).days] - self._running[(start - self._first).days]


def _percentile_90(values: Sequence[int]) -> int:
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def _rate(numerator: int, denominator: int) -> float | None:
    return round(100 * numerator / denominator, 1) if denominator else None


def _clock_outcome(clock: ClockFact, facts: CaseFacts, as_at: datetime) -> str:
    if clock.met_at is not None and clock.met_at <= as_at:
        return "met_on_time" if clock.met_at <= clock.due_at else "met_late"
    finished = _finished_at(facts, as_at)
    if finished is not None and finished <= clock.due_at:
        return "lapsed"
    return "overdue" if clock.due_at < as_at else "pending"


def _finished_at(facts: CaseFacts, as_at: datetime) -> datetime | None:
    """When the case was closed or withdrawn, if it was so at ``as_at``."""
    status = status_at(facts, as_at)
    if status not in FINISHED:
        return None
    return max(at for s, at in facts.core.milestones if s is status and at < as_at)


def _repeat_groups(keyed: list[tuple[str, ...]]) -> list[int]:
    """Sizes of the groups of complaints that share a phone, e-mail or credit code, directly or
    through another complaint of the group (a union-find over the keys)."""
    parent = list(range(len(keyed)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, keys in enumerate(keyed):
        for key in keys:
            if key in owner:
                parent[root(i)] = root(owner[key])
            else:
                owner[key] = i
    sizes = Counter(root(i) for i, keys in enumerate(keyed) if keys)
    return [size for size in sizes.values() if size > 1]


def compute_report(
    month: Month,
    facts: Iterable[CaseFacts],
    *,
    as_at: datetime,
    zone: timezone,
    calendar: WorkingDayCalendar,
    origins: Mapping[str, str | None] | None = None,
    case_rows: bool = True,
) -> ReportData:
    """The report of ``month`` from the facts of the cases it concerns, as they stand at ``as_at``.
    ``origins`` gives, for the cases ``reviews_needing_origin`` names, the decision their review
    reviewed. Without ``case_rows`` the month's list of complaints is left out: a month may hold
    ten thousand, and making their rows took a third of the report's time."""
    window = _in(month, zone, as_at)
    every = [f for f in facts if f.core.received_at < window.end]
    lines = {f.tracking_no: _Timeline.of(f, window, as_at) for f in every}
    received = sorted(
        (f for f in every if window.holds(f.core.received_at)),
        key=lambda f: (f.core.received_at, f.tracking_no),
    )
    figures: Figures = {}
    _received(figures, received)
    _decisions(figures, every, lines)
    figures["stock.carried_over"] = sum(line.open_at_start for line in lines.values())
    figures["stock.open_at_end"] = sum(line.open_at_end for line in lines.values())
    overdue_rows = _clocks(figures, every, month, zone, as_at)
    _handling(figures, every, lines, window, calendar, zone)
    _satisfaction(figures, every, lines, window)
    _reviews(figures, every, lines, window, origins or {})
    groups = _repeat_groups([f.core.identity_keys for f in received])
    figures["recurring.repeat_complainants"] = len(groups)
    figures["recurring.repeat_complaints"] = sum(groups)

    majors = [
        f
        for f in every
        if f.core.priority in ("major", "urgent")
        and (window.holds(f.core.received_at) or open_at(f, window.start))
    ]
    figures["major.major"] = sum(f.core.priority == "major" for f in majors)
    figures["major.urgent"] = sum(f.core.priority == "urgent" for f in majors)
    return ReportData(
        month=str(month),
        as_at=as_at,
        figures=figures,
        major_cases=[
            _case_row(f, lines[f.tracking_no], as_at, zone)
            for f in sorted(majors, key=lambda f: (f.core.received_at, f.tracking_no))
        ],
        overdue_cases=overdue_rows,
        cases=[_case_row(f, lines[f.tracking_no], as_at, zone) for f in received] if case_rows else None,
        top_locations=_top_locations(received),
    )


def _count_into(figures: Figures, prefix: str, codes: Iterable[str], values: Iterable[str]) -> None:
    counted = Counter(values)
    for code in codes:
        figures[f"{prefix}.{code}"] = counted.get(code, 0)


def _received(figures: Figures, received: list[CaseFacts]) -> None:
    figures["received.total"] = len(received)
    _count_into(figures, "received.channel", CHANNELS, (f.core.channel for f in received))
    _count_into(figures, "received.category", categories(), (f.core.category for f in received))
    _count_into(
        figures,
        "received.department",
        (*departments(), NONE),
        (f.core.department or NONE for f in received),
    )
    _count_into(
        figures, "received.complainant_type", COMPLAINANT_TYPES, (f.core.complainant_type for f in received)
    )
    _count_into(
        figures, "received.priority", (*PRIORITIES, NONE), (f.core.priority or NONE for f in received)
    )
    figures["received.anonymous"] = sum(f.core.anonymous for f in received)
    figures["received.confidential"] = sum(f.core.confidential for f in received)


def _decisions(figures: Figures, every: list[CaseFacts], lines: Mapping[str, _Timeline]) -> None:
    def count(status: Status) -> int:
        return sum(status in line.reached for line in lines.values())

    rejected = [f for f in every if Status.REJECTED in lines[f.tracking_no].reached]
    figures["decisions.accepted"] = count(Status.ACCEPTED)
    figures["decisions.not_accepted"] = len(rejected)
    _count_into(
        figures,
        "decisions.not_accepted.reason",
        rejection_reasons(),
        (f.marks.reject_reason or "other" for f in rejected),
    )
    figures["decisions.withdrawn"] = count(Status.WITHDRAWN)
    figures["decisions.responded"] = count(Status.RESPONDED)
    figures["decisions.closed"] = count(Status.CLOSED)


def _clocks(
    figures: Figures, every: list[CaseFacts], month: Month, zone: timezone, as_at: datetime
) -> list[Row]:
    """Clocks count in the month they are due in, the whole calendar month even when the report is
    of the month so far (those still to come are pending)."""
    counts: dict[str, Counter[str]] = {kind: Counter() for kind in CLOCK_KINDS}
    overdue: list[Row] = []
    start, end = month.start(zone).astimezone(UTC), month.end(zone).astimezone(UTC)
    for f in every:
        for clock in f.core.clocks:
            if clock.kind not in counts or not start <= clock.due_at < end:
                continue
            outcome = _clock_outcome(clock, f, as_at)
            counts[clock.kind][outcome] += 1
            counts[clock.kind]["due"] += 1
            if clock.kind in f.marks.extended:
                counts[clock.kind]["extended"] += 1
            if outcome == "overdue":
                overdue.append(
                    {
                        "tracking_no": f.tracking_no,
                        "clock": clock.kind,
                        "due_at": _local_iso(clock.due_at, zone),
                        "category": f.core.category,
                        "department": f.core.department,
                        "priority": f.core.priority,
                        "status": f.core.status.value,
                    }
                )
    for kind, counted in counts.items():
        figures[f"clock.{kind}.due"] = counted["due"]
        for outcome in CLOCK_OUTCOMES:
            figures[f"clock.{kind}.{outcome}"] = counted[outcome]
        figures[f"clock.{kind}.extended"] = counted["extended"]
        judged = counted["met_on_time"] + counted["met_late"] + counted["overdue"]
        figures[f"clock.{kind}.rate"] = _rate(counted["met_on_time"], judged)
    overdue.sort(key=lambda row: (str(row["due_at"]), str(row["tracking_no"]), str(row["clock"])))
    return overdue


def _handling(
    figures: Figures,
    every: list[CaseFacts],
    lines: Mapping[str, _Timeline],
    window: _Window,
    calendar: WorkingDayCalendar,
    zone: timezone,
) -> None:
    responded = [(f, lines[f.tracking_no].first.get(Status.RESPONDED)) for f in every]
    firsts = [(f, at) for f, at in responded if at is not None and window.holds(at)]
    days: dict[str, list[int]] = defaultdict(list)
    if firsts:
        first_day = min(f.core.received_at.astimezone(zone).date() for f, _ in firsts)
        last_day = max(at.astimezone(zone).date() for _, at in firsts)
        counter = _WorkingDays(calendar, first_day, last_day)
        for f, at in firsts:
            taken = counter.between(f.core.received_at.astimezone(zone).date(), at.astimezone(zone).date())
            days[f.core.priority or NONE].append(taken)
            days["all"].append(taken)
    for priority in (*PRIORITIES, "all"):
        values = days.get(priority, [])
        figures[f"handling.{priority}.count"] = len(values)
        figures[f"handling.{priority}.mean"] = round(statistics.fmean(values), 1) if values else None
        figures[f"handling.{priority}.median"] = statistics.median(values) if values else None
        figures[f"handling.{priority}.p90"] = _percentile_90(values) if values else None


def _satisfaction(
    figures: Figures, every: list[CaseFacts], lines: Mapping[str, _Timeline], window: _Window
) -> None:
    levels: dict[str, Counter[str]] = {source: Counter() for source in SATISFACTION_SOURCES}
    for f in every:
        if f.core.callback_satisfaction and window.holds(f.marks.callback_at):
            levels["callback"][f.core.callback_satisfaction] += 1
            levels["combined"][f.core.callback_satisfaction] += 1
        if f.core.complainant_rating and window.holds(f.marks.rating_at):
            levels["rating"][f.core.complainant_rating] += 1
            levels["combined"][f.core.complainant_rating] += 1
    for source, counted in levels.items():
        total = sum(counted.get(level, 0) for level in SATISFACTION_LEVELS)
        for level in SATISFACTION_LEVELS:
            figures[f"satisfaction.{source}.{level}"] = counted.get(level, 0)
        figures[f"satisfaction.{source}.total"] = total
        figures[f"satisfaction.{source}.rate"] = _rate(sum(counted.get(s, 0) for s in SATISFIED), total)
    figures["satisfaction.not_reachable"] = sum(
        Status.RESPONDED in lines[f.tracking_no].reached and not f.core.reachable for f in every
    )


def _reviews(
    figures: Figures,
    every: list[CaseFacts],
    lines: Mapping[str, _Timeline],
    window: _Window,
    origins: Mapping[str, str | None],
) -> None:
    figures["reviews.requested"] = sum(Status.UNDER_REVIEW in line.reached for line in lines.values())
    decided = [f for f in every if window.holds(f.marks.review_decided_at)]
    upheld = 0
    for f in decided:
        reviewed = f.marks.respond_decision or origins.get(f.tracking_no)
        upheld += reviewed is not None and reviewed == f.marks.review_decision
    figures["reviews.decided"] = len(decided)
    figures["reviews.upheld"] = upheld
    figures["reviews.changed"] = len(decided) - upheld


def _case_row(f: CaseFacts, line: _Timeline, as_at: datetime, zone: timezone) -> Row:
    """A case as the report lists it: no complainant, nothing they wrote. (A month lists ten
    thousand: its parts are looked up once each.)"""
    core, first = f.core, line.first
    respond = None
    for clock in core.clocks:
        if clock.kind == "respond":
            respond = clock.due_at
            break
    return {
        "tracking_no": core.tracking_no,
        "received_at": _local_iso(core.received_at, zone),
        "channel": core.channel,
        "category": core.category,
        "department": core.department,
        "priority": core.priority,
        "complainant_type": core.complainant_type,
        "anonymous": core.anonymous,
        "confidential": core.confidential,
        "status": line.status.value,
        "accepted_at": _local_iso(first.get(Status.ACCEPTED), zone),
        "rejected_at": _local_iso(first.get(Status.REJECTED), zone),
        "reject_reason": f.marks.reject_reason,
        "responded_at": _local_iso(first.get(Status.RESPONDED), zone),
        "respond_due_at": _local_iso(respond, zone),
        "closed_at": _local_iso(line.last.get(Status.CLOSED), zone),
        "withdrawn_at": _local_iso(first.get(Status.WITHDRAWN), zone),
        "callback_satisfaction": core.callback_satisfaction,
        "complainant_rating": core.complainant_rating,
    }


def _top_locations(received: list[CaseFacts]) -> list[Row]:
    """Places named by two or more of the month's complaints, the most named first."""
    counted = Counter(f.core.location for f in received if f.core.location and not f.core.confidential)
    repeated = sorted(
        ((n, place) for place, n in counted.items() if n > 1), key=lambda item: (-item[0], item[1])
    )
    return [{"location": place, "count": n} for n, place in repeated[:_TOP_LOCATIONS]]
