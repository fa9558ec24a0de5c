"""Reads for staff search on DynamoDB: cases by the keyed hash of an identifier, their summaries,
and one staff member's access-log entries in a time window.

The identity indexes hold keys only (models.py), so a search is a Query per identifier kind and one
BatchGetItem of the summaries of what they found: a handful of small reads whatever the table holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any

from pynamodb.connection.base import Connection

from ..domain.case import CaseSummary
from ..services.repository import AccessEntry
from .case_mapping import summary_from_item
from .event_records import AccessLogRecord, access_entry_from_record
from .models import IDENTITY_INDEXES, SUMMARY_ATTRIBUTES
from .sdk_errors import call

__all__ = ["cases_with_identifier", "staff_access", "summaries"]

_NO_CAPACITY_REPORT = "NONE"
# BatchGetItem takes at most 100 keys a request.
_BATCH = 100
# Unprocessed keys are asked for again this many times before the read counts as throttled.
_BATCH_ROUNDS = 5
_SUMMARY = ["tracking_no", *SUMMARY_ATTRIBUTES]


def cases_with_identifier(connection: Connection, table: str, kind: str, key: str, limit: int) -> list[str]:
    """The tracking numbers of the cases indexed under ``key`` by the index of ``kind``, newest
    first, at most ``limit``."""

    def read() -> list[str]:
        page = connection.query(
            table,
            key,
            index_name=IDENTITY_INDEXES[kind],
            scan_index_forward=False,
            limit=limit,
            return_consumed_capacity=_NO_CAPACITY_REPORT,
        )
        return [item["tracking_no"]["S"] for item in page.get("Items", [])]

    return call(read)


def summaries(connection: Connection, table: str, tracking_nos: Sequence[str]) -> list[CaseSummary]:
    """What the queue shows of these cases (those that still exist), in the order given."""
    wanted = list(dict.fromkeys(tracking_nos))
    found: dict[str, dict[str, Any]] = {}

    def read(numbers: list[str]) -> None:
        keys: list[Any] = [{"tracking_no": {"S": number}} for number in numbers]
        for _ in range(_BATCH_ROUNDS):
            answer = connection.batch_get_item(
                table,
                keys,
                consistent_read=True,
                return_consumed_capacity=_NO_CAPACITY_REPORT,
                attributes_to_get=_SUMMARY,
            )
            for item in answer.get("Responses", {}).get(table, []):
                found[item["tracking_no"]["S"]] = item
            keys = answer.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
            if not keys:
                return
        from ..domain.errors import StorageUnavailableError

        raise StorageUnavailableError()

    for start in range(0, len(wanted), _BATCH):
        call(partial(read, wanted[start : start + _BATCH]))
    return [summary_from_item(found[number]) for number in wanted if number in found]


def staff_access(
    connection: Connection, table: str, staff_id: str, since: datetime, until: datetime
) -> list[AccessEntry]:
    """One staff member's access-log entries from ``since`` to before ``until``, in time order."""
    # Entries are keyed by their time in ISO form (UTC) plus a suffix: a key range is a time range.
    low, high = since.astimezone(UTC).isoformat(), until.astimezone(UTC).isoformat()

    def read() -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        start = None
        while True:
            page = connection.query(
                table,
                staff_id,
                range_key_condition=AccessLogRecord.viewed_at.between(low, high),
                index_name="staff-index",
                exclusive_start_key=start,
                return_consumed_capacity=_NO_CAPACITY_REPORT,
            )
            items.extend(page.get("Items", []))
            start = page.get("LastEvaluatedKey")
            if not start:
                return items

    items = call(read)
    entries = [access_entry_from_record(AccessLogRecord.from_raw_data(item)) for item in items]
    return [entry for entry in entries if entry.at < until]
