"""The storage the monthly report needs, as a protocol: storage/ implements it on DynamoDB (the
reports table) and in memory (with the memory repository, which keeps the facts with the cases).

Every read is of one month's items, or of a few items by key: none grows with the table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from msgspec import Struct

from ..domain.monthly_report import Figures
from ..domain.report_facts import CaseFacts

__all__ = ["ReportStore", "Snapshot"]


class Snapshot(Struct, frozen=True):
    """A month's report as it was frozen: its figures (for comparisons, trends and the published
    statistics) and its whole document (everything the report shows, in codes and numbers)."""

    month: str
    frozen_at: datetime
    figures: Figures
    document: Mapping[str, Any]


class ReportStore(Protocol):
    def month_facts(self, month: str) -> list[CaseFacts]:
        """The facts of every case ``month`` concerns (read from the month's partition only)."""
        ...

    def facts_in(self, keys: Sequence[tuple[str, str]]) -> dict[str, CaseFacts]:
        """The facts kept under (month, tracking number) for each key, by tracking number."""
        ...

    def carried(self, months: Sequence[str]) -> set[str]:
        """Which of ``months`` have had the cases open at the end of the month before carried in."""
        ...

    def carry(self, month: str, facts: Sequence[CaseFacts]) -> int:
        """Keep a copy of each of ``facts`` in ``month`` unless the month has one already (a change
        of the case since wrote a newer one); how many were copied."""
        ...

    def mark_carried(self, month: str) -> None: ...

    def snapshot(self, month: str) -> Snapshot | None: ...

    def snapshot_figures(self, months: Sequence[str]) -> dict[str, Figures]:
        """The frozen figures of those of ``months`` that have a snapshot."""
        ...

    def freeze(self, snapshot: Snapshot) -> bool:
        """Keep ``snapshot`` unless its month has one already (``False``: the first one stays)."""
        ...

    def statistics(self, key: str) -> Mapping[str, Any] | None:
        """The published statistics ending at a month (``YYYY-MM``), or the latest (``latest``)."""
        ...

    def publish_statistics(self, month: str, dataset: Mapping[str, Any]) -> None:
        """Keep ``dataset`` as the statistics ending at ``month``, and as the latest."""
        ...
