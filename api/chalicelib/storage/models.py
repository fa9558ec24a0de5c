"""PynamoDB models of the three tables. ``bind_models`` points them at the configured tables.

Access patterns served by keys and indexes (never Scan):
- a case by tracking number: cases table key (strongly consistent read);
- the staff queue by status, ordered by what is due first: ``status-queue-index``;
- a department's cases, ordered the same way: ``department-queue-index`` (sparse until routed);
- the cases submitted in a month, in order: ``month-index``;
- a case's history in order: events table, key (tracking_no, seq);
- the open queue (cases staff still owe something), earliest due first: ``open-queue-index``;
- a submission's Idempotency-Key: idempotency table key, expired by TTL;
- who viewed a case's personal data: access-log table key; what one staff member viewed: ``staff-index``;
- access-code attempts per client or case and time window: attempts table key, expired by TTL.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.connection import Connection, TableConnection
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

__all__ = [
    "MAX_RETRY_ATTEMPTS",
    "SUMMARY_ATTRIBUTES",
    "ActorMap",
    "CaseRecord",
    "ComplainantMap",
    "EventRecord",
    "IdempotencyRecordModel",
    "bind_model",
    "bind_models",
    "connection",
    "queue_key",
]

# PynamoDB's default retry setting gives botocore *standard* mode with 1 + max_retry_attempts
# attempts: a throttled request gives up within seconds, well inside API Gateway's 29 s (STACK-NOTES).
MAX_RETRY_ATTEMPTS = 3


class _Meta:
    """How every model talks to DynamoDB. ``connection()`` gives the repository's own connection
    (transactions, queue pages) the same settings: it had PynamoDB's defaults (15 s to connect, 30 s
    to read), so a stalled transaction kept its request waiting as long as a client's whole timeout."""

    table_name = "unbound"
    region = "us-east-1"
    host: str | None = None
    billing_mode = "PAY_PER_REQUEST"
    connect_timeout_seconds = 2
    read_timeout_seconds = 5
    max_retry_attempts = MAX_RETRY_ATTEMPTS
    # Sockets kept for reuse, not a limit: botocore opens more when all are busy and closes those
    # afterwards. chalice local serves every request on its own thread (the concurrency tests send
    # 50 at once); with PynamoDB's 10, 50 concurrent actions closed 73 of the 96 sockets they opened.
    # A Lambda serves one request at a time and uses one.
    max_pool_connections = 64


# PynamoDB builds a connection's botocore client at first use, unguarded, from a new botocore
# session of the calling thread (about 60 ms of GIL-bound work: the service model is parsed anew).
# Requests that arrive together at a cold connection (chalice local serves each on its own thread)
# each built one: 50 at once spent 7-10 s per connection, three connections per staff action. Built
# under this lock, the first builds it and the others wait for it and share it.
_FIRST_USE = threading.Lock()


class _Connection(Connection):
    @property
    def client(self) -> Any:
        if self._client is None:
            with _FIRST_USE:
                return super().client
        return super().client


def connection(*, region: str, host: str | None) -> Connection:
    """A connection of the repository's own, with the models' settings."""
    return _Connection(
        region=region,
        host=host,
        connect_timeout_seconds=_Meta.connect_timeout_seconds,
        read_timeout_seconds=_Meta.read_timeout_seconds,
        max_retry_attempts=_Meta.max_retry_attempts,
        max_pool_connections=_Meta.max_pool_connections,
    )


class _Model(Model):
    """A model whose connection builds its botocore client once (see ``_FIRST_USE``)."""

    @classmethod
    def _get_connection(cls) -> TableConnection:
        table = super()._get_connection()
        if table.connection._client is None:
            with _FIRST_USE:
                table = super()._get_connection()  # the one another thread may have finished
                _ = table.connection.client
        return table


class ComplainantMap(MapAttribute[str, Any]):
    type = UnicodeAttribute()
    anonymous = BooleanAttribute()
    preferred_language = UnicodeAttribute()
    name = UnicodeAttribute(null=True)
    organization = UnicodeAttribute(null=True)
    credit_code = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)


class ActorMap(MapAttribute[str, Any]):
    kind = UnicodeAttribute()
    id = UnicodeAttribute(null=True)
    name = UnicodeAttribute(null=True)
    role = UnicodeAttribute(null=True)


# What the queue shows of a case, projected into its indexes: never the complainant's identity or what
# they wrote beyond the subject, so listing reads (and the indexes hold) no personal data.
SUMMARY_ATTRIBUTES = [
    "version",
    "status",
    "channel",
    "category",
    "department",
    "priority",
    "subject",
    "confidential",
    "submitted_at",
    "submitted_month",
    "updated_at",
    "next_due_kind",
    "queue_at",
    "queue",
]


def _summary(*index_keys: str) -> IncludeProjection:
    # An index always holds its own keys and the table's; naming them again is refused by DynamoDB.
    return IncludeProjection([name for name in SUMMARY_ATTRIBUTES if name not in index_keys])


class StatusQueueIndex(GlobalSecondaryIndex["CaseRecord"]):
    class Meta:
        index_name = "status-queue-index"
        projection = _summary("status")

    status = UnicodeAttribute(hash_key=True)
    queue_key = UnicodeAttribute(range_key=True)


class DepartmentQueueIndex(GlobalSecondaryIndex["CaseRecord"]):
    class Meta:
        index_name = "department-queue-index"
        projection = _summary("department")

    department = UnicodeAttribute(hash_key=True)
    queue_key = UnicodeAttribute(range_key=True)


