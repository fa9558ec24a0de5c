"""When a scheduled job runs, written once: EventBridge's expression (``@app.schedule`` on AWS) and
the local scheduler's next firing (``./scripts/serve``; ``chalice local`` fires none) both come from
the same ``Schedule``.

Two kinds cover the portal's jobs: every few minutes (delivering messages), and once a day at a
time of the portal's time zone (reminders, the supervisors' digest). A daily job that should run on
working days only runs every day and asks the working-day calendar itself: EventBridge knows
weekdays, not China's holidays and make-up working days.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone

from msgspec import Struct

__all__ = ["DailyAt", "Every", "Poll", "Schedule"]


class Every(Struct, frozen=True):
    minutes: int

    def __post_init__(self) -> None:
        if not 1 <= self.minutes <= 24 * 60:
            raise ValueError("Every: minutes from 1 to 1440")

    def expression(self) -> str:
        unit = "minute" if self.minutes == 1 else "minutes"
        return f"rate({self.minutes} {unit})"

    def next_after(self, moment: datetime) -> datetime:
        """The next firing strictly after ``moment``, on whole multiples of the rate since the epoch
        (EventBridge starts a rate when the rule is created; any fixed phase will do locally)."""
        step = self.minutes * 60
        return datetime.fromtimestamp((int(moment.timestamp()) // step + 1) * step, UTC)


class DailyAt(Struct, frozen=True):
    at: time
    zone: timezone

    def expression(self) -> str:
        utc = datetime.combine(datetime(2000, 1, 3).date(), self.at, tzinfo=self.zone).astimezone(UTC)
        return f"cron({utc.minute} {utc.hour} * * ? *)"

    def next_after(self, moment: datetime) -> datetime:
        local = moment.astimezone(self.zone)
        candidate = datetime.combine(local.date(), self.at, tzinfo=self.zone)
        if candidate <= local:
            candidate += timedelta(days=1)
        return candidate.astimezone(UTC)


class Poll(Struct, frozen=True):
    """Every few seconds: how the local scheduler stands in for a job that AWS starts by an event
    rather than a clock (the outbox's delivery after a write). EventBridge has no such rate."""

    seconds: int

    def __post_init__(self) -> None:
        if not 1 <= self.seconds < 60:
            raise ValueError("Poll: seconds from 1 to 59")

    def expression(self) -> str:
        return f"every {self.seconds} seconds (locally)"

    def next_after(self, moment: datetime) -> datetime:
        step = self.seconds
        return datetime.fromtimestamp((int(moment.timestamp()) // step + 1) * step, UTC)


Schedule = Every | DailyAt
