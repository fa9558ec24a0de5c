"""The case repository on DynamoDB through PynamoDB. SDK errors become domain errors here."""

from __future__ import annotations

import base64
import functools
import json
import operator
import secrets
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar, cast

from botocore.exceptions import ConnectionError as TransportConnectionError
from botocore.exceptions import HTTPClientError
from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBConnectionError, PynamoDBException, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from ..domain.case import (
    Actor,
    ActorKind,
    Case,
    CaseSummary,
    Deadline,
    Event,
    Milestone,
    Priority,
    Visibility,
)
from ..domain.complaint import Channel, Complainant, ComplainantType, ComplaintDetails
from ..domain.errors import InvalidInputError, StorageUnavailableError, VersionConflictError
from ..domain.lifecycle import Status
from ..domain.messages import Message
from ..domain.moments import EARLIEST, LATEST, to_utc
from ..domain.notifications import Notice
from ..domain.vocabulary import Lang
from ..services.repository import (
    AccessEntry,
    CasePage,
    CaseQuery,
    IdempotencyKeyTakenError,
    IdempotencyRecord,
    TrackingNumberTakenError,
)
from .models import (
    AccessLogRecord,
    ActorMap,
    AttemptRecord,
    CaseRecord,
    ComplainantMap,
    EventRecord,
    IdempotencyRecordModel,
    connection,
    queue_key,
)
from .outbox_records import notice_record, record_is_new

__all__ = ["DynamoAttemptCounter", "DynamoCaseRepository", "case_from_record", "case_to_record"]

_T = TypeVar("_T")
_OPEN = "open"
# PynamoDB asks for consumed capacity on every call unless told otherwise; nothing here reads it, and
# on a transaction it costs DynamoDB about half a millisecond.
_NO_CAPACITY_REPORT = "NONE"

# Codes after which the same request may succeed later: the caller gets 503 and Retry-After.
_TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "TransactionInProgressException",
    }
)


# Reasons inside a cancelled transaction after which the same transaction may succeed later.
_TRANSIENT_REASONS = frozenset({"ThrottlingError", "ProvisionedThroughputExceeded", "TransactionConflict"})


def _unreachable(error: PynamoDBException) -> bool:
    """Whether DynamoDB never answered: no connection, or the connection broke or timed out. Any
    operation (a transaction too) then fails without a response code."""
    cause = error.cause
    return isinstance(cause, (TransportConnectionError, HTTPClientError)) or (
        isinstance(error, PynamoDBConnectionError) and error.cause_response_code is None
    )


def _unavailable_or_raise(error: PynamoDBException) -> None:
    """Raise ``StorageUnavailableError`` (503 with Retry-After) for a fault that may pass."""
    if _unreachable(error) or error.cause_response_code in _TRANSIENT_CODES:
        raise StorageUnavailableError() from error
    if isinstance(error, TransactWriteError):
        codes = {getattr(reason, "code", None) for reason in error.cancellation_reasons or []}
        if codes & _TRANSIENT_REASONS:
            raise StorageUnavailableError() from error


def _call(operation: Callable[[], _T]) -> _T:
    try:
        return operation()
    except PynamoDBException as error:
        _unavailable_or_raise(error)
        raise


