"""Staff work on AWS's DynamoDB Local: no lost update under concurrency, and a queue served by
indexes alone that selects and orders exactly as the in-memory fake does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from msgspec.structs import replace
from pynamodb.connection.base import Connection

from chalicelib.domain.actions import Accept, Note, Respond, StaffAction, Start
from chalicelib.domain.case import COMPLAINANT, Priority
from chalicelib.domain.deadlines import default_policy
from chalicelib.domain.errors import VersionConflictError
from chalicelib.domain.extensions import RequestExtension
from chalicelib.domain.lifecycle import Status
from chalicelib.domain.staff import StaffMember
from chalicelib.domain.tracking import check_symbol, format_code
from chalicelib.services import submissions
from chalicelib.services.identity_keys import IdentityHasher
from chalicelib.services.repository import CaseQuery, CaseRepository
from chalicelib.services.staff_cases import act_on_case
from chalicelib.services.submissions import submit_complaint
from chalicelib.settings import Settings, get_settings
from chalicelib.storage import repository_for
from chalicelib.storage.case_repository import DynamoCaseRepository
from chalicelib.storage.connection import dynamodb_for
from chalicelib.storage.report_mapping import facts_key
from chalicelib.storage.tables import ensure_tables
from scripts.lib.paths import API_DIR, REPO_ROOT
from tests.support import free_port, unique_table_prefix
from tests.support.api_client import reset_app_state
from tests.support.api_server import serve_app
from tests.support.memory import memory_repository
from tests.support.staff import TestIssuer

from ..unit.test_complaint_rules import PERSON

SECRET = "staff-dynamodb-local-secret-" + "x" * 20
OFFICER = StaffMember("o1", "王专员", frozenset({"officer"}))
POLICY = default_policy()


@pytest.fixture
def settings(
    dynamodb_local: str, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    issuer = TestIssuer(tmp_path_factory.mktemp("staff-auth"))
    monkeypatch.setenv("STAGE", "test")
    monkeypatch.setenv("STORAGE", "dynamodb")
    monkeypatch.setenv("TABLE_PREFIX", unique_table_prefix("staff"))
    for name, value in issuer.environment().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("ACCESS_CODE_SECRET", SECRET)
    reset_app_state()
    current = get_settings()
    ensure_tables(current)
    yield current
    reset_app_state()


@pytest.fixture
def repository(settings: Settings) -> DynamoCaseRepository:
    return DynamoCaseRepository(dynamodb_for(settings), IdentityHasher(settings.identity_key_secret))


def new_case(repository: CaseRepository, now: datetime, **changes: Any) -> str:
    receipt = submit_complaint(
        repository,
        replace(PERSON, **changes),
        channel="web",
        actor=COMPLAINANT,
        idempotency_key=None,
        access_code_secret=SECRET,
        now=now,
        policy=POLICY,
    )
    return receipt.case.tracking_no


def test_50_concurrent_actions_on_one_version_one_wins_49_get_409_one_event(
    settings: Settings, repository: DynamoCaseRepository
) -> None:
    number = new_case(repository, datetime.now(UTC))
    issuer = TestIssuer(Path(settings.staff_jwks_path or "").parent)
    headers = {"Content-Type": "application/json", **issuer.bearer("officer", name="王专员")}
    body = json.dumps({"action": "note", "expected_version": 1, "note": "并发备注"}).encode()
    start = threading.Barrier(50)

    def post(url: str) -> int:
        request = urllib.request.Request(
            f"{url}/admin/complaints/{format_code(number)}/actions", body, headers
        )
        start.wait()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    with serve_app(free_port()) as url, ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(lambda _: post(url), range(50)))
    assert sorted(statuses) == [200] + [409] * 49
    history = repository.history(number)
    assert [(e.seq, e.action) for e in history] == [(1, "submit"), (2, "note")]
    stored = repository.get(number)
    assert stored is not None
    assert stored.version == 2


def test_threads_arriving_together_at_a_cold_start_build_one_botocore_client(
    settings: Settings, repository: DynamoCaseRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PynamoDB builds a connection's botocore client at first use. Unguarded, every thread that got
    # there before the first had finished built one too (about 60 ms each under the GIL), and every
    # model had a connection of its own: the 50 concurrent actions above took 10-20 s, and once
    # more than the client's 30 s. Now the one connection is built once, with its client, however
    # many requests arrive together at a cold process.
    number = new_case(repository, datetime.now(UTC))
    reset_app_state()
    built: Counter[int] = Counter()
    original = Connection.client

    def counting(self: Connection) -> Any:
        before = self._client
        client = original.fget(self)  # type: ignore[attr-defined]
        if client is not before:
            built[id(self)] += 1
        return client

    monkeypatch.setattr(Connection, "client", property(counting))
    start = threading.Barrier(20)

    def act(_: int) -> str:
        start.wait()
        try:
            act_on_case(
                repository_for(get_settings()),  # what the API uses, cold
                OFFICER,
                number,
                Note("并发备注"),
                expected_version=1,
                now=datetime.now(UTC),
                policy=POLICY,
            )
        except VersionConflictError:
            return "conflict"
        return "done"

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = sorted(pool.map(act, range(20)))
    assert outcomes == ["conflict"] * 19 + ["done"]
    assert sum(built.values()) == 1, f"botocore clients built: {sum(built.values())}"


def test_concurrent_requests_each_see_their_own_request(
    settings: Settings, repository: DynamoCaseRepository
) -> None:
    # The test server shared Chalice's current_request between its threads: half of 50 conflicting
    # actions were answered in the other request's language.
    number = new_case(repository, datetime.now(UTC))
    issuer = TestIssuer(Path(settings.staff_jwks_path or "").parent)
    body = json.dumps({"action": "note", "expected_version": 1, "note": "并发备注"}).encode()
    start = threading.Barrier(30)

    def post(url: str, language: str) -> tuple[str, int, str]:
        headers = {
            "Content-Type": "application/json",
            "Accept-Language": language,
            **issuer.bearer("officer"),
        }
        request = urllib.request.Request(
            f"{url}/admin/complaints/{format_code(number)}/actions", body, headers
        )
        start.wait()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return language, int(response.status), ""
        except urllib.error.HTTPError as error:
            return language, int(error.code), json.loads(error.read())["error"]["message"]

    languages = ["en", "zh-CN"] * 15
    with serve_app(free_port()) as url, ThreadPoolExecutor(max_workers=30) as pool:
        answers = list(pool.map(lambda language: post(url, language), languages))
    conflicts = [(language, message) for language, status, message in answers if status == 409]
    assert len(conflicts) == 29
    assert [message.isascii() for language, message in conflicts] == [
        language == "en" for language, message in conflicts
    ]


@pytest.fixture
def operations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The DynamoDB operations PynamoDB sends, by name."""
    sent: list[str] = []
    original = Connection._make_api_call

    def recording(self: Connection, operation_name: str, operation_kwargs: dict[str, Any]) -> dict[str, Any]:
        sent.append(operation_name)
        return original(self, operation_name, operation_kwargs)

    monkeypatch.setattr(Connection, "_make_api_call", recording)
    return sent


