"""Storage guarantees on AWS's own DynamoDB Local: concurrency, atomic writes, unique numbers."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from chalice.test import Client
from msgspec.structs import replace
from pynamodb.exceptions import TransactWriteError

from chalicelib.domain.case import COMPLAINANT, Case, Event, open_case
from chalicelib.domain.complaint import ComplaintDraft, check_draft
from chalicelib.domain.deadlines import default_policy
from chalicelib.domain.tracking import new_tracking_no
from chalicelib.services import submissions
from chalicelib.services.identity_keys import IdentityHasher
from chalicelib.services.submissions import Receipt, submit_complaint
from chalicelib.settings import Settings, get_settings
from chalicelib.storage.case_repository import DynamoCaseRepository
from chalicelib.storage.connection import dynamodb_for
from chalicelib.storage.event_records import ActorMap, EventRecord
from chalicelib.storage.tables import ensure_tables
from tests.support import unique_table_prefix
from tests.support.api_client import app_client, get_json, post_json, reset_app_state

from ..unit.test_complaint_rules import PERSON

SECRET = "dynamodb-local-secret-" + "x" * 20


@pytest.fixture
def settings(dynamodb_local: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setenv("STAGE", "test")
    monkeypatch.setenv("STORAGE", "dynamodb")
    monkeypatch.setenv("TABLE_PREFIX", unique_table_prefix("ddb"))
    reset_app_state()
    current = get_settings()
    ensure_tables(current)
    yield current
    reset_app_state()


@pytest.fixture
def repository(settings: Settings) -> DynamoCaseRepository:
    return DynamoCaseRepository(dynamodb_for(settings), IdentityHasher(settings.identity_key_secret))


def submit(
    repository: DynamoCaseRepository, draft: ComplaintDraft = PERSON, key: str | None = None
) -> Receipt:
    return submit_complaint(
        repository,
        draft,
        channel="web",
        actor=COMPLAINANT,
        idempotency_key=key,
        access_code_secret=SECRET,
        now=datetime.now(UTC),
        policy=default_policy(),
    )


def count_items(settings: Settings, table: str) -> int:
    client = boto3.client(
        "dynamodb", endpoint_url=settings.dynamodb_endpoint_url, region_name=settings.region
    )
    # A test may Scan to count; the application never does.
    paginator = client.get_paginator("scan")
    return sum(page["Count"] for page in paginator.paginate(TableName=table, Select="COUNT"))


def test_200_concurrent_submissions_make_200_cases_with_200_first_events(
    settings: Settings, repository: DynamoCaseRepository
) -> None:
    drafts = [replace(PERSON, subject=f"并发投诉第{i}号") for i in range(200)]
    with ThreadPoolExecutor(max_workers=32) as pool:
        receipts = list(pool.map(lambda d: submit(repository, d), drafts))
    numbers = {r.case.tracking_no for r in receipts}
    assert len(numbers) == 200
    assert count_items(settings, settings.cases_table) == 200
    assert count_items(settings, settings.events_table) == 200
    for number in list(numbers)[:20]:
        [event] = repository.history(number)
        assert event.seq == 1
        assert event.action == "submit"


def test_concurrent_retries_with_one_key_file_exactly_one_case(
    settings: Settings, repository: DynamoCaseRepository
) -> None:
    start = threading.Barrier(16)

    def retry() -> Receipt:
        start.wait()
        return submit(repository, key="double-click-7f3a")

    with ThreadPoolExecutor(max_workers=16) as pool:
        receipts = list(pool.map(lambda _: retry(), range(16)))
    assert len({r.case.tracking_no for r in receipts}) == 1
    assert len({r.access_code for r in receipts}) == 1
    assert sum(not r.replayed for r in receipts) == 1
    assert count_items(settings, settings.cases_table) == 1
    assert count_items(settings, settings.events_table) == 1


def test_a_failed_transaction_leaves_nothing_behind(
    settings: Settings, repository: DynamoCaseRepository
) -> None:
    # Given an orphan event already holding the first event's key of the number about to be drawn
    number = new_tracking_no()
    orphan = EventRecord(
        tracking_no=number,
        seq=1,
        at=datetime.now(UTC),
        actor=ActorMap(kind="system"),  # type: ignore[no-untyped-call]
        action="x",
        visibility="internal",
    )
    orphan.save()
    # When a case with that number is written with its first event, the whole transaction is refused ...
    with pytest.raises(TransactWriteError) as refused:
        repository.create(*_case_and_event(number), None)
    # (the case, the event, then the case's report facts)
    assert [getattr(r, "code", None) for r in refused.value.cancellation_reasons] == [
        None,
        "ConditionalCheckFailed",
        None,
    ]
    # ... and neither the case, nor another event, nor the case's report facts exist.
    assert repository.get(number) is None
    assert count_items(settings, settings.cases_table) == 0
    assert count_items(settings, settings.events_table) == 1
    assert count_items(settings, settings.reports_table) == 0


def _case_and_event(number: str) -> tuple[Case, Event]:
    complainant, details = check_draft(PERSON, today=datetime.now(UTC).date())
    return open_case(
        tracking_no=number,
        access_code_hash="h",
        complainant=complainant,
        details=details,
        channel="web",
        actor=COMPLAINANT,
        now=datetime.now(UTC),
        policy=default_policy(),
    )


def test_an_existing_number_is_never_overwritten(
    settings: Settings, repository: DynamoCaseRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    existing = submit(repository, replace(PERSON, subject="最早的投诉"))
    fresh = new_tracking_no()
    drawn = iter([existing.case.tracking_no, fresh])
    monkeypatch.setattr(submissions, "new_tracking_no", lambda: next(drawn))
    second = submit(repository, replace(PERSON, subject="第二个投诉"))
    assert second.case.tracking_no == fresh
    kept = repository.get(existing.case.tracking_no)
    assert kept is not None
    assert kept.details.subject == "最早的投诉"
    assert count_items(settings, settings.cases_table) == 2


def test_the_api_files_and_finds_a_case_on_dynamodb_local(
    dynamodb_local: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from .test_public_api import COMPLAINT

    with app_client(monkeypatch) as client:
        status, receipt, _ = post_json(client, "/complaints", COMPLAINT, {"Idempotency-Key": "k-1"})
        assert status == 201
        status, view, _ = get_json(client, f"/complaints/{receipt['tracking_no']}")
        assert status == 200
        assert view["status"] == "received"
        assert isinstance(client, Client)


def test_parallel_reservations_never_pass_the_cap(settings: Settings) -> None:
    from chalicelib.storage.attempt_counter import DynamoAttemptCounter

    counter = DynamoAttemptCounter(dynamodb_for(settings))
    expires = datetime.now(UTC) + timedelta(hours=1)
    with ThreadPoolExecutor(max_workers=16) as pool:
        granted = list(pool.map(lambda _: counter.reserve("case:1", 25, expires), range(100)))
    assert granted.count(True) == 25
    counter.release("case:1")
    assert counter.reserve("case:1", 25, expires)
    assert not counter.reserve("case:1", 25, expires)
    assert counter.reserve("case:2", 25, expires)
    counter.release("case:never-counted")  # nothing to give back: no error, nothing created
    assert counter.reserve("case:never-counted", 1, expires)


@pytest.fixture
def own_settings(dynamodb_local: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Tables on a DynamoDB Local of their own: rebuilding indexes on the shared one, full of the
    other tests' tables, takes minutes."""
    from tests.support import start_dynamodb_local

    server = start_dynamodb_local()
    try:
        monkeypatch.setenv("DYNAMODB_ENDPOINT_URL", server.endpoint_url)
        monkeypatch.setenv("STAGE", "test")
        monkeypatch.setenv("STORAGE", "dynamodb")
        monkeypatch.setenv("TABLE_PREFIX", unique_table_prefix("upkeep"))
        reset_app_state()
        ensure_tables(get_settings())
        yield get_settings()
    finally:
        reset_app_state()
        server.stop()