def case_to_record(case: Case) -> CaseRecord:
    c, d = case.complainant, case.details
    record = CaseRecord(
        tracking_no=case.tracking_no,
        status=case.status.value,
        channel=case.channel,
        category=d.category,
        department=case.department,
        priority=case.priority,
        confidential=case.confidential,
        access_code_hash=case.access_code_hash,
        complainant=ComplainantMap(
            type=c.type,
            anonymous=c.anonymous,
            preferred_language=c.preferred_language,
            name=c.name,
            organization=c.organization,
            credit_code=c.credit_code,
            phone=c.phone,
            email=c.email,
        ),
        subject=d.subject,
        description=d.description,
        location=d.location,
        occurred_on=d.occurred_on.isoformat() if d.occurred_on else None,
        desired_outcome=d.desired_outcome,
        claim_amount=str(d.claim_amount) if d.claim_amount is not None else None,
        submitted_at=case.submitted_at,
        submitted_month=case.submitted_month,
        updated_at=case.updated_at,
        queue_at=case.next_due_at or case.updated_at,
        queue_key=queue_key(case.next_due_at or case.updated_at, case.tracking_no),
        next_due_kind=case.next_deadline.kind if case.next_deadline else None,
        deadline_entries=[
            {
                "kind": d.kind,
                "due_at": d.due_at.isoformat(),
                "provisional": d.provisional,
                "met_at": d.met_at.isoformat() if d.met_at else None,
            }
            for d in case.deadlines
        ],
        milestone_entries=[{"status": m.status.value, "at": m.at.isoformat()} for m in case.milestones],
        review_count=case.review_count,
        handled_by=list(case.handled_by),
        callback_satisfaction=case.callback_satisfaction,
        complainant_rating=case.complainant_rating,
        queue=_OPEN if case.awaits_staff else None,
    )
    # PynamoDB writes version + 1 on condition that the stored version is the one read; a new
    # record has no version and is written as version 1 on condition that none exists.
    if case.version > 1:
        record.version = case.version - 1
    return record


def case_from_record(record: CaseRecord) -> Case:
    # The casts narrow strings this module wrote from the domain's literal types.
    c = record.complainant
    claim_amount: str | None = record.claim_amount
    return Case(
        tracking_no=record.tracking_no,
        access_code_hash=record.access_code_hash,
        status=Status(record.status),
        channel=cast(Channel, record.channel),
        complainant=Complainant(
            type=cast(ComplainantType, c.type),
            anonymous=c.anonymous,
            preferred_language=cast(Lang, c.preferred_language),
            name=c.name,
            organization=c.organization,
            credit_code=c.credit_code,
            phone=c.phone,
            email=c.email,
        ),
        details=ComplaintDetails(
            category=record.category,
            subject=record.subject,
            description=record.description,
            location=record.location,
            occurred_on=date.fromisoformat(record.occurred_on) if record.occurred_on else None,
            desired_outcome=record.desired_outcome,
            claim_amount=Decimal(claim_amount) if claim_amount is not None else None,
        ),
        submitted_at=record.submitted_at,
        updated_at=record.updated_at,
        version=int(record.version or 0),
        confidential=record.confidential,
        department=record.department,
        priority=cast("Priority | None", record.priority),
        deadlines=_deadlines_from(record),
        milestones=tuple(
            Milestone(Status(m["status"]), _stored_moment(m["at"])) for m in record.milestone_entries
        ),
        review_count=int(record.review_count),
        handled_by=_handled_by(record),
        callback_satisfaction=record.callback_satisfaction,
        complainant_rating=record.complainant_rating,
    )


def _handled_by(record: CaseRecord) -> tuple[str, ...]:
    if record.handled_by is not None:
        return tuple(str(staff_id) for staff_id in record.handled_by)
    return (record.decided_by,) if record.decided_by else ()


def _stored_moment(text: str) -> datetime:
    """A moment kept as ISO text, in UTC. Versions before the API bounded what it stores could keep
    one with no UTC equivalent (year 9999 at UTC-5): it reads as the edge of the span it lies
    beyond, so the case can still be shown and worked."""
    moment = datetime.fromisoformat(text)
    utc = to_utc(moment)
    if utc is not None:
        return utc
    return LATEST if moment.replace(tzinfo=None) >= LATEST.replace(tzinfo=None) else EARLIEST


def _deadlines_from(record: CaseRecord) -> tuple[Deadline, ...]:
    return tuple(
        Deadline(
            kind=d["kind"],
            due_at=_stored_moment(d["due_at"]),
            provisional=bool(d["provisional"]),
            met_at=_stored_moment(d["met_at"]) if d["met_at"] else None,
        )
        for d in record.deadline_entries
    )