def _populate(repositories: list[CaseRepository], monkeypatch: pytest.MonkeyPatch) -> datetime:
    """The same 24 cases in each repository: mixed categories, statuses, departments, ages, and the
    same tracking numbers (they break ties in the queue's order)."""
    now = datetime.now(UTC)
    plan = []
    for i in range(24):
        age = timedelta(days=(i * 3) % 17, minutes=i)  # distinct times: index order has no ties
        category = ("env_air", "quality", "sanitation", "staff_conduct")[i % 4]
        plan.append((i, age, category))
    for repository in repositories:
        for i, age, category in plan:
            number = f"{i:02d}"
            body = f"Q{number}".ljust(11, "0")
            monkeypatch.setattr(submissions, "new_tracking_no", lambda body=body: body + check_symbol(body))
            submitted = now - age
            tracking = new_case(repository, submitted, category=category, subject=f"队列测试第{number}号")
            if i % 3 == 0:
                continue
            department = {"env_air": "ecology_environment", "quality": "market_regulation"}.get(
                category, "urban_management"
            )
            priority: Priority = ("normal", "major", "urgent")[i % 3]
            steps: list[StaffAction] = [Accept(category, department, priority)]
            if i % 4 == 1:
                steps.append(Start())
            if i % 5 == 2:
                steps.append(Respond("upheld", "已处理"))
            if i % 4 == 2 and i % 5 != 2:  # accepted, not yet answered: an extension is asked for
                steps.append(RequestExtension(submitted + timedelta(days=40), "需要现场复核"))
            for version, step in enumerate(steps, start=1):
                act_on_case(
                    repository,
                    OFFICER,
                    tracking,
                    step,
                    expected_version=version,
                    now=submitted,
                    policy=POLICY,
                )
    return now


