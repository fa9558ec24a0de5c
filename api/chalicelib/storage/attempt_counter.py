"""Access-code attempt counts on DynamoDB, each reserved by one conditional update: concurrent
reservations are serialised by DynamoDB, so no more than the cap are ever counted.

Access pattern: the attempts per client or case and time window, by the attempts table's key,
expired by TTL."""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model

from .case_repository import NO_CAPACITY_REPORT
from .connection import DynamoDB
from .models import _Meta
from .sdk_errors import call

__all__ = ["AttemptRecord", "DynamoAttemptCounter"]


class AttemptRecord(Model):
    """Access-code attempts counted under one key: a client or a case, in one fixed time window
    (services/access_code_throttle.py), expired by TTL."""

    class Meta(_Meta):
        pass

    key = UnicodeAttribute(hash_key=True)
    failures = NumberAttribute(default=0)
    expires_at = TTLAttribute()


class DynamoAttemptCounter:
    def __init__(self, dynamodb: DynamoDB) -> None:
        self._connection = dynamodb.connection
        self._table = dynamodb.table(AttemptRecord)

    def _update(self, key: str, actions: list[Action], condition: Condition) -> bool:
        """Whether the conditional update was made (``False``: the condition did not hold)."""
        try:
            call(
                lambda: self._connection.update_item(
                    self._table,
                    key,
                    actions=actions,
                    condition=condition,
                    return_consumed_capacity=NO_CAPACITY_REPORT,
                )
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def reserve(self, key: str, cap: int, expires_at: datetime) -> bool:
        return self._update(
            key,
            [AttemptRecord.failures.add(1), AttemptRecord.expires_at.set(expires_at)],
            AttemptRecord.failures.does_not_exist() | (AttemptRecord.failures < cap),
        )

    def release(self, key: str) -> None:
        # Refused when nothing is counted (it expired): then there is nothing to give back.
        self._update(key, [AttemptRecord.failures.add(-1)], AttemptRecord.failures > 0)
