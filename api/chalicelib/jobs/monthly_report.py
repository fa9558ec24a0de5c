"""The monthly report's daily job: carry the cases still open at a month's end into the next month,
freeze a closed month into its snapshot on the first working day after it, and publish the
statistics of the latest frozen month. Each step finds nothing to do when it is done (a second run,
or two at once, change nothing): the carried copies and the snapshot are written only if absent.

It runs every day (EventBridge knows weekdays, not China's holidays and make-up working days) and
asks the working-day calendar whether the first working day after the month has come.
"""

from __future__ import annotations

from datetime import datetime

from .registry import JobReport

__all__ = ["run"]


def run(now: datetime) -> JobReport:
    # Imported here: the app imports every job's module at its cold start.
    from ..domain.deadlines import default_policy
    from ..services.reports import carry_over, freeze_month, publish_statistics
    from ..settings import get_settings
    from ..storage import report_store_for

    store, policy = report_store_for(get_settings()), default_policy()
    carried = carry_over(store, now=now, policy=policy)
    frozen = freeze_month(store, now=now, policy=policy)
    published = publish_statistics(store, now=now, policy=policy)
    return JobReport(
        {"carried": carried, "frozen": int(frozen is not None), "published": int(published is not None)}
    )
