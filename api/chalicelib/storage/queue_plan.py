"""The staff queue's query plan (the index that serves a ``CaseQuery`` and the conditions that narrow
it) and its opaque page cursors."""

from __future__ import annotations

import base64
import functools
import json
import operator
from typing import Any

from pynamodb.expressions.condition import Condition

from ..domain.errors import InvalidInputError
from ..domain.messages import Message
from ..services.repository import CaseQuery
from .case_mapping import OPEN, WAITING
from .models import CaseRecord, queue_key
from .schema import index_key_names

__all__ = ["Cursor", "QueueQuery", "all_of"]


class Cursor:
    """Opaque page cursors: the index and its last evaluated key, base64url-encoded JSON."""

    @staticmethod
    def encode(index: str, key: dict[str, dict[str, str]]) -> str:
        raw = json.dumps({"i": index, "k": key}, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @staticmethod
    def decode(cursor: str, index: str, key_names: frozenset[str]) -> dict[str, dict[str, str]]:
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


def all_of(conditions: list[Condition]) -> Condition | None:
    return functools.reduce(operator.and_, conditions) if conditions else None


class QueueQuery:
    """Chooses the index that serves a ``CaseQuery`` and the conditions that narrow it."""

    def __init__(self, query: CaseQuery) -> None:
        self.filters: list[Condition] = []
        self.range_condition: Condition | None = None
        if query.category:
            self.filters.append(CaseRecord.category == query.category)
        if query.priority:
            self.filters.append(CaseRecord.priority == query.priority)
        if query.due_kind:
            self.filters.append(CaseRecord.next_due_kind == query.due_kind)
        sorted_by_due = True
        self.index: Any
        if query.extension_waiting:
            # The smallest set there is: every other filter narrows it.
            self.index, self.hash_value = CaseRecord.extension_queue, WAITING
            if query.department:
                self.filters.append(CaseRecord.department == query.department)
            self._filter_status_and_month(query, status=True, month=True)
        elif query.department:
            self.index = CaseRecord.department_queue
            self.hash_value = query.department
            self._filter_status_and_month(query, status=True, month=True)
        elif query.status:
            self.index, self.hash_value = CaseRecord.status_queue, query.status.value
            self._filter_status_and_month(query, status=False, month=True)
        elif query.month:
            self.index, self.hash_value = CaseRecord.by_month, query.month
            sorted_by_due = False
        else:
            self.index, self.hash_value = CaseRecord.open_queue, OPEN
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
    def key_names(self) -> frozenset[str]:
        """The attributes of a last evaluated key from this index: its keys and the table's."""
        return index_key_names(CaseRecord, self.index)
