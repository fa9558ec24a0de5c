"""1 000 submissions over HTTP from 16 threads on DynamoDB Local: every one filed exactly once."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest

from chalicelib.settings import Settings, get_settings
from chalicelib.storage.tables import ensure_tables
from tests.support import free_port, unique_table_prefix
from tests.support.api_client import reset_app_state
from tests.support.api_server import serve_app

from .test_public_api import COMPLAINT

SUBMISSIONS = 1000
THREADS = 16


@pytest.fixture
def settings(dynamodb_local: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setenv("STAGE", "test")
    monkeypatch.setenv("STORAGE", "dynamodb")
    monkeypatch.setenv("TABLE_PREFIX", unique_table_prefix("load"))
    reset_app_state()
    ensure_tables(get_settings())
    yield get_settings()
    reset_app_state()


def count(settings: Settings, table: str) -> int:
    client = boto3.client(
        "dynamodb", endpoint_url=settings.dynamodb_endpoint_url, region_name=settings.region
    )
    return sum(
        page["Count"] for page in client.get_paginator("scan").paginate(TableName=table, Select="COUNT")
    )


@pytest.mark.timeout(600)
def test_1000_submissions_from_16_threads_make_1000_cases_and_events(settings: Settings) -> None:
    port = free_port()
    local = threading.local()
    numbers: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()

    def submit(i: int) -> None:
        if not hasattr(local, "connection"):
            local.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)  # keep-alive
        body = json.dumps({**COMPLAINT, "subject": f"压力测试第{i}号投诉"})
        local.connection.request("POST", "/complaints", body, {"Content-Type": "application/json"})
        response = local.connection.getresponse()
        payload = json.loads(response.read())
        with lock:
            if response.status == 201:
                numbers.append(payload["tracking_no"])
            else:
                errors.append(f"{response.status} {payload}")

    with serve_app(port), ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(submit, range(SUBMISSIONS)))
    assert errors == []
    assert len(numbers) == SUBMISSIONS
    assert len(set(numbers)) == SUBMISSIONS
    assert count(settings, settings.cases_table) == SUBMISSIONS
    assert count(settings, settings.events_table) == SUBMISSIONS
