"""The report facts a change of a case writes in its own transaction: one update per month the case
concerns (domain/report_facts.py), so that the facts never disagree with the case."""

from __future__ import annotations

from datetime import timezone

from pynamodb.transactions import TransactWrite

from ..domain.case import Case, Event
from ..domain.report_facts import core_of, fact_months, marks_of
from ..services.identity_keys import IdentityKeys
from .report_mapping import ReportRecord, core_text, facts_key, marks_actions

__all__ = ["add_fact_updates"]


def add_fact_updates(
    transaction: TransactWrite, case: Case, event: Event, keys: IdentityKeys, zone: timezone
) -> None:
    """Add to ``transaction`` the facts of ``case`` after ``event``, in every month they concern:
    the case's own facts replace the earlier ones, the event's marks are added to them."""
    actions = [
        ReportRecord.core.set(core_text(core_of(case, keys.present()))),
        *marks_actions(marks_of(event)),
    ]
    for month in sorted(fact_months(case, event, zone)):
        transaction.update(
            ReportRecord(month=str(month), item=facts_key(case.tracking_no)), actions=list(actions)
        )