class OpenQueueIndex(GlobalSecondaryIndex["CaseRecord"]):
    """Sparse: only cases someone on the portal's side still has to act on, earliest due first."""

    class Meta:
        index_name = "open-queue-index"
        projection = _summary("queue")

    queue = UnicodeAttribute(hash_key=True)
    queue_key = UnicodeAttribute(range_key=True)


class MonthIndex(GlobalSecondaryIndex["CaseRecord"]):
    class Meta:
        index_name = "month-index"
        projection = _summary("submitted_month", "submitted_at")

    submitted_month = UnicodeAttribute(hash_key=True)
    submitted_at = UTCDateTimeAttribute(range_key=True)


class CaseRecord(_Model):
    class Meta(_Meta):
        pass

    tracking_no = UnicodeAttribute(hash_key=True)
    version = VersionAttribute()
    status = UnicodeAttribute()
    channel = UnicodeAttribute()
    category = UnicodeAttribute()
    department = UnicodeAttribute(null=True)
    priority = UnicodeAttribute(null=True)
    confidential = BooleanAttribute()
    access_code_hash = UnicodeAttribute()
    complainant = ComplainantMap()
    subject = UnicodeAttribute()
    description = UnicodeAttribute()
    location = UnicodeAttribute(null=True)
    occurred_on = UnicodeAttribute(null=True)
    desired_outcome = UnicodeAttribute(null=True)
    claim_amount = UnicodeAttribute(null=True)
    submitted_at = UTCDateTimeAttribute()
    submitted_month = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()
    # The earliest open deadline, or the last change when nothing is due: the queue's order ...
    queue_at = UTCDateTimeAttribute()
    # ... made unique with the tracking number, so that ties (deadlines end at the end of a day)
    # have one order and pages never overlap: "<queue_at as stored>#<tracking_no>".
    queue_key = UnicodeAttribute()
    # "open" while staff still owe something (present only then, which makes the open queue sparse).
    queue = UnicodeAttribute(null=True)
    # The kind of the deadline queue_at is (when one is open), so the queue needs no deadline list.
    next_due_kind = UnicodeAttribute(null=True)
    # Lists of small records nobody queries inside, kept as JSON text: PynamoDB reads a typed list of
    # maps by deep-copying its attribute definitions for every element, which dominated listing.
    deadline_entries = JSONAttribute()
    milestone_entries = JSONAttribute()
    review_count = NumberAttribute(default=0)
    # Who took part in the handling (staff ids, in order), as JSON text like the lists above.
    handled_by = JSONAttribute(null=True)
    # Before handled_by, only the last decider was kept: still read from cases written then.
    decided_by = UnicodeAttribute(null=True)
    callback_satisfaction = UnicodeAttribute(null=True)
    complainant_rating = UnicodeAttribute(null=True)

    status_queue = StatusQueueIndex()
    department_queue = DepartmentQueueIndex()
    open_queue = OpenQueueIndex()
    by_month = MonthIndex()


class EventRecord(_Model):
    class Meta(_Meta):
        pass

    tracking_no = UnicodeAttribute(hash_key=True)
    seq = NumberAttribute(range_key=True)
    at = UTCDateTimeAttribute()
    actor = ActorMap()
    action = UnicodeAttribute()
    visibility = UnicodeAttribute()
    from_status = UnicodeAttribute(null=True)
    to_status = UnicodeAttribute(null=True)
    note = UnicodeAttribute(null=True)
    data = MapAttribute[str, str](default=dict)


class IdempotencyRecordModel(_Model):
    class Meta(_Meta):
        pass

    key_hash = UnicodeAttribute(hash_key=True)
    fingerprint = UnicodeAttribute()
    tracking_no = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()


class AttemptRecord(_Model):
    """Access-code attempts counted under one key: a client or a case, in one fixed time window
    (services/access_code_throttle.py), expired by TTL."""

    class Meta(_Meta):
        pass

    key = UnicodeAttribute(hash_key=True)
    failures = NumberAttribute(default=0)
    expires_at = TTLAttribute()


class StaffIndex(GlobalSecondaryIndex["AccessLogRecord"]):
    class Meta:
        index_name = "staff-index"
        projection = AllProjection()

    staff_id = UnicodeAttribute(hash_key=True)
    viewed_at = UnicodeAttribute(range_key=True)


class AccessLogRecord(_Model):
    """Who saw a complainant's personal data, and when: by case, and by staff member."""

    class Meta(_Meta):
        pass

    tracking_no = UnicodeAttribute(hash_key=True)
    # ISO time plus a random suffix: two views in the same microsecond stay two entries.
    viewed_at = UnicodeAttribute(range_key=True)
    staff_id = UnicodeAttribute()
    staff_name = UnicodeAttribute()
    role = UnicodeAttribute()
    purpose = UnicodeAttribute()

    by_staff = StaffIndex()


def bind_models(
    *,
    cases_table: str,
    events_table: str,
    idempotency_table: str,
    access_log_table: str,
    attempts_table: str,
    region: str,
    host: str | None,
) -> None:
    """Point the models at their tables."""
    for model, table in (
        (CaseRecord, cases_table),
        (EventRecord, events_table),
        (IdempotencyRecordModel, idempotency_table),
        (AccessLogRecord, access_log_table),
        (AttemptRecord, attempts_table),
    ):
        bind_model(model, table, region=region, host=host)


def bind_model(model: type[Model], table: str, *, region: str, host: str | None) -> None:
    """Point one model at its table. PynamoDB caches one connection per model, built from ``Meta``
    at first use: binding drops that cache so the next call uses the new settings."""
    model.Meta.table_name = table
    model.Meta.region = region
    model.Meta.host = host
    model._connection = None


def queue_key(queue_at: datetime, tracking_no: str) -> str:
    return f"{UTCDateTimeAttribute().serialize(queue_at)}#{tracking_no}"
