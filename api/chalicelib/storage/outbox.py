"""The outbox's delivery on DynamoDB (``services.repository.OutboxStore``), every request through the
process's one connection (connection.py). Each change of a message's state is one conditional
update: a delivery claims a message with a lease (a token and a time), and only the holder of the
lease marks it sent, retried or failed; a lease that runs out (the delivery died) lets the next
delivery claim it again."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import PutError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from ..domain.notifications import Notice
from ..services.repository import OutboxMessage
from .case_repository import NO_CAPACITY_REPORT
from .connection import DynamoDB
from .outbox_records import (
    DUE,
    FAILED,
    OutboxRecord,
    message_from_record,
    notice_record,
    outbox_key,
    record_is_new,
)
from .sdk_errors import call

__all__ = ["DynamoOutbox"]

_REFUSED = "ConditionalCheckFailedException"


class DynamoOutbox:
    def __init__(self, dynamodb: DynamoDB) -> None:
        self._connection = dynamodb.connection
        self._table = dynamodb.table(OutboxRecord)

    # --- reading ----------------------------------------------------------------------------------

    def _query(
        self, hash_key: str, index: str, range_condition: Condition | None = None, limit: int | None = None
    ) -> list[OutboxMessage]:
        def read() -> list[dict[str, Any]]:
            items: list[dict[str, Any]] = []
            start = None
            while True:
                page = self._connection.query(
                    self._table,
                    hash_key,
                    range_key_condition=range_condition,
                    index_name=index,
                    limit=limit,
                    exclusive_start_key=start,
                    return_consumed_capacity=NO_CAPACITY_REPORT,
                )
                items.extend(page.get("Items", []))
                start = page.get("LastEvaluatedKey")
                if not start or (limit is not None and len(items) >= limit):
                    return items[:limit]

        return [message_from_record(OutboxRecord.from_raw_data(item)) for item in call(read)]

    def due(self, now: datetime, limit: int) -> list[OutboxMessage]:
        # Every key of a moment sorts before "<moment>#\uffff": messages due at or before ``now``.
        return self._query(DUE, "due-index", OutboxRecord.due_key <= outbox_key(now, "\uffff"), limit)

    def for_case(self, tracking_no: str) -> list[OutboxMessage]:
        return self._query(tracking_no, "case-index")

    def failed(self, limit: int) -> list[OutboxMessage]:
        return self._query(FAILED, "failed-index", limit=limit)

    # --- writing ----------------------------------------------------------------------------------

    def _put_new(self, record: OutboxRecord) -> bool:
        """Write ``record`` unless a message of its id exists (then ``False``: the same message)."""
        try:
            call(
                lambda: self._connection.put_item(
                    self._table,
                    record.message_id,
                    attributes=record.serialize(),
                    condition=record_is_new,
                    return_consumed_capacity=NO_CAPACITY_REPORT,
                )
            )
        except PutError as error:
            if error.cause_response_code == _REFUSED:
                return False
            raise
        return True

    def add(self, notices: list[Notice], *, now: datetime) -> list[Notice]:
        return [notice for notice in notices if self._put_new(notice_record(notice))]

    def _update(self, message_id: str, actions: list[Action], condition: Condition) -> bool:
        """Whether the conditional update was made (``False``: its condition did not hold)."""
        try:
            call(
                lambda: self._connection.update_item(
                    self._table,
                    message_id,
                    actions=actions,
                    condition=condition,
                    return_consumed_capacity=NO_CAPACITY_REPORT,
                )
            )
        except UpdateError as error:
            if error.cause_response_code == _REFUSED:
                return False
            raise
        return True

    def claim(self, message_id: str, *, token: str, now: datetime, lease: timedelta) -> OutboxMessage | None:
        waiting = (OutboxRecord.state == "pending") & (OutboxRecord.next_attempt_at <= now)
        abandoned = (OutboxRecord.state == "sending") & (OutboxRecord.lease_until < now)
        try:
            answer = call(
                lambda: self._connection.update_item(
                    self._table,
                    message_id,
                    actions=[
                        OutboxRecord.state.set("sending"),
                        OutboxRecord.lease_token.set(token),
                        OutboxRecord.lease_until.set(now + lease),
                        OutboxRecord.attempts.add(1),
                    ],
                    condition=waiting | abandoned,
                    return_values="ALL_NEW",
                    return_consumed_capacity=NO_CAPACITY_REPORT,
                )
            )
        except UpdateError as error:
            if error.cause_response_code == _REFUSED:
                return None
            raise
        return message_from_record(OutboxRecord.from_raw_data(answer["Attributes"]))

    def _released(self) -> list[Action]:
        return [OutboxRecord.lease_token.remove(), OutboxRecord.lease_until.remove()]

    def mark_sent(
        self, message_id: str, *, token: str, now: datetime, provider_id: str, expires_at: datetime
    ) -> bool:
        return self._update(
            message_id,
            [
                OutboxRecord.state.set("sent"),
                OutboxRecord.sent_at.set(now),
                OutboxRecord.provider_id.set(provider_id),
                OutboxRecord.expires_at.set(expires_at),
                OutboxRecord.access_code.remove(),
                OutboxRecord.due.remove(),
                OutboxRecord.due_key.remove(),
                OutboxRecord.error.remove(),
                *self._released(),
            ],
            OutboxRecord.lease_token == token,
        )

    def retry_later(self, message_id: str, *, token: str, at: datetime, error: str) -> bool:
        return self._update(
            message_id,
            [
                OutboxRecord.state.set("pending"),
                OutboxRecord.next_attempt_at.set(at),
                OutboxRecord.due_key.set(outbox_key(at, message_id)),
                OutboxRecord.error.set(error),
                *self._released(),
            ],
            OutboxRecord.lease_token == token,
        )

    def mark_failed(
        self, message_id: str, *, token: str, now: datetime, error: str, expires_at: datetime
    ) -> bool:
        return self._update(
            message_id,
            [
                OutboxRecord.state.set("failed"),
                OutboxRecord.error.set(error),
                OutboxRecord.failed.set(FAILED),
                OutboxRecord.failed_key.set(outbox_key(now, message_id)),
                OutboxRecord.expires_at.set(expires_at),
                OutboxRecord.due.remove(),
                OutboxRecord.due_key.remove(),
                *self._released(),
            ],
            OutboxRecord.lease_token == token,
        )

    def resend(self, message_id: str, *, now: datetime) -> bool:
        return self._update(
            message_id,
            [
                OutboxRecord.state.set("pending"),
                OutboxRecord.attempts.set(0),
                OutboxRecord.next_attempt_at.set(now),
                OutboxRecord.due.set(DUE),
                OutboxRecord.due_key.set(outbox_key(now, message_id)),
                OutboxRecord.failed.remove(),
                OutboxRecord.failed_key.remove(),
                OutboxRecord.expires_at.remove(),
            ],
            OutboxRecord.state == "failed",
        )