QUERIES: list[dict[str, Any]] = [
    {},
    {"overdue": True},
    {"overdue": False},
    {"status": Status.RECEIVED},
    {"status": Status.ACCEPTED, "priority": "urgent"},
    {"department": "ecology_environment"},
    {"department": "market_regulation", "overdue": True},
    {"department": "urban_management", "status": Status.IN_PROGRESS},
    {"category": "staff_conduct"},
    {"status": Status.RESPONDED},
    # The callbacks worklist, and another kind of clock.
    {"due_kind": "callback"},
    {"due_kind": "report", "department": "urban_management"},
    # The supervisors' worklist of extension requests, alone and narrowed.
    {"extension_waiting": True},
    {"extension_waiting": True, "department": "urban_management"},
    {"extension_waiting": True, "status": Status.ACCEPTED, "overdue": False},
    {"extension_waiting": True, "category": "quality"},
]


def _subjects(repository: CaseRepository, now: datetime, limit: int, **filters: Any) -> list[str]:
    """Every page of a query, in order, as the cases' subjects (the same in both repositories)."""
    seen, cursor = [], None
    while True:
        page = repository.list_cases(CaseQuery(now=now, limit=limit, cursor=cursor, **filters))
        seen += [case.subject for case in page.cases]
        cursor = page.cursor
        if cursor is None:
            return seen


