"""The monthly report's store on DynamoDB (the reports table, models.ReportRecord): a month's facts by
Queries of its partition (four key ranges at once), snapshots and statistics by key. Through the
process's one connection."""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from ..domain.monthly_report import Figures
from ..domain.report_facts import CaseFacts
from ..domain.tracking import ALPHABET
from ..services.report_store import Snapshot
from .case_repository import NO_CAPACITY_REPORT
from .connection import DynamoDB
from .report_mapping import (
    FACTS_ATTRIBUTES,
    FACTS_PREFIX,
    ReportRecord,
    facts_from_item,
    facts_key,
    facts_record,
)
from .sdk_errors import call, conflicting_write, unavailable_or_raise

__all__ = ["DynamoReportStore"]

_CARRIED = "carried"
_FIGURES = "snapshot#figures"
_PART = "snapshot#part#"
_PUBLIC = "public"
_LATEST = "latest"
# Below DynamoDB's 400 KB an item; a snapshot's parts and figures are written in one transaction
# (at most 4 MB), so a month's document may take up to about 3.5 MB compressed.
_PART_BYTES = 350_000
# BatchGetItem takes at most 100 keys.
_BATCH = 100
# Copies carried into a month are conditional puts, one request each: a few at a time.
_CARRY_THREADS = 8


def _segments(parts: int) -> tuple[tuple[str, str], ...]:
    """The facts items' keys (``case#`` and a tracking number, whose symbols are random) in
    ``parts`` ranges of about as many items each, in order; the first and the last are open to
    any key of the prefix, and a tracking number's first symbol is always one of ``ALPHABET``."""
    size = len(ALPHABET) // parts
    firsts = [ALPHABET[n * size] for n in range(parts)]
    lows = [FACTS_PREFIX, *(FACTS_PREFIX + first for first in firsts[1:])]
    highs = [
        *(FACTS_PREFIX + ALPHABET[(n + 1) * size - 1] + "~" for n in range(parts - 1)),
        FACTS_PREFIX + "~",
    ]
    return tuple(zip(lows, highs, strict=True))


# A month's facts are read as four Queries at once: on DynamoDB Local that halves the time of
# reading ten thousand (bench). On DynamoDB they share one partition (3 000 read units a second,
# with burst capacity beyond): ten thousand facts are about 1 000 units of eventually consistent
# reads, and a page throttled all the same is retried (standard mode).
_SEGMENTS = _segments(4)


