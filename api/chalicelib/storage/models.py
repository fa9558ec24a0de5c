"""PynamoDB models of the cases' table, and what every model shares; the others live with the code
that uses them (event_records.py, idempotency_records.py, outbox_records.py, attachment_records.py,
report_mapping.py, attempt_counter.py, job_cursors.py), so that a cold lookup imports none of them.
``bind_models`` points the models at their tables.

Access patterns served by keys and indexes (never Scan):
- a case by tracking number: cases table key (strongly consistent read);
- the staff queue by status, ordered by what is due first: ``status-queue-index``;
- a department's cases, ordered the same way: ``department-queue-index`` (sparse until routed);
- the cases submitted in a month, in order: ``month-index``;
- the open queue (cases staff still owe something), earliest due first: ``open-queue-index``;
- a complainant's cases, newest first, by the keyed hash of a phone number, e-mail address, credit
  code, name or organisation: ``phone-index``, ``email-index``, ``credit-code-index``,
  ``name-index``, ``organization-index`` (sparse, keys only: never an identifier in plain text);
- a submission's Idempotency-Key: idempotency table key, expired by TTL;
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection, KeysOnlyProjection
from pynamodb.models import Model

__all__ = [
    "IDENTITY_INDEXES",
    "MAX_RETRY_ATTEMPTS",
    "SUMMARY_ATTRIBUTES",
    "CaseRecord",
    "ComplainantMap",
    "ConnectionSettings",
    "bind_models",
    "queue_key",
]

# PynamoDB's default retry setting gives botocore *standard* mode with 1 + max_retry_attempts
# attempts: a throttled request gives up within seconds, well inside API Gateway's 29 s (STACK-NOTES).
MAX_RETRY_ATTEMPTS = 3


class ConnectionSettings:
    """How the repositories' connection (connection.py) talks to DynamoDB. PynamoDB's defaults (15 s
    to connect, 30 s to read) kept a stalled transaction's request waiting as long as a client's
    whole timeout."""

    connect_timeout_seconds = 2
    read_timeout_seconds = 5
    max_retry_attempts = MAX_RETRY_ATTEMPTS
    # Sockets kept for reuse, not a limit: botocore opens more when all are busy and closes those
    # afterwards. chalice local serves every request on its own thread (the concurrency tests send
    # 50 at once); with PynamoDB's 10, 50 concurrent actions closed 73 of the 96 sockets they opened.
    # A Lambda serves one request at a time and uses one.
    max_pool_connections = 64


class _Meta:
    """Where a model's table is (``bind_models``). Requests never travel through a model's own
    connection (connection.py); PynamoDB reads the table name when it builds a transaction's items."""

    table_name = "unbound"
    region = "us-east-1"
    host: str | None = None
    billing_mode = "PAY_PER_REQUEST"


class ComplainantMap(MapAttribute[str, Any]):
    type = UnicodeAttribute()
    anonymous = BooleanAttribute()
    preferred_language = UnicodeAttribute()
    name = UnicodeAttribute(null=True)
    organization = UnicodeAttribute(null=True)
    credit_code = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)


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


class ExtensionQueueIndex(GlobalSecondaryIndex["CaseRecord"]):
    """Sparse: only cases with an extension asked for and not yet decided (the supervisors'
    worklist), earliest due first."""

    class Meta:
        index_name = "extension-queue-index"
        projection = _summary("extension_waiting")

    extension_waiting = UnicodeAttribute(hash_key=True)
    queue_key = UnicodeAttribute(range_key=True)


class MonthIndex(GlobalSecondaryIndex["CaseRecord"]):
    class Meta:
        index_name = "month-index"
        projection = _summary("submitted_month", "submitted_at")

    submitted_month = UnicodeAttribute(hash_key=True)
    submitted_at = UTCDateTimeAttribute(range_key=True)


# The identity indexes hold keys only: a search reads the summaries of the few cases it finds
# (BatchGetItem), and no staff action, which changes what the summaries say, writes to them.
class PhoneIndex(GlobalSecondaryIndex["CaseRecord"]):
    class Meta:
        index_name = "phone-index"
        projection = KeysOnlyProjection()

    phone_key = UnicodeAttribute(hash_key=True)
    submitted_at = UTCDateTimeAttribute(range_key=True)


class EmailIndex(GlobalSecondaryIndex["CaseRecord"]):
    class Meta:
        index_name = "email-index"
        projection = KeysOnlyProjection()

    email_key = UnicodeAttribute(hash_key=True)
    submitted_at = UTCDateTimeAttribute(range_key=True)


class CreditCodeIndex(GlobalSecondaryIndex["CaseRecord"]):
    class Meta:
        index_name = "credit-code-index"
        projection = KeysOnlyProjection()

    credit_code_key = UnicodeAttribute(hash_key=True)
    submitted_at = UTCDateTimeAttribute(range_key=True)


class NameIndex(GlobalSecondaryIndex["CaseRecord"]):
    class Meta:
        index_name = "name-index"
        projection = KeysOnlyProjection()

    name_key = UnicodeAttribute(hash_key=True)
    submitted_at = UTCDateTimeAttribute(range_key=True)


class OrganizationIndex(GlobalSecondaryIndex["CaseRecord"]):
    class Meta:
        index_name = "organization-index"
        projection = KeysOnlyProjection()

    organization_key = UnicodeAttribute(hash_key=True)
    submitted_at = UTCDateTimeAttribute(range_key=True)


# Which index finds a case by which kind of identifier (domain/search_terms.py).
IDENTITY_INDEXES = {
    "phone": "phone-index",
    "email": "email-index",
    "credit_code": "credit-code-index",
    "name": "name-index",
    "organization": "organization-index",
}


class CaseRecord(Model):
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
    # An extension asked for and not yet decided (domain ExtensionRequest), as JSON text.
    extension_request = JSONAttribute(null=True)
    # "waiting" while that request waits (present only then: the extension queue is sparse).
    extension_waiting = UnicodeAttribute(null=True)
    # Keyed hashes of the complainant's phone, e-mail, credit code, name and organisation
    # (services/identity_keys.py): repeats are counted and cases found by them, never by the
    # identifiers themselves.
    phone_key = UnicodeAttribute(null=True)
    email_key = UnicodeAttribute(null=True)
    credit_code_key = UnicodeAttribute(null=True)
    name_key = UnicodeAttribute(null=True)
    organization_key = UnicodeAttribute(null=True)
    # True once the case carries the keys of every identifier it is searched by (all written since);
    # tables.py gives older cases theirs.
    search_keys = BooleanAttribute(null=True)
    # True once the case's report facts are kept with it (every case written since they exist);
    # tables.py gives older cases their facts and keys.
    report_facts = BooleanAttribute(null=True)

    status_queue = StatusQueueIndex()
    department_queue = DepartmentQueueIndex()
    open_queue = OpenQueueIndex()
    extension_queue = ExtensionQueueIndex()
    by_month = MonthIndex()
    by_phone = PhoneIndex()
    by_email = EmailIndex()
    by_credit_code = CreditCodeIndex()
    by_name = NameIndex()
    by_organization = OrganizationIndex()


def bind_models(tables: Mapping[type[Model], str], *, region: str, host: str | None) -> None:
    """Point the models at their tables."""
    for model, table in tables.items():
        model.Meta.table_name = table
        model.Meta.region = region
        model.Meta.host = host


def queue_key(queue_at: datetime, tracking_no: str) -> str:
    return f"{UTCDateTimeAttribute().serialize(queue_at)}#{tracking_no}"
