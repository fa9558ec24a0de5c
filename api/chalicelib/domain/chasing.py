"""Chasing the time limits (跟踪逾期): who is reminded before a clock runs out, who is told after,
when a finished case closes by itself, and the supervisors' morning digest.

- A reminder goes to whoever must act (``CLOCK_OWNERS``) the policy's ``remind_before`` hours
  before a clock runs out.
- Once it has run out: the first escalation, to the owner and the supervisors; if it is still open
  ``escalate_again_after`` later, the second. Each once: a message's identity is the case, the
  clock, when it was due (an extension makes a new clock) and the level.
- A responded or rejected case whose review window has passed closes by itself.
- A complainant who has not rated the response is reminded once, ``remind_to_rate_after`` it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from msgspec import Struct

from .case import Case, CaseSummary, Deadline
from .deadlines import Policy
from .lifecycle import Status
from .notifications import Notice, RecipientRole, complainant_contact, notice_id, office_address, staff_notice
from .vocabulary import departments
from .working_days import default_calendar

__all__ = [
    "CLOCK_OWNERS",
    "DigestRow",
    "chase_notices",
    "closes_by_itself",
    "digest_notice",
    "escalation_level",
    "rate_reminder",
    "second_escalation_cutoff",
]

# Who must act before each clock runs out.
CLOCK_OWNERS: dict[str, RecipientRole] = {
    "acknowledge": "officers",
    "decide": "officers",
    "callback": "officers",
    "attend": "department",
    "report": "department",
    "respond": "department",
    "review": "supervisors",
}


def second_escalation_cutoff(now: datetime, policy: Policy) -> datetime:
    """The latest moment a clock can have been due and be escalated a second time by ``now``: the
    end of the last day ``escalate_again_after`` from which has passed (a queue filter)."""
    day = policy.local_date(now)
    for _ in range(366):
        if policy.after(policy.chasing.escalate_again_after, policy.end_of_day(day)).at < now:
            return policy.end_of_day(day)
        day -= timedelta(days=1)
    return policy.end_of_day(day)


def escalation_level(due_at: datetime, now: datetime, policy: Policy) -> int:
    """0 before a clock runs out, 1 once it has, 2 once it is ``escalate_again_after`` overdue."""
    if now <= due_at:
        return 0
    return 2 if now > policy.after(policy.chasing.escalate_again_after, due_at).at else 1


def _address(case: Case, role: RecipientRole) -> tuple[RecipientRole, str]:
    if role == "department":
        if case.department in departments():
            return "department", departments()[case.department].mailbox
        return "officers", office_address("officers")  # not routed yet: the office acts
    return role, office_address(role)


def _chase(
    case: Case, deadline: Deadline, template: str, level: int, roles: Iterable[RecipientRole], now: datetime
) -> list[Notice]:
    params = {"clock": deadline.kind, "due_at": deadline.due_at.isoformat(), "level": str(level)}
    if case.department:
        params["department"] = case.department
    notices: dict[str, Notice] = {}
    for wanted in roles:
        role, address = _address(case, wanted)
        notice = staff_notice(
            case.tracking_no,
            template,
            role,
            address,
            at=now,
            params=params,
            key=(deadline.kind, deadline.due_at.isoformat(), level),
        )
        notices[notice.id] = notice
    return list(notices.values())


def chase_notices(case: Case, now: datetime, policy: Policy) -> list[Notice]:
    """The reminders and escalations due for ``case`` at ``now`` (each already sent is simply
    written again: the outbox keeps one per identity)."""
    notices: list[Notice] = []
    for deadline in case.open_deadlines:
        owner = CLOCK_OWNERS.get(deadline.kind)
        if owner is None:
            continue
        level = escalation_level(deadline.due_at, now, policy)
        if level == 0:
            lead = policy.chasing.remind_before.get(deadline.kind)
            if lead is not None and now >= deadline.due_at - lead:
                notices += _chase(case, deadline, "reminder", 0, (owner,), now)
        else:
            for reached in range(1, level + 1):
                notices += _chase(case, deadline, "escalation", reached, (owner, "supervisors"), now)
    return notices


def closes_by_itself(case: Case, now: datetime, policy: Policy) -> bool:
    """Whether a responded or rejected case's window to ask for a review has passed."""
    decided = case.last_decision_at()
    if case.status not in (Status.RESPONDED, Status.REJECTED) or decided is None:
        return False
    return now > policy.due("review_request", decided).at


def rate_reminder(case: Case, now: datetime, policy: Policy) -> Notice | None:
    """The one reminder to rate the outcome, once it is due and while rating is still possible."""
    decided = case.last_decision_at()
    contact = complainant_contact(case)
    if case.status is not Status.RESPONDED or decided is None or contact is None:
        return None
    if case.complainant_rating is not None:
        return None
    rate_until = policy.due("feedback", decided).at
    if not policy.after(policy.chasing.remind_to_rate_after, decided).at <= now < rate_until:
        return None
    channel, address = contact
    return Notice(
        id=notice_id(case.tracking_no, "rate_reminder", decided.isoformat(), "complainant"),
        tracking_no=case.tracking_no,
        template="rate_reminder",
        role="complainant",
        channel=channel,
        address=address,
        lang=case.complainant.preferred_language,
        created_at=now,
        params={"rate_until": rate_until.isoformat()},
    )


class DigestRow(Struct):
    department: str | None
    overdue: int = 0
    due_today: int = 0
    due_tomorrow: int = 0


def _working_day(day: date) -> bool:
    return default_calendar().is_working_day(day)[0]


def digest_notice(
    open_cases: Iterable[CaseSummary], *, failed_messages: int, now: datetime, policy: Policy
) -> Notice | None:
    """The supervisors' digest for ``now``'s day: on working days only (make-up days included)."""
    today = policy.local_date(now)
    if not _working_day(today):
        return None
    end_of_today = policy.end_of_day(today)
    end_of_tomorrow = policy.end_of_day(today + timedelta(days=1))
    rows: dict[str | None, DigestRow] = {}
    for summary in open_cases:
        due = summary.next_due_at
        if due is None:
            continue
        row = rows.setdefault(summary.department, DigestRow(summary.department))
        if due < now:
            row.overdue += 1
        elif due <= end_of_today:
            row.due_today += 1
        elif due <= end_of_tomorrow:
            row.due_tomorrow += 1
    ordered = sorted(rows.values(), key=lambda r: (r.department is None, r.department or ""))
    totals = {
        "overdue": sum(r.overdue for r in ordered),
        "due_today": sum(r.due_today for r in ordered),
        "due_tomorrow": sum(r.due_tomorrow for r in ordered),
    }
    params = {
        "date": today.isoformat(),
        **{key: str(value) for key, value in totals.items()},
        "failed": str(failed_messages),
        "rows": json.dumps(
            [
                {
                    "department": r.department,
                    "overdue": r.overdue,
                    "due_today": r.due_today,
                    "due_tomorrow": r.due_tomorrow,
                }
                for r in ordered
                if r.overdue or r.due_today or r.due_tomorrow
            ]
        ),
    }
    return staff_notice(
        "digest",
        "digest",
        "supervisors",
        office_address("supervisors"),
        at=now,
        params=params,
        key=(today.isoformat(),),
    )