def test_the_queue_selects_and_orders_like_the_fake_using_indexes_only(
    settings: Settings,
    repository: DynamoCaseRepository,
    operations: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = memory_repository()
    now = _populate([repository, fake], monkeypatch)
    month = now.strftime("%Y-%m")
    operations.clear()
    by_month: list[dict[str, Any]] = [
        {"month": month},
        {"month": month, "category": "quality"},
        # A month with a department or a status is filtered inside their index (found by
        # schemathesis: the month was not projected there, and DynamoDB refused the query).
        {"month": month, "department": "urban_management"},
        {"month": month, "status": Status.ACCEPTED, "overdue": False},
    ]
    for filters in [*QUERIES, *by_month]:
        expected = _subjects(fake, now, 100, **filters)
        assert _subjects(repository, now, 100, **filters) == expected, filters
        paged = _subjects(repository, now, 4, **filters)
        assert paged == expected, f"pagination of {filters}"
        # The reverse order, page by page, is the same selection the other way round.
        assert _subjects(repository, now, 4, descending=True, **filters) == expected[::-1], filters
        assert _subjects(fake, now, 4, descending=True, **filters) == expected[::-1], filters
        query = CaseQuery(now=now, limit=4, **filters)
        assert repository.count_cases(query) == fake.count_cases(query) == len(expected), filters
    assert _subjects(fake, now, 100, due_kind="callback"), "the scenario has callbacks due"
    assert len(_subjects(fake, now, 100, extension_waiting=True)) == 2, "and two extension requests"
    assert "Scan" not in operations
    assert set(operations) == {"Query"}
    open_queue = repository.list_cases(CaseQuery(now=now, limit=100)).cases
    overdue_flags = [case.is_overdue(now) for case in open_queue]
    assert overdue_flags == sorted(overdue_flags, reverse=True), "overdue cases come first"
    assert any(overdue_flags)
    assert not all(overdue_flags)


def test_a_tampered_cursor_is_refused_with_400_not_500(
    settings: Settings, repository: DynamoCaseRepository
) -> None:
    from chalicelib.domain.errors import InvalidInputError

    for cursor in ("not-base64!", "eyJpIjoib3RoZXIiLCJrIjp7fX0", "e30"):
        with pytest.raises(InvalidInputError):
            repository.list_cases(CaseQuery(now=datetime.now(UTC), cursor=cursor))


# What a cold lookup must not import: the writes', the queue's, the searches', the messages' and the
# pages' modules (scripts/bench measures the cold start; each of these was once on its path).
_OFF_A_LOOKUPS_PATH = {
    "chalicelib.domain.attachments",
    "chalicelib.domain.chasing",
    "chalicelib.domain.notifications",
    "chalicelib.domain.search_terms",
    "chalicelib.services.staff_cases",
    "chalicelib.services.submissions",
    "chalicelib.storage.attachment_records",
    "chalicelib.storage.attachment_storage",
    "chalicelib.storage.attempt_counter",
    "chalicelib.storage.case_search",
    "chalicelib.storage.event_records",
    "chalicelib.storage.fact_updates",
    "chalicelib.storage.idempotency_records",
    "chalicelib.storage.outbox_records",
    "chalicelib.storage.queue_plan",
    "chalicelib.storage.report_mapping",
    "chalicelib.web.admin",
    "chalicelib.web.auth",
    "chalicelib.web.pages",
}


def _fresh_process(code: str, *arguments: str) -> dict[str, Any]:
    """What ``code`` prints as JSON, run in a fresh process of the API with this configuration."""
    result = subprocess.run(
        [sys.executable, "-c", code, *arguments],
        cwd=API_DIR,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


_COLD_LOOKUP = """
import json, sys
import app
from scripts.lib.bench import LAMBDA_CONTEXT, api_event
event = api_event("GET", "/complaints/{tracking_no}", {"tracking_no": sys.argv[1]})
response = app.app(event, LAMBDA_CONTEXT)
loaded = sorted(name for name in sys.modules if name.startswith("chalicelib"))
print(json.dumps({"status": response["statusCode"], "modules": loaded}))
"""


def test_a_cold_lookup_imports_the_read_path_alone(
    settings: Settings, repository: DynamoCaseRepository
) -> None:
    number = new_case(repository, datetime.now(UTC))
    answer = _fresh_process(_COLD_LOOKUP, format_code(number))
    assert answer["status"] == 200
    assert "chalicelib.storage.case_repository" in answer["modules"]  # it did read DynamoDB
    assert _OFF_A_LOOKUPS_PATH.isdisjoint(answer["modules"]), _OFF_A_LOOKUPS_PATH & set(answer["modules"])


_COLD_SUBMISSION = """
import json, sys
import app
from scripts.lib.bench import LAMBDA_CONTEXT, submit_event
response = app.app(submit_event("cold-submission"), LAMBDA_CONTEXT)
print(json.dumps({"status": response["statusCode"], "body": json.loads(response["body"])}))
"""


def test_a_cold_submission_writes_its_messages_and_facts_to_the_configured_tables(settings: Settings) -> None:
    # The connection binds a model to its table at the table's first use, and a transaction builds
    # its items from the models' tables: a fresh process's first submission must bind the outbox's
    # and the report's models before its transaction names them.
    answer = _fresh_process(_COLD_SUBMISSION)
    assert answer["status"] == 201, answer
    number = answer["body"]["tracking_no"].replace("-", "")
    client: Any = dynamodb_for(settings).connection.client
    month = datetime.now(UTC).astimezone(POLICY.zone).strftime("%Y-%m")
    key = {"month": {"S": month}, "item": {"S": facts_key(number)}}
    assert "Item" in client.get_item(TableName=settings.reports_table, Key=key)
    messages = client.scan(TableName=settings.outbox_table)["Items"]
    assert number in {m["tracking_no"]["S"] for m in messages}