def test_tables_from_an_older_schema_are_brought_up_to_date(own_settings: Settings) -> None:
    from chalicelib.services.repository import CaseQuery
    from chalicelib.storage.models import CaseRecord
    from chalicelib.storage.tables import _wait_until_settled

    # Given a cases table as an earlier version made it: one index projecting whole items, no open
    # queue, and a case written without the queue's attributes
    client = boto3.client(
        "dynamodb", endpoint_url=own_settings.dynamodb_endpoint_url, region_name=own_settings.region
    )
    repository = DynamoCaseRepository(
        dynamodb_for(own_settings), IdentityHasher(own_settings.identity_key_secret)
    )
    receipt = submit(repository)
    number = receipt.case.tracking_no
    for index in ("open-queue-index", "status-queue-index"):
        client.update_table(
            TableName=own_settings.cases_table, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": index}}]
        )
        _wait_until_settled(client, own_settings.cases_table, gone=index)
    client.update_table(
        TableName=own_settings.cases_table,
        AttributeDefinitions=[
            {"AttributeName": "status", "AttributeType": "S"},
            {"AttributeName": "queue_at", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexUpdates=[
            {
                "Create": {
                    "IndexName": "status-queue-index",
                    "KeySchema": [
                        {"AttributeName": "status", "KeyType": "HASH"},
                        {"AttributeName": "queue_at", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            }
        ],
    )
    _wait_until_settled(client, own_settings.cases_table)
    client.update_item(
        TableName=own_settings.cases_table,
        Key={"tracking_no": {"S": number}},
        # ... its deadlines and milestones as lists of maps, as they were kept then
        # (and without the keys staff search finds cases by)
        UpdateExpression="REMOVE queue_key, #q, next_due_kind, deadline_entries, milestone_entries, "
        "name_key, organization_key, search_keys SET deadlines = :d, milestones = :m, "
        # ... and an extension asked for before the extension queue existed
        "extension_request = :x",
        ExpressionAttributeValues={
            ":x": {
                "S": json.dumps(
                    {
                        "deadline": "respond",
                        "due_at": "2030-02-01T09:00:00+00:00",
                        "reason": "待检测",
                        "by_id": "h1",
                        "by_name": "李承办",
                        "at": "2029-12-31T03:00:00+00:00",
                    }
                )
            },
            ":d": {
                "L": [
                    {
                        "M": {
                            "kind": {"S": "decide"},
                            "due_at": {"S": "2030-01-02T15:59:59.000000+0000"},
                            "provisional": {"BOOL": False},
                            "met_at": {"NULL": True},
                        }
                    }
                ]
            },
            ":m": {
                "L": [{"M": {"status": {"S": "received"}, "at": {"S": "2029-12-31T02:00:00.000000+0000"}}}]
            },
        },
        ExpressionAttributeNames={"#q": "queue"},
    )

    # When the tables are ensured again
    changes = ensure_tables(own_settings)

    # Then the indexes are the models' and the old case is in the queue, its version unchanged
    assert any("built index open-queue-index" in c for c in changes), changes
    assert any("dropped index status-queue-index" in c for c in changes), changes
    assert any("gave 1 older cases" in c for c in changes), changes
    assert any("converted 1 older cases" in c for c in changes), changes
    described = client.describe_table(TableName=own_settings.cases_table)["Table"]["GlobalSecondaryIndexes"]
    assert {i["IndexName"]: i["Projection"]["ProjectionType"] for i in described} == {
        **dict.fromkeys(
            (
                "status-queue-index",
                "department-queue-index",
                "open-queue-index",
                "extension-queue-index",
                "month-index",
            ),
            "INCLUDE",
        ),
        **dict.fromkeys(
            ("phone-index", "email-index", "credit-code-index", "name-index", "organization-index"),
            "KEYS_ONLY",
        ),
    }
    assert any("the keys staff search finds them by" in c for c in changes), changes
    name_key = IdentityHasher(own_settings.identity_key_secret).name_key(str(receipt.case.complainant.name))
    assert name_key is not None
    assert repository.cases_with_identifier("name", name_key, 10) == [number]
    now = datetime.now(UTC)
    for query in (CaseQuery(now=now), CaseQuery(now=now, status=receipt.case.status)):
        assert [s.tracking_no for s in repository.list_cases(query).cases] == [number]
    stored = CaseRecord.get(number)
    assert stored.version == 1
    converted = repository.get(number)
    assert converted is not None
    assert [(d.kind, d.due_at.year) for d in converted.deadlines] == [("decide", 2030)]
    assert converted.summary.next_due_kind == "decide"
    assert any("1 waiting extension requests joined the extension queue" in c for c in changes), changes
    waiting = repository.list_cases(CaseQuery(now=now, extension_waiting=True)).cases
    assert [s.tracking_no for s in waiting] == [number]
    assert ensure_tables(own_settings) == []
