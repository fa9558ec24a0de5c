"""Where the scheduled jobs' passes through the queue stopped (``services.repository.JobCursors``),
on DynamoDB: one small item per pass, read strongly consistent, expired by TTL. DynamoDB deletes
expired items only eventually, so a read also ignores one past its time."""

from __future__ import annotations

from datetime import UTC, datetime

from pynamodb.attributes import TTLAttribute, UnicodeAttribute
from pynamodb.models import Model

from .case_repository import NO_CAPACITY_REPORT
from .connection import DynamoDB
from .models import _Meta
from .sdk_errors import call

__all__ = ["DynamoJobCursors", "JobCursorRecord"]


class JobCursorRecord(Model):
    """Where a scheduled job's pass through the queue stopped (services/scheduled_work.py), expired
    by TTL so that a pass left unfinished long ago starts over."""

    class Meta(_Meta):
        pass

    name = UnicodeAttribute(hash_key=True)
    cursor = UnicodeAttribute()
    expires_at = TTLAttribute()


class DynamoJobCursors:
    def __init__(self, dynamodb: DynamoDB) -> None:
        self._connection = dynamodb.connection
        self._table = dynamodb.table(JobCursorRecord)

    def get(self, name: str, *, now: datetime) -> str | None:
        item = call(lambda: self._connection.get_item(self._table, name, consistent_read=True)).get("Item")
        if not item:
            return None
        record = JobCursorRecord.from_raw_data(item)
        if record.expires_at.astimezone(UTC) <= now:
            return None
        return record.cursor

    def put(self, name: str, cursor: str | None, *, keep_until: datetime) -> None:
        if cursor is None:
            call(
                lambda: self._connection.delete_item(
                    self._table, name, return_consumed_capacity=NO_CAPACITY_REPORT
                )
            )
            return
        record = JobCursorRecord(name, cursor=cursor, expires_at=keep_until)
        call(
            lambda: self._connection.put_item(
                self._table,
                name,
                attributes=record.serialize(),
                return_consumed_capacity=NO_CAPACITY_REPORT,
            )
        )
