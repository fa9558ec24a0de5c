"""The outbox's delivery on DynamoDB (``services.repository.OutboxStore``): each change of a
message's state is one conditional update. A delivery claims a message with a lease (a token and a
time), and only the holder of the lease marks it sent, retried or failed; a lease that runs out
(the delivery died) lets the next delivery claim it again."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import PutError, UpdateError

from ..domain.notifications import Notice
from ..services.repository import OutboxMessage
from .dynamodb import _call
from .outbox_records import (
    DUE,
    FAILED,
    OutboxRecord,
    message_from_record,
    notice_record,
    outbox_key,
    record_is_new,
)

__all__ = ["DynamoOutbox"]


def _conditional(update: Any) -> bool:
    """Run a conditional update: ``False`` when its condition did not hold."""
    try:
        update()
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


class DynamoOutbox:
    """SDK faults become ``StorageUnavailableError`` (503 with Retry-After) as in the repository."""

    def add(self, notices: list[Notice], *, now: datetime) -> list[Notice]:
        written = []
        for notice in notices:
            record = notice_record(notice)
            try:
                _call(lambda: record.save(condition=record_is_new))  # noqa: B023  # called at once
            except PutError as error:
                if error.cause_response_code == "ConditionalCheckFailedException":
                    continue
                raise
            written.append(notice)
        return written

    def due(self, now: datetime, limit: int) -> list[OutboxMessage]:
        records = _call(
            lambda: list(
                OutboxRecord.due_messages.query(
                    DUE, OutboxRecord.due_key <= outbox_key(now, "\uffff"), limit=limit
                )
            )
        )
        return [message_from_record(record) for record in records]

    def claim(self, message_id: str, *, token: str, now: datetime, lease: timedelta) -> OutboxMessage | None:
        record = OutboxRecord(message_id=message_id)
        waiting = (OutboxRecord.state == "pending") & (OutboxRecord.next_attempt_at <= now)
        abandoned = (OutboxRecord.state == "sending") & (OutboxRecord.lease_until < now)
        claimed = _call(
            lambda: _conditional(
                lambda: record.update(
                    actions=[
                        OutboxRecord.state.set("sending"),
                        OutboxRecord.lease_token.set(token),
                        OutboxRecord.lease_until.set(now + lease),
                        OutboxRecord.attempts.add(1),
                    ],
                    condition=waiting | abandoned,
                )
            )
        )
        return message_from_record(record) if claimed else None

    def _holding(self, message_id: str, token: str, actions: list[Any]) -> bool:
        record = OutboxRecord(message_id=message_id)
        return bool(
            _call(
                lambda: _conditional(
                    lambda: record.update(actions=actions, condition=OutboxRecord.lease_token == token)
                )
            )
        )

    def mark_sent(
        self, message_id: str, *, token: str, now: datetime, provider_id: str, expires_at: datetime
    ) -> bool:
        return self._holding(
            message_id,
            token,
            [
                OutboxRecord.state.set("sent"),
                OutboxRecord.sent_at.set(now),
                OutboxRecord.provider_id.set(provider_id),
                OutboxRecord.access_code.remove(),
                OutboxRecord.expires_at.set(expires_at),
                OutboxRecord.due.remove(),
                OutboxRecord.due_key.remove(),
                OutboxRecord.lease_token.remove(),
                OutboxRecord.lease_until.remove(),
                OutboxRecord.error.remove(),
            ],
        )

    def retry_later(self, message_id: str, *, token: str, at: datetime, error: str) -> bool:
        return self._holding(
            message_id,
            token,
            [
                OutboxRecord.state.set("pending"),
                OutboxRecord.next_attempt_at.set(at),
                OutboxRecord.due_key.set(outbox_key(at, message_id)),
                OutboxRecord.error.set(error),
                OutboxRecord.lease_token.remove(),
                OutboxRecord.lease_until.remove(),
            ],
        )

    def mark_failed(
        self, message_id: str, *, token: str, now: datetime, error: str, expires_at: datetime
    ) -> bool:
        return self._holding(
            message_id,
            token,
            [
                OutboxRecord.state.set("failed"),
                OutboxRecord.error.set(error),
                OutboxRecord.failed.set(FAILED),
                OutboxRecord.failed_key.set(outbox_key(now, message_id)),
                OutboxRecord.expires_at.set(expires_at),
                OutboxRecord.due.remove(),
                OutboxRecord.due_key.remove(),
                OutboxRecord.lease_token.remove(),
                OutboxRecord.lease_until.remove(),
            ],
        )

    def resend(self, message_id: str, *, now: datetime) -> bool:
        record = OutboxRecord(message_id=message_id)
        return bool(
            _call(
                lambda: _conditional(
                    lambda: record.update(
                        actions=[
                            OutboxRecord.state.set("pending"),
                            OutboxRecord.attempts.set(0),
                            OutboxRecord.next_attempt_at.set(now),
                            OutboxRecord.due.set(DUE),
                            OutboxRecord.due_key.set(outbox_key(now, message_id)),
                            OutboxRecord.failed.remove(),
                            OutboxRecord.failed_key.remove(),
                            OutboxRecord.expires_at.remove(),
                        ],
                        condition=OutboxRecord.state == "failed",
                    )
                )
            )
        )

    def for_case(self, tracking_no: str) -> list[OutboxMessage]:
        records = _call(lambda: list(OutboxRecord.by_case.query(tracking_no)))
        return [message_from_record(record) for record in records]

    def failed(self, limit: int) -> list[OutboxMessage]:
        records = _call(lambda: list(OutboxRecord.failed_messages.query(FAILED, limit=limit)))
        return [message_from_record(record) for record in records]