class DynamoReportStore:
    def __init__(self, dynamodb: DynamoDB) -> None:
        self._connection = dynamodb.connection
        self._table = dynamodb.table(ReportRecord)

    # --- reads ---------------------------------------------------------------------------------

    def _query(
        self, month: str, prefix: str, attributes: Sequence[str] | None = None
    ) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        start = None
        while True:
            page = self._connection.query(
                self._table,
                month,
                range_key_condition=ReportRecord.item.startswith(prefix),
                exclusive_start_key=start,
                return_consumed_capacity=NO_CAPACITY_REPORT,
            )
            items.extend(page.get("Items", []))
            start = page.get("LastEvaluatedKey")
            if not start:
                return items

    def _query_range(self, month: str, low: str, high: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        start = None
        while True:
            page = self._connection.query(
                self._table,
                month,
                range_key_condition=ReportRecord.item.between(low, high),
                # The facts only: a month holds thousands of items, and their keys are known.
                attributes_to_get=list(FACTS_ATTRIBUTES),
                exclusive_start_key=start,
                return_consumed_capacity=NO_CAPACITY_REPORT,
            )
            items.extend(page.get("Items", []))
            start = page.get("LastEvaluatedKey")
            if not start:
                return items

    def month_facts(self, month: str) -> list[CaseFacts]:
        """The month's facts, in key order: its partition's facts items, read as a few Queries of
        key ranges at once (each in pages of 1 MB)."""
        with ThreadPoolExecutor(max_workers=len(_SEGMENTS)) as pool:
            pages = pool.map(lambda segment: call(lambda: self._query_range(month, *segment)), _SEGMENTS)
            items = [item for page in pages for item in page]
        # Made here, not by each reader: under the interpreter's one lock that was slower.
        return [facts_from_item(item) for item in items]

    def _get_many(self, keys: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for first in range(0, len(keys), _BATCH):
            pending: list[Any] = [{"month": m, "item": i} for m, i in keys[first : first + _BATCH]]
            while pending:
                answer = self._connection.batch_get_item(
                    self._table, pending, return_consumed_capacity=NO_CAPACITY_REPORT
                )
                items.extend(answer.get("Responses", {}).get(self._table, []))
                # Keys DynamoDB left for later come back as typed maps, which the connection takes too.
                pending = answer.get("UnprocessedKeys", {}).get(self._table, {}).get("Keys", [])
        return items

    def facts_in(self, keys: Sequence[tuple[str, str]]) -> dict[str, CaseFacts]:
        wanted = [(month, facts_key(number)) for month, number in keys]
        found = (facts_from_item(item) for item in call(lambda: self._get_many(wanted)))
        return {f.tracking_no: f for f in found}

    def carried(self, months: Sequence[str]) -> set[str]:
        items = call(lambda: self._get_many([(month, _CARRIED) for month in months]))
        return {item["month"]["S"] for item in items}

    def snapshot_figures(self, months: Sequence[str]) -> dict[str, Figures]:
        items = call(lambda: self._get_many([(month, _FIGURES) for month in months]))
        return {item["month"]["S"]: json.loads(item["body"]["S"]) for item in items}

    def snapshot(self, month: str) -> Snapshot | None:
        items = call(lambda: self._query(month, "snapshot#"))
        figures = next((i for i in items if i["item"]["S"] == _FIGURES), None)
        if figures is None:
            return None
        parts = sorted((i for i in items if i["item"]["S"].startswith(_PART)), key=lambda i: i["item"]["S"])
        compressed = b"".join(ReportRecord.data.deserialize(part["data"]["B"]) for part in parts)
        return Snapshot(
            month=month,
            frozen_at=ReportRecord.frozen_at.deserialize(figures["frozen_at"]["S"]),
            figures=json.loads(figures["body"]["S"]),
            document=json.loads(gzip.decompress(compressed)),
        )

    def statistics(self, key: str) -> Mapping[str, Any] | None:
        answer = call(lambda: self._connection.get_item(self._table, _PUBLIC, key))
        item = answer.get("Item")
        found: Mapping[str, Any] | None = json.loads(item["body"]["S"]) if item else None
        return found

    # --- writes --------------------------------------------------------------------------------

    def _put_if_absent(self, record: ReportRecord) -> bool:
        try:
            call(
                lambda: self._connection.put_item(
                    self._table,
                    record.month,
                    record.item,
                    attributes=record.serialize(),
                    condition=ReportRecord.item.does_not_exist(),
                    return_consumed_capacity=NO_CAPACITY_REPORT,
                )
            )
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def carry(self, month: str, facts: Sequence[CaseFacts]) -> int:
        records = [facts_record(month, f) for f in facts]
        with ThreadPoolExecutor(max_workers=_CARRY_THREADS) as pool:
            return sum(pool.map(self._put_if_absent, records))

    def mark_carried(self, month: str) -> None:
        self._put_if_absent(ReportRecord(month=month, item=_CARRIED))

    def freeze(self, snapshot: Snapshot) -> bool:
        compressed = gzip.compress(json.dumps(snapshot.document, ensure_ascii=False).encode())
        chunks = [compressed[i : i + _PART_BYTES] for i in range(0, len(compressed), _PART_BYTES)] or [b""]
        try:
            with TransactWrite(
                connection=self._connection, return_consumed_capacity=NO_CAPACITY_REPORT
            ) as transaction:
                # The figures item is written on condition that none exists: a second freeze of
                # the month changes nothing, its parts included.
                transaction.save(
                    ReportRecord(
                        month=snapshot.month,
                        item=_FIGURES,
                        body=json.dumps(snapshot.figures),
                        parts=len(chunks),
                        frozen_at=snapshot.frozen_at,
                    ),
                    condition=ReportRecord.item.does_not_exist(),
                )
                for n, chunk in enumerate(chunks):
                    transaction.save(ReportRecord(month=snapshot.month, item=f"{_PART}{n:03d}", data=chunk))
        except TransactWriteError as error:
            if conflicting_write(error):
                return False
            unavailable_or_raise(error)
            raise
        return True

    def publish_statistics(self, month: str, dataset: Mapping[str, Any]) -> None:
        body = json.dumps(dataset, ensure_ascii=False, separators=(",", ":"))
        call(
            lambda: self._connection.put_item(
                self._table,
                _PUBLIC,
                month,
                attributes=ReportRecord(month=_PUBLIC, item=month, body=body).serialize(),
                return_consumed_capacity=NO_CAPACITY_REPORT,
            )
        )
        latest = ReportRecord(month=_PUBLIC, item=_LATEST, body=body, of_month=month)
        try:
            call(
                lambda: self._connection.put_item(
                    self._table,
                    _PUBLIC,
                    _LATEST,
                    attributes=latest.serialize(),
                    # Never replaced by the statistics of an earlier month.
                    condition=ReportRecord.of_month.does_not_exist() | (ReportRecord.of_month <= month),
                    return_consumed_capacity=NO_CAPACITY_REPORT,
                )
            )
        except PutError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
