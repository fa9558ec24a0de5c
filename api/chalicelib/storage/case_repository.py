"""The case repository on DynamoDB: every request through the process's one connection
(connection.py); SDK errors become domain errors (sdk_errors.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pynamodb.exceptions import TransactWriteError

from ..domain.case import Case, CaseSummary, Event
from ..domain.deadlines import default_policy
from ..domain.errors import VersionConflictError
from ..services.identity_keys import IdentityHasher
from ..services.repository import (
    AccessEntry,
    CasePage,
    CaseQuery,
    IdempotencyKeyTakenError,
    IdempotencyRecord,
    TrackingNumberTakenError,
)
from .case_mapping import case_from_record, case_to_record, summary_from_item
from .connection import DynamoDB
from .models import CaseRecord
from .sdk_errors import call, conflicting_write, is_conflict, unavailable_or_raise

if TYPE_CHECKING:
    from ..domain.notifications import Notice
    from ..domain.search_terms import IdentifierKind

__all__ = ["DynamoCaseRepository"]

# The modules only the writes, the history, the access log, the queue or the searches use are
# imported by the methods that use them: a cold lookup loads the read path's alone (scripts/bench
# measures its cold start; tests/integration/test_staff_dynamodb_local.py keeps it so).

# PynamoDB asks for consumed capacity on every call unless told otherwise; nothing here reads it, and
# on a transaction it costs DynamoDB about half a millisecond.
NO_CAPACITY_REPORT = "NONE"


class DynamoCaseRepository:
    def __init__(self, dynamodb: DynamoDB, identity: IdentityHasher) -> None:
        self._db = dynamodb
        self._identity = identity
        self._zone = default_policy().zone
        self._connection = dynamodb.connection
        self._cases = dynamodb.table(CaseRecord)

    @property
    def _idempotency(self) -> str:
        from .idempotency_records import IdempotencyRecordModel

        return self._db.table(IdempotencyRecordModel)

    @property
    def _events(self) -> str:
        from .event_records import EventRecord

        return self._db.table(EventRecord)

    @property
    def _access_log(self) -> str:
        from .event_records import AccessLogRecord

        return self._db.table(AccessLogRecord)

    def _write_tables(self) -> None:
        """The tables a case's transaction writes to beyond the cases', asked for before it is
        written: the connection binds each model at its table's first use, and a transaction builds
        its items from the models' tables."""
        from .event_records import AccessLogRecord, EventRecord
        from .idempotency_records import IdempotencyRecordModel
        from .outbox_records import OutboxRecord
        from .report_mapping import ReportRecord

        for model in (EventRecord, AccessLogRecord, IdempotencyRecordModel, OutboxRecord, ReportRecord):
            self._db.table(model)

    def create(
        self,
        case: Case,
        event: Event,
        idempotency: IdempotencyRecord | None,
        notices: Sequence[Notice] = (),
    ) -> None:
        from pynamodb.transactions import TransactWrite

        from .event_records import EventRecord, event_to_record
        from .fact_updates import add_fact_updates
        from .idempotency_records import IdempotencyRecordModel
        from .outbox_records import notice_record

        self._write_tables()
        try:
            with TransactWrite(
                connection=self._connection, return_consumed_capacity=NO_CAPACITY_REPORT
            ) as transaction:
                if idempotency is not None:
                    transaction.save(
                        IdempotencyRecordModel(
                            key_hash=idempotency.key_hash,
                            fingerprint=idempotency.fingerprint,
                            tracking_no=idempotency.tracking_no,
                            created_at=idempotency.created_at,
                            expires_at=idempotency.expires_at,
                        ),
                        # An expired record may linger until TTL removes it: it no longer counts.
                        condition=IdempotencyRecordModel.key_hash.does_not_exist()
                        | (IdempotencyRecordModel.expires_at < idempotency.created_at),
                    )
                keys = self._identity.of(case.complainant)
                transaction.save(
                    case_to_record(case, keys), condition=CaseRecord.tracking_no.does_not_exist()
                )
                transaction.save(event_to_record(event), condition=EventRecord.tracking_no.does_not_exist())
                for notice in notices:  # after the case: its conflicts are read by position below
                    # No condition of its own: a message's id is its case's, its event's and its
                    # recipient's, and the event is new (its condition), so the message is too;
                    # a condition would only cost (about 0.08 ms of a submission on DynamoDB Local).
                    transaction.save(notice_record(notice))
                add_fact_updates(transaction, case, event, keys, self._zone)
        except TransactWriteError as error:
            reasons = list(error.cancellation_reasons or [])
            offset = 0
            if idempotency is not None:
                if reasons and is_conflict(reasons[0]):
                    raise IdempotencyKeyTakenError() from error
                offset = 1
            if len(reasons) > offset and is_conflict(reasons[offset]):
                raise TrackingNumberTakenError() from error
            unavailable_or_raise(error)
            raise

    def _item(self, table: str, key: str) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self._connection.get_item(table, key, consistent_read=True).get("Item")
        return found

    def get(self, tracking_no: str) -> Case | None:
        item = call(lambda: self._item(self._cases, tracking_no))
        return case_from_record(CaseRecord.from_raw_data(item)) if item else None

    def get_idempotency(self, key_hash: str) -> IdempotencyRecord | None:
        from .idempotency_records import IdempotencyRecordModel

        item = call(lambda: self._item(self._idempotency, key_hash))
        if not item:
            return None
        r = IdempotencyRecordModel.from_raw_data(item)
        expires_at: datetime = r.expires_at
        return IdempotencyRecord(r.key_hash, r.fingerprint, r.tracking_no, r.created_at, expires_at)

    def _partition(self, table: str, hash_key: str) -> list[dict[str, Any]]:
        """Every item under ``hash_key``, in key order (strongly consistent)."""
        items: list[dict[str, Any]] = []
        start = None
        while True:
            page = self._connection.query(
                table,
                hash_key,
                consistent_read=True,
                exclusive_start_key=start,
                return_consumed_capacity=NO_CAPACITY_REPORT,
            )
            items.extend(page.get("Items", []))
            start = page.get("LastEvaluatedKey")
            if not start:
                return items

    def history(self, tracking_no: str) -> list[Event]:
        from .event_records import EventRecord, event_from_record

        items = call(lambda: self._partition(self._events, tracking_no))
        return [event_from_record(EventRecord.from_raw_data(item)) for item in items]

    def save(
        self,
        case: Case,
        event: Event,
        access: AccessEntry | None = None,
        notices: Sequence[Notice] = (),
    ) -> None:
        from pynamodb.transactions import TransactWrite

        from .event_records import EventRecord, access_to_record, event_to_record
        from .fact_updates import add_fact_updates
        from .outbox_records import notice_record

        self._write_tables()
        try:
            with TransactWrite(
                connection=self._connection, return_consumed_capacity=NO_CAPACITY_REPORT
            ) as transaction:
                # The record carries version - 1: PynamoDB adds the condition that it is still stored.
                keys = self._identity.of(case.complainant)
                transaction.save(case_to_record(case, keys))
                transaction.save(event_to_record(event), condition=EventRecord.tracking_no.does_not_exist())
                if access is not None:
                    transaction.save(access_to_record(access))
                for notice in notices:  # new with their event, as in create
                    transaction.save(notice_record(notice))
                add_fact_updates(transaction, case, event, keys, self._zone)
        except TransactWriteError as error:
            if conflicting_write(error):
                raise VersionConflictError() from error
            unavailable_or_raise(error)
            raise

    def list_cases(self, query: CaseQuery) -> CasePage:
        from .queue_plan import Cursor, QueueQuery, all_of

        plan = QueueQuery(query)
        start = Cursor.decode(query.cursor, plan.index_name, plan.key_names) if query.cursor else None

        def read() -> CasePage:
            # Pages of the index until the page is full: filters may leave a DynamoDB page short.
            # Raw items, not a model per item: building one cost more than the rest of a listing.
            items: list[dict[str, Any]] = []
            key, last = start, None
            while True:
                page = self._connection.query(
                    self._cases,
                    plan.hash_value,
                    range_key_condition=plan.range_condition,
                    filter_condition=all_of(plan.filters),
                    index_name=plan.index_name,
                    limit=query.limit,
                    exclusive_start_key=key,
                    scan_index_forward=not query.descending,
                    return_consumed_capacity=NO_CAPACITY_REPORT,
                )
                for item in page.get("Items", []):
                    items.append(item)
                    if len(items) == query.limit:
                        last = {name: item[name] for name in plan.key_names}
                        break
                key = page.get("LastEvaluatedKey")
                if last is not None or not key:
                    break
            cursor = Cursor.encode(plan.index_name, last) if last else None
            return CasePage([summary_from_item(item) for item in items], cursor)

        return call(read)

    def count_cases(self, query: CaseQuery) -> int:
        from .queue_plan import QueueQuery, all_of

        plan = QueueQuery(query)

        def count() -> int:
            total, key = 0, None
            while True:
                page = self._connection.query(
                    self._cases,
                    plan.hash_value,
                    range_key_condition=plan.range_condition,
                    filter_condition=all_of(plan.filters),
                    index_name=plan.index_name,
                    exclusive_start_key=key,
                    select="COUNT",
                    return_consumed_capacity=NO_CAPACITY_REPORT,
                )
                total += int(page.get("Count", 0))
                key = page.get("LastEvaluatedKey")
                if not key:
                    return total

        return call(count)

    def record_access(self, entry: AccessEntry) -> None:
        from .event_records import access_to_record

        record = access_to_record(entry)
        call(
            lambda: self._connection.put_item(
                self._access_log,
                record.tracking_no,
                record.viewed_at,
                attributes=record.serialize(),
                return_consumed_capacity=NO_CAPACITY_REPORT,
            )
        )

    def access_log(self, tracking_no: str) -> list[AccessEntry]:
        from .event_records import AccessLogRecord, access_entry_from_record

        items = call(lambda: self._partition(self._access_log, tracking_no))
        return [access_entry_from_record(AccessLogRecord.from_raw_data(item)) for item in items]

    def staff_access(self, staff_id: str, since: datetime, until: datetime) -> list[AccessEntry]:
        from . import case_search

        return case_search.staff_access(self._connection, self._access_log, staff_id, since, until)

    def cases_with_identifier(self, kind: IdentifierKind, key: str, limit: int) -> list[str]:
        from . import case_search

        return case_search.cases_with_identifier(self._connection, self._cases, kind, key, limit)

    def summaries(self, tracking_nos: Sequence[str]) -> list[CaseSummary]:
        from . import case_search

        return case_search.summaries(self._connection, self._cases, tracking_nos)