def _text(item: dict[str, Any], name: str) -> str | None:
    value = item.get(name)
    return value.get("S") if value else None


def summary_from_item(item: dict[str, Any]) -> CaseSummary:
    """A case as an index projects it (models.SUMMARY_ATTRIBUTES), read from the raw item with the
    model's own attribute types. The queue's hot path skips building a model per item, which cost
    more than the rest of a listing together."""
    still_due = "queue" in item
    when = CaseRecord.submitted_at.deserialize
    due_at = when(item["queue_at"]["S"]) if still_due else None
    return CaseSummary(
        tracking_no=item["tracking_no"]["S"],
        version=int(item["version"]["N"]),
        status=Status(item["status"]["S"]),
        channel=cast(Channel, item["channel"]["S"]),
        category=item["category"]["S"],
        subject=item["subject"]["S"],
        confidential=bool(item["confidential"]["BOOL"]),
        submitted_at=when(item["submitted_at"]["S"]),
        updated_at=when(item["updated_at"]["S"]),
        department=_text(item, "department"),
        priority=cast("Priority | None", _text(item, "priority")),
        next_due_kind=_text(item, "next_due_kind") if still_due else None,
        next_due_at=due_at,
    )


def _event_to_record(event: Event) -> EventRecord:
    return EventRecord(
        tracking_no=event.tracking_no,
        seq=event.seq,
        at=event.at,
        actor=ActorMap(
            kind=event.actor.kind, id=event.actor.id, name=event.actor.name, role=event.actor.role
        ),
        action=event.action,
        visibility=event.visibility,
        from_status=event.from_status.value if event.from_status else None,
        to_status=event.to_status.value if event.to_status else None,
        note=event.note,
        data=dict(event.data),
    )


def _event_from_record(record: EventRecord) -> Event:
    a = record.actor
    return Event(
        tracking_no=record.tracking_no,
        seq=int(record.seq),
        at=record.at,
        actor=Actor(kind=cast(ActorKind, a.kind), id=a.id, name=a.name, role=a.role),
        action=record.action,
        visibility=cast(Visibility, record.visibility),
        from_status=Status(record.from_status) if record.from_status else None,
        to_status=Status(record.to_status) if record.to_status else None,
        note=record.note,
        data={str(k): str(v) for k, v in record.data.as_dict().items()},
    )


def _access_to_record(entry: AccessEntry) -> AccessLogRecord:
    return AccessLogRecord(
        tracking_no=entry.tracking_no,
        # A random suffix: two views in the same microsecond stay two entries.
        viewed_at=f"{entry.at.isoformat()}#{secrets.token_hex(4)}",
        staff_id=entry.staff_id,
        staff_name=entry.staff_name,
        role=entry.role,
        purpose=entry.purpose,
    )


def _is_conflict(reason: object) -> bool:
    code = getattr(reason, "code", None)
    return code in ("ConditionalCheckFailed", "TransactionConflict")


def _conflicting_write(error: TransactWriteError) -> bool:
    return any(_is_conflict(reason) for reason in (error.cancellation_reasons or []))


