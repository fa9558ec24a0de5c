"""What the scheduled jobs do, against the repositories: chase the open clocks, close finished
cases, remind complainants to rate, send the supervisors' digest. The rules are the domain's
(domain/chasing.py); this reads the queue indexes page by page (never a Scan), bounded per run. A
pass longer than one run leaves its cursor (``JobCursors``) and the next run goes on from there; a
pass that ends forgets it, and the next starts over.

Every job is idempotent: messages have identities (domain/notifications.py ``notice_id``) and the
outbox writes each once, a case is closed only from a status it may close from and only if its
version has not moved meanwhile; a second run at the same moment, or two at once, change nothing
more.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from msgspec import Struct, field
from msgspec.structs import replace

from ..domain.actions import Close, apply_system_action
from ..domain.case import CaseSummary
from ..domain.chasing import chase_notices, closes_by_itself, digest_notice, rate_reminder
from ..domain.deadlines import Policy
from ..domain.errors import DomainError, InvalidInputError, VersionConflictError
from ..domain.lifecycle import Status
from ..domain.notifications import notices_for
from .repository import CaseQuery, CaseRepository, JobCursors, OutboxStore

__all__ = ["WorkCounts", "auto_close", "chase_deadlines", "daily_digest", "remind_to_rate"]

_PAGE = 100
# Pages one run reads at most; what is left is for the next run (``more``).
_MAX_PAGES = 50
# The digest is one message about every open case: it reads them all (summaries only, no case).
_DIGEST_PAGES = 1000
# Longer than the longest time between two runs of a job (the daily ones): an unfinished pass is
# taken up by the next run, and one left long ago (jobs stopped) is started over.
_CURSOR_KEPT = timedelta(days=2)


class WorkCounts(Struct):
    counts: dict[str, int] = field(default_factory=dict)
    more: bool = False

    def add(self, name: str, amount: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + amount


class _Pass(Struct):
    """One run's part of a pass through a queue: from where the last run left it, at most
    ``_MAX_PAGES`` pages; ``leave()`` records where it stopped, ``finish()`` that the pass ended."""

    repository: CaseRepository
    cursors: JobCursors
    name: str
    query: CaseQuery
    now: datetime
    counts: WorkCounts
    _cursor: str | None = None

    def __iter__(self) -> Iterator[CaseSummary]:
        cursor = self.cursors.get(self.name, now=self.now)
        if cursor is not None:
            self.counts.add("resumed")
        pages = 0
        while pages < _MAX_PAGES:
            try:
                page = self.repository.list_cases(replace(self.query, cursor=cursor, limit=_PAGE))
            except InvalidInputError:
                if cursor is None:
                    raise
                # A cursor of an older form of the queue (a release changed it): start over.
                cursor = None
                continue
            pages += 1
            yield from page.cases
            cursor = page.cursor
            if cursor is None:
                self.finish()
                return
        self.counts.more = True
        self.cursors.put(self.name, cursor, keep_until=self.now + _CURSOR_KEPT)

    def finish(self) -> None:
        self.cursors.put(self.name, None, keep_until=self.now)


def _all(repository: CaseRepository, query: CaseQuery, counts: WorkCounts) -> Iterator[CaseSummary]:
    """Every case of ``query``, up to ``_DIGEST_PAGES`` pages. Beyond them the digest is short of
    cases, and says so in its counts: not ``more``, since running it again would read the same."""
    cursor: str | None = None
    for _ in range(_DIGEST_PAGES):
        page = repository.list_cases(replace(query, cursor=cursor, limit=_PAGE))
        yield from page.cases
        cursor = page.cursor
        if cursor is None:
            return
    counts.add("cases_left_out")


def chase_deadlines(
    repository: CaseRepository,
    outbox: OutboxStore,
    cursors: JobCursors,
    *,
    now: datetime,
    policy: Policy,
) -> WorkCounts:
    """Reminders before clocks run out and escalations after, for every open case whose earliest
    clock falls before the longest reminder lead (the open queue is earliest due first)."""
    counts = WorkCounts()
    horizon = now + max(policy.chasing.remind_before.values())
    run = _Pass(repository, cursors, "chase_deadlines", CaseQuery(now=now), now, counts)
    for summary in run:
        if summary.next_due_at is None or summary.next_due_at > horizon:
            run.finish()  # the rest of the queue is due later still
            break
        case = repository.get(summary.tracking_no)
        if case is None:
            continue
        written = outbox.add(chase_notices(case, now, policy), now=now)
        counts.add("cases")
        for notice in written:
            counts.add(notice.template)
    return counts


def auto_close(
    repository: CaseRepository, cursors: JobCursors, *, now: datetime, policy: Policy
) -> WorkCounts:
    """Close responded and rejected cases whose window to ask for a review has passed, each with a
    public event and the closing message."""
    counts = WorkCounts()
    for status in (Status.RESPONDED, Status.REJECTED):
        query = CaseQuery(now=now, status=status)
        for summary in _Pass(repository, cursors, f"auto_close:{status.value}", query, now, counts):
            case = repository.get(summary.tracking_no)
            if case is None or not closes_by_itself(case, now, policy):
                continue
            try:
                changed, event = apply_system_action(case, Close(), now=now, policy=policy)
                repository.save(changed, event, notices=notices_for(changed, event, policy=policy))
            except (VersionConflictError, DomainError):
                counts.add("left_for_next_run")  # someone acted meanwhile
                continue
            counts.add("closed")
    return counts


def remind_to_rate(
    repository: CaseRepository,
    outbox: OutboxStore,
    cursors: JobCursors,
    *,
    now: datetime,
    policy: Policy,
) -> WorkCounts:
    counts = WorkCounts()
    query = CaseQuery(now=now, status=Status.RESPONDED)
    for summary in _Pass(repository, cursors, "remind_to_rate", query, now, counts):
        case = repository.get(summary.tracking_no)
        reminder = rate_reminder(case, now, policy) if case is not None else None
        if reminder is not None and outbox.add([reminder], now=now):
            counts.add("reminded")
    return counts


def daily_digest(
    repository: CaseRepository, outbox: OutboxStore, *, now: datetime, policy: Policy
) -> WorkCounts:
    counts = WorkCounts()
    open_cases = list(_all(repository, CaseQuery(now=now), counts))
    notice = digest_notice(open_cases, failed_messages=len(outbox.failed(1000)), now=now, policy=policy)
    if notice is None:
        counts.add("not_a_working_day")
        return counts
    # Counted on every working day's run, sent or not: the overdue cases alarm reads it.
    counts.add("overdue", int(notice.params["overdue"]))
    if outbox.add([notice], now=now):
        counts.add("sent")
    return counts
