"""A month's facts read from DynamoDB Local as four Queries of key ranges at once
(storage/report_store.py): every facts item of the month and nothing else, in key order, whatever
symbol its tracking number starts with."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.lifecycle import Status
from chalicelib.domain.report_facts import CaseCore, CaseFacts
from chalicelib.domain.tracking import ALPHABET, check_symbol
from chalicelib.services.report_store import ReportStore, Snapshot
from tests.support import unique_table_prefix
from tests.support.api_client import reset_app_state

MONTH = "2025-06"
RECEIVED = datetime(2025, 6, 2, 1, tzinfo=UTC)


@pytest.fixture
def store(dynamodb_local: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[ReportStore]:
    monkeypatch.setenv("STAGE", "test")
    monkeypatch.setenv("STORAGE", "dynamodb")
    monkeypatch.setenv("TABLE_PREFIX", unique_table_prefix("report-store"))
    reset_app_state()
    from chalicelib.settings import get_settings
    from chalicelib.storage import report_store_for
    from chalicelib.storage.tables import ensure_tables

    ensure_tables(get_settings())
    yield report_store_for(get_settings())
    reset_app_state()


def facts(tracking_no: str, n: int) -> CaseFacts:
    return CaseFacts(
        CaseCore(
            tracking_no=tracking_no,
            version=1,
            received_at=RECEIVED + timedelta(minutes=n),
            channel="web",
            category="environment",
            confidential=False,
            complainant_type="individual",
            anonymous=False,
            reachable=True,
            status=Status.RECEIVED,
            milestones=((Status.RECEIVED, RECEIVED + timedelta(minutes=n)),),
        )
    )


def number(first: str, rest: str) -> str:
    body = (first + rest * 10)[:11]
    return body + check_symbol(body)


def test_a_months_facts_are_every_facts_item_of_the_month_in_key_order(store: ReportStore) -> None:
    # Two cases for every symbol a tracking number may start with (the first and the last of the
    # alphabet after it), so that each of the four ranges and each of their edges holds some.
    numbers = [number(first, rest) for first in ALPHABET for rest in ("0", "Z")]
    month = [facts(no, n) for n, no in enumerate(numbers)]
    assert store.carry(MONTH, month) == len(month)
    # Items of the month that are not facts, and facts of the months either side.
    store.mark_carried(MONTH)
    store.freeze(Snapshot(MONTH, RECEIVED, {"received.total": len(month)}, {"figures": {}}))
    store.carry("2025-05", [facts(number("0", "1"), 0)])
    store.carry("2025-07", [facts(number("Z", "1"), 0)])

    read = store.month_facts(MONTH)

    assert [f.tracking_no for f in read] == sorted(numbers)
    assert {f.tracking_no: f for f in read} == {f.tracking_no: f for f in month}
    assert store.month_facts("2025-08") == []