class _Cursor:
    """Opaque page cursors: the index and its last evaluated key, base64url-encoded JSON."""

    @staticmethod
    def encode(index: str, key: dict[str, dict[str, str]]) -> str:
        raw = json.dumps({"i": index, "k": key}, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @staticmethod
    def decode(cursor: str, index: str, key_names: set[str]) -> dict[str, dict[str, str]]:
        try:
            raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
            key = raw["k"]
            valid = (
                raw["i"] == index
                and isinstance(key, dict)
                and set(key) == key_names
                and all(
                    isinstance(v, dict) and list(v) == ["S"] and isinstance(v["S"], str) for v in key.values()
                )
            )
        except (ValueError, KeyError, TypeError):
            valid = False
        if not valid:
            raise InvalidInputError({"cursor": Message("invalid_cursor")}, Message("invalid_cursor"))
        return key  # type: ignore[no-any-return]  # checked just above


def _and(conditions: list[Condition]) -> Condition | None:
    return functools.reduce(operator.and_, conditions) if conditions else None


class _QueueQuery:
    """Chooses the index that serves a ``CaseQuery`` and the conditions that narrow it."""

    def __init__(self, query: CaseQuery) -> None:
        self.filters: list[Condition] = []
        self.range_condition: Condition | None = None
        if query.category:
            self.filters.append(CaseRecord.category == query.category)
        if query.priority:
            self.filters.append(CaseRecord.priority == query.priority)
        sorted_by_due = True
        if query.department:
            self.index: Any = CaseRecord.department_queue
            self.hash_value = query.department
            self._filter_status_and_month(query, status=True, month=True)
        elif query.status:
            self.index, self.hash_value = CaseRecord.status_queue, query.status.value
            self._filter_status_and_month(query, status=False, month=True)
        elif query.month:
            self.index, self.hash_value = CaseRecord.by_month, query.month
            sorted_by_due = False
        else:
            self.index, self.hash_value = CaseRecord.open_queue, _OPEN
        open_queue = self.index is CaseRecord.open_queue
        due_now = queue_key(query.now, "")
        # A filter may not name the index's own keys: on the open queue, "open" is its partition.
        if query.overdue is True:
            if sorted_by_due:
                self.range_condition = CaseRecord.queue_key < due_now
            else:
                self.filters.append(CaseRecord.queue_at < query.now)
            if not open_queue:
                self.filters.append(CaseRecord.queue.exists())
        elif query.overdue is False:
            if open_queue:
                self.range_condition = CaseRecord.queue_key >= due_now
            else:
                self.filters.append(CaseRecord.queue.does_not_exist() | (CaseRecord.queue_at >= query.now))

    def _filter_status_and_month(self, query: CaseQuery, *, status: bool, month: bool) -> None:
        if status and query.status:
            self.filters.append(CaseRecord.status == query.status.value)
        if month and query.month:
            self.filters.append(CaseRecord.submitted_month == query.month)

    @property
    def index_name(self) -> str:
        return str(self.index.Meta.index_name)

    @property
    def key_names(self) -> set[str]:
        """The attributes of a last evaluated key from this index: its keys and the table's."""
        schema = self.index._get_schema()
        return {"tracking_no", *(key["AttributeName"] for key in schema["key_schema"])}


class DynamoCaseRepository:
    def __init__(self, *, region: str, host: str | None) -> None:
        self._connection: Connection = connection(region=region, host=host)

    def create(
        self,
        case: Case,
        event: Event,
        idempotency: IdempotencyRecord | None,
        notices: Sequence[Notice] = (),
    ) -> None:
        try:
            with TransactWrite(
                connection=self._connection, return_consumed_capacity=_NO_CAPACITY_REPORT
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
                transaction.save(case_to_record(case), condition=CaseRecord.tracking_no.does_not_exist())
                transaction.save(_event_to_record(event), condition=EventRecord.tracking_no.does_not_exist())
                for notice in notices:  # after the case: its conflicts are read by position above
                    transaction.save(notice_record(notice), condition=record_is_new)
        except TransactWriteError as error:
            reasons = list(error.cancellation_reasons or [])
            offset = 0
            if idempotency is not None:
                if reasons and _is_conflict(reasons[0]):
                    raise IdempotencyKeyTakenError() from error
                offset = 1
            if len(reasons) > offset and _is_conflict(reasons[offset]):
                raise TrackingNumberTakenError() from error
            _unavailable_or_raise(error)
            raise

    def get(self, tracking_no: str) -> Case | None:
        def read() -> Case | None:
            try:
                return case_from_record(CaseRecord.get(tracking_no, consistent_read=True))
            except CaseRecord.DoesNotExist:
                return None

        return _call(read)

    def get_idempotency(self, key_hash: str) -> IdempotencyRecord | None:
        def read() -> IdempotencyRecord | None:
            try:
                r = IdempotencyRecordModel.get(key_hash, consistent_read=True)
            except IdempotencyRecordModel.DoesNotExist:
                return None
            expires_at: datetime = r.expires_at
            return IdempotencyRecord(r.key_hash, r.fingerprint, r.tracking_no, r.created_at, expires_at)

        return _call(read)

    def history(self, tracking_no: str) -> list[Event]:
        return _call(
            lambda: [_event_from_record(r) for r in EventRecord.query(tracking_no, consistent_read=True)]
        )

    def save(
        self,
        case: Case,
        event: Event,
        access: AccessEntry | None = None,
        notices: Sequence[Notice] = (),
    ) -> None:
        try:
            with TransactWrite(
                connection=self._connection, return_consumed_capacity=_NO_CAPACITY_REPORT
            ) as transaction:
                # The record carries version - 1: PynamoDB adds the condition that it is still stored.
                transaction.save(case_to_record(case))
                transaction.save(_event_to_record(event), condition=EventRecord.tracking_no.does_not_exist())
                if access is not None:
                    transaction.save(_access_to_record(access))
                for notice in notices:
                    transaction.save(notice_record(notice), condition=record_is_new)
        except TransactWriteError as error:
            if _conflicting_write(error):
                raise VersionConflictError() from error
            _unavailable_or_raise(error)
            raise

    def list_cases(self, query: CaseQuery) -> CasePage:
        plan = _QueueQuery(query)
        start = _Cursor.decode(query.cursor, plan.index_name, plan.key_names) if query.cursor else None

        def read() -> CasePage:
            # Pages of the index until the page is full: filters may leave a DynamoDB page short.
            table = CaseRecord._get_connection()
            items: list[dict[str, Any]] = []
            key, last = start, None
            while True:
                page = table.query(
                    plan.hash_value,
                    range_key_condition=plan.range_condition,
                    filter_condition=_and(plan.filters),
                    index_name=plan.index_name,
                    limit=query.limit,
                    exclusive_start_key=key,
                    return_consumed_capacity=_NO_CAPACITY_REPORT,
                )
                for item in page.get("Items", []):
                    items.append(item)
                    if len(items) == query.limit:
                        last = {name: item[name] for name in plan.key_names}
                        break
                key = page.get("LastEvaluatedKey")
                if last is not None or not key:
                    break
            cursor = _Cursor.encode(plan.index_name, last) if last else None
            return CasePage([summary_from_item(item) for item in items], cursor)

        return _call(read)

    def record_access(self, entry: AccessEntry) -> None:
        _call(_access_to_record(entry).save)

    def access_log(self, tracking_no: str) -> list[AccessEntry]:
        return _call(
            lambda: [
                AccessEntry(
                    tracking_no=r.tracking_no,
                    at=datetime.fromisoformat(r.viewed_at.split("#")[0]),
                    staff_id=r.staff_id,
                    staff_name=r.staff_name,
                    role=r.role,
                    purpose=r.purpose,
                )
                for r in AccessLogRecord.query(tracking_no, consistent_read=True)
            ]
        )


class DynamoAttemptCounter:
    """Attempt counts, each reserved by one conditional update: concurrent reservations are
    serialised by DynamoDB, so no more than the cap are ever counted."""

    def reserve(self, key: str, cap: int, expires_at: datetime) -> bool:
        record = AttemptRecord(key=key)
        try:
            _call(
                lambda: record.update(
                    actions=[AttemptRecord.failures.add(1), AttemptRecord.expires_at.set(expires_at)],
                    condition=AttemptRecord.failures.does_not_exist() | (AttemptRecord.failures < cap),
                )
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def release(self, key: str) -> None:
        record = AttemptRecord(key=key)
        try:
            _call(
                lambda: record.update(
                    actions=[AttemptRecord.failures.add(-1)], condition=AttemptRecord.failures > 0
                )
            )
        except UpdateError as error:
            if (
                error.cause_response_code != "ConditionalCheckFailedException"
            ):  # expired: nothing to give back
                raise
