"""The monthly report and the public statistics through the API on DynamoDB Local (issue 9):

- the JSON report's figures are the test's own count of a month with known answers (acceptance 1,
  on the real store);
- its workbook opens with openpyxl and every cell equals the JSON report, and its CSV parses, in
  Chinese and in English (acceptance 2);
- the report reads only that month's items, however many other months hold, and the public
  statistics are one read (acceptance 4), counted at the connection;
- officers and supervisors only; a bad month is a 400 naming ``month``.
"""

from __future__ import annotations

import csv
import io
import json
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import openpyxl
import pytest
from chalice.test import Client
from msgspec.structs import replace
from pynamodb.connection import Connection

from chalicelib.jobs.registry import job_named
from chalicelib.settings import get_settings
from chalicelib.storage import attempt_counter_for, report_store_for, repository_for
from chalicelib.web.report_xlsx import XLSX_MEDIA_TYPE
from tests.support import unique_table_prefix
from tests.support.api_client import app_client, get_json
from tests.support.report_month import PERSON, Scenario, bj, build_october, expected_figures, expected_lists
from tests.support.staff import TestIssuer

MONTH = "2025-10"


@dataclass
class Stack:
    client: Client
    scenario: Scenario
    officer: dict[str, str]
    supervisor: dict[str, str]
    handler: dict[str, str]


@pytest.fixture(scope="module")
def stack(dynamodb_local: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    issuer = TestIssuer(tmp_path_factory.mktemp("staff-auth"))
    patch = pytest.MonkeyPatch()
    try:
        with app_client(patch, TABLE_PREFIX=unique_table_prefix("report"), **issuer.environment()) as client:
            settings = get_settings()
            scenario = build_october(
                repository_for(settings), report_store_for(settings), attempt_counter_for(settings)
            )
            # Another month, busier than October, that the report must not read.
            for n in range(30):
                scenario.file(
                    f"Z{n}", bj(12, 1 + n % 28, 10), replace(PERSON, phone=f"150{n:08d}", email=None)
                )
            yield Stack(
                client,
                scenario,
                issuer.bearer("officer", name="王专员"),
                issuer.bearer("supervisor", name="张主管"),
                issuer.bearer("handler", name="李承办", department="ecology_environment"),
            )
    finally:
        patch.undo()


def report(stack: Stack, query: str, who: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    status, body, _ = get_json(stack.client, f"/admin/reports/monthly?{query}", who or stack.officer)
    return status, body


def figures_of(view: dict[str, Any]) -> dict[str, Any]:
    return {row["key"]: row["value"] for s in view["sections"] for t in s["tables"] for row in t["rows"]}


def test_the_reports_figures_are_the_tests_own_count(stack: Stack) -> None:
    status, view = report(stack, f"month={MONTH}&source=live&include=cases")
    assert status == 200, view
    expected = expected_figures(stack.scenario, as_at=datetime.now(UTC))
    shown = figures_of(view)
    assert shown == {key: expected[key] for key in shown}
    assert set(shown) == set(expected)
    lists = {item["key"]: item for item in view["lists"]}
    numbers = [row[0].replace("-", "") for row in lists["cases"]["rows"]]
    assert numbers == expected_lists(stack.scenario)["cases"]
    assert all(item["count"] == len(item["rows"]) for item in view["lists"])
    assert view["source"] == "live"
    assert [c["key"] for c in view["charts"]] == [
        "received_by_category",
        "on_time_by_clock",
        "satisfaction_levels",
        "trend",
    ]
    assert all(c["svg"].startswith("<svg") and " style=" not in c["svg"] for c in view["charts"])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_workbook_opens_with_openpyxl_and_its_cells_are_the_json_report(stack: Stack, lang: str) -> None:
    status, view = report(stack, f"month={MONTH}&lang={lang}&source=live&include=cases")
    assert status == 200
    response = stack.client.http.get(
        f"/admin/reports/monthly?month={MONTH}&lang={lang}&format=xlsx&source=live",
        # API Gateway answers a binary type only to a request that accepts it.
        headers={**stack.officer, "Accept": XLSX_MEDIA_TYPE},
    )
    assert response.status_code == 200, response.body
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.body))
    sheets = book.worksheets
    # The summary: title, then each key figure beside the previous month and a year before.
    summary = sheets[0]
    assert summary["A1"].value == view["title"]
    assert summary.freeze_panes == "B4"
    assert_figure_rows(summary, 4, view["summary"]["rows"])
    # One sheet per section, its tables stacked.
    for section, sheet in zip(view["sections"], sheets[1:], strict=False):
        assert sheet["A1"].value == section["title"]
        row = 3
        for table in section["tables"]:
            assert sheet.cell(row, 1).value == table["title"]
            assert_figure_rows(sheet, row + 2, table["rows"])
            row += len(table["rows"]) + 3
    # The lists, cell by cell: dates as dates (Beijing time), counts as numbers.
    listed = sheets[1 + len(view["sections"]) : 1 + len(view["sections"]) + len(view["lists"])]
    for item, sheet in zip(view["lists"], listed, strict=True):
        assert [c.value for c in sheet[1]] == [column["label"] for column in item["columns"]]
        assert sheet.freeze_panes == "B2"
        assert sheet.max_row == max(1, len(item["rows"]) + 1)
        for n, cells in enumerate(item["rows"], start=2):
            for m, (column, expected) in enumerate(zip(item["columns"], cells, strict=True), start=1):
                cell = sheet.cell(n, m)
                if column["type"] == "datetime" and expected is not None:
                    assert cell.is_date
                    assert cell.value == datetime.fromisoformat(expected).replace(tzinfo=None)
                else:
                    assert cell.value == expected, (item["key"], n, column["key"])
    definitions = sheets[-1]
    assert [definitions.cell(n + 2, 2).value for n in range(len(view["definitions"]))] == [
        d["text"] for d in view["definitions"]
    ]


def assert_figure_rows(sheet: Any, first: int, rows: list[dict[str, Any]]) -> None:
    for n, row in enumerate(rows, start=first):
        assert sheet.cell(n, 1).value == row["label"]
        for m, key in enumerate(("value", "previous", "year_before"), start=2):
            cell, expected = sheet.cell(n, m), row[key]
            if expected is None:
                assert cell.value is None
            elif row["unit"] == "percent":
                assert cell.number_format == "0.0%"
                assert round(cell.value * 100, 6) == expected
            else:
                assert cell.value == expected


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_csv_is_the_months_cases_and_parses(stack: Stack, lang: str) -> None:
    _, view = report(stack, f"month={MONTH}&lang={lang}&source=live&include=cases")
    response = stack.client.http.get(
        f"/admin/reports/monthly?month={MONTH}&lang={lang}&format=csv&source=live", headers=stack.officer
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.body.decode("utf-8-sig"))))
    cases = next(item for item in view["lists"] if item["key"] == "cases")
    assert rows[0] == [c["label"] for c in cases["columns"]]
    assert rows[1:] == [["" if v is None else str(v) for v in row] for row in cases["rows"]]
    assert len(rows) == 13


def test_the_json_counts_the_months_complaints_and_lists_them_when_asked(stack: Stack) -> None:
    """The console shows the month's complaints as a count (they are in the downloads): the JSON
    leaves out their rows unless asked, and every other list is whole."""
    _, counted = report(stack, f"month={MONTH}&source=live")
    _, listed = report(stack, f"month={MONTH}&source=live&include=cases")
    cases = {item["key"]: item for item in counted["lists"]}["cases"]
    assert "rows" not in cases
    assert cases["count"] == len(expected_lists(stack.scenario)["cases"]) == 12
    whole = {item["key"]: item for item in listed["lists"]}
    assert cases == {k: v for k, v in whole["cases"].items() if k != "rows"}
    assert len(whole["cases"]["rows"]) == 12
    assert [item for item in counted["lists"] if item["key"] != "cases"] == [
        item for item in listed["lists"] if item["key"] != "cases"
    ]
    status, refused = report(stack, f"month={MONTH}&include=everything")
    assert status == 400
    assert "include" in refused["error"]["fields"]


def count_reads(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Items each kind of request read, counted at the connection every request goes through."""
    counted: Counter[str] = Counter()
    original = Connection.dispatch
    # A month's facts are read by several threads at once.
    lock = threading.Lock()

    def dispatch(self: Connection, operation: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = original(self, operation, kwargs)
        with lock:
            if operation in ("Query", "Scan"):
                counted[f"{operation}:{kwargs.get('TableName')}"] += int(answer.get("ScannedCount", 0))
            elif operation == "GetItem":
                counted[f"GetItem:{kwargs.get('TableName')}"] += 1
            elif operation == "BatchGetItem":
                for table, items in answer.get("Responses", {}).items():
                    counted[f"BatchGetItem:{table}"] += len(items)
        return answer

    monkeypatch.setattr(Connection, "dispatch", dispatch)
    return counted


def test_the_report_reads_only_that_months_items(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = get_settings()
    store = report_store_for(settings)
    october = len(store.month_facts(MONTH))
    september = len(store.month_facts("2025-09"))
    december = len(store.month_facts("2025-12"))
    assert december >= 30 > october  # the busier month is not read
    counted = count_reads(monkeypatch)
    status, _ = report(stack, f"month={MONTH}&source=live")
    assert status == 200
    table = settings.reports_table
    assert not any(key.startswith("Scan") for key in counted)
    assert {key.split(":")[1] for key in counted} == {table}, "nothing but the reports table"
    # October's facts and September's (the previous month, not frozen: computed from its facts);
    # the snapshot look-ups of the comparisons and the trend find nothing (none is frozen yet).
    assert counted[f"Query:{table}"] == october + september
    assert counted[f"BatchGetItem:{table}"] == 0


def test_the_job_freezes_the_month_and_publishes_statistics_read_in_one_go(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = job_named("monthly_report")
    assert job.run(datetime(2025, 10, 31, 18, tzinfo=UTC)).counts["frozen"] == 0  # not before
    first_working_day = datetime(2025, 11, 3, 1, 0, tzinfo=UTC)  # Monday 3 November, 09:00 Beijing
    done = job.run(first_working_day)
    assert (done.counts["frozen"], done.counts["published"]) == (1, 1)
    again = job.run(first_working_day + timedelta(hours=1))
    assert (again.counts["frozen"], again.counts["published"], again.counts["carried"]) == (0, 0, 0)

    status, frozen = report(stack, f"month={MONTH}")
    assert (status, frozen["source"]) == (200, "snapshot")
    assert figures_of(frozen) == {
        k: v
        for k, v in expected_figures(stack.scenario, as_at=first_working_day).items()
        if k in figures_of(frozen)
    }
    assert report(stack, f"month={MONTH}", stack.handler)[0] == 403
    assert report(stack, f"month={MONTH}", stack.supervisor)[0] == 200

    counted = count_reads(monkeypatch)
    status, body, headers = get_json(stack.client, f"/stats/monthly?month={MONTH}")
    assert status == 200, body
    assert sum(counted.values()) == 1
    assert headers["Cache-Control"] == "public, max-age=3600"
    assert body["month"] == MONTH
    assert [m["month"] for m in body["months"]] == [MONTH]  # the only frozen month
    row = body["months"][0]
    assert row["received"] == {"value": 12, "flag": None}
    published = [c for c in row["received_by_category"].values() if c["value"] is not None]
    assert all(c["value"] >= 5 for c in published)
    assert "staff_conduct" not in row["received_by_category"]
    latest = get_json(stack.client, "/stats/monthly")[1]
    assert {k: v for k, v in latest.items() if k != "charts"} == {
        k: v for k, v in body.items() if k != "charts"
    }
    response = stack.client.http.get(f"/stats/monthly?month={MONTH}&format=csv")
    rows = list(csv.reader(io.StringIO(response.body.decode("utf-8-sig"))))
    assert rows[0][:2] == ["month", "received_total"]
    assert rows[1][:2] == [MONTH, "12"]
    assert json.loads(json.dumps(body))  # plain JSON throughout


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("month=2025-13", "month"),
        ("month=2999-01", "month"),
        ("month=1989-12", "month"),
        ("month=2025-1", "month"),
        ("format=pdf", "format"),
    ],
)
def test_a_bad_request_is_a_400_naming_the_field(stack: Stack, query: str, field: str) -> None:
    status, body = report(stack, query)
    assert status == 400
    assert field in body["error"]["fields"]


def test_a_month_still_to_come_has_no_report(stack: Stack) -> None:
    status, body = report(stack, "month=2099-12")
    assert status == 404
    assert "month" in body["error"]["fields"]


def test_statistics_of_a_month_never_published_are_a_404(stack: Stack) -> None:
    status, body, _ = get_json(stack.client, "/stats/monthly?month=2020-01")
    assert status == 404
    assert "month" in body["error"]["fields"]


def test_a_workbook_asked_for_without_accepting_it_is_a_406_naming_format(stack: Stack) -> None:
    status, body, _ = get_json(
        stack.client,
        f"/admin/reports/monthly?month={MONTH}&format=xlsx",
        {**stack.officer, "Accept": "application/json"},
    )
    assert status == 406
    assert "format" in body["error"]["fields"]


def test_older_cases_get_their_report_facts_and_identity_keys_from_the_table_upkeep(
    dynamodb_local: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3

    from chalicelib.storage.tables import ensure_tables
    from tests.support.api_client import reset_app_state

    monkeypatch.setenv("STAGE", "test")
    monkeypatch.setenv("STORAGE", "dynamodb")
    monkeypatch.setenv("TABLE_PREFIX", unique_table_prefix("upkeep-report"))
    reset_app_state()
    try:
        settings = get_settings()
        ensure_tables(settings)
        scenario = Scenario(
            repository_for(settings), report_store_for(settings), attempt_counter_for(settings)
        )
        known = scenario.file("A", bj(10, 9), PERSON, ())
        scenario.accept("A", bj(10, 10), "normal", "ecology_environment")
        # Given the case as written before the report kept facts: no facts, no keys
        client = boto3.client(
            "dynamodb", endpoint_url=settings.dynamodb_endpoint_url, region_name=settings.region
        )
        client.update_item(
            TableName=settings.cases_table,
            Key={"tracking_no": {"S": known.tracking_no}},
            UpdateExpression="REMOVE report_facts, phone_key, email_key",
        )
        store = report_store_for(settings)
        for month in ("2025-10", "2025-11"):
            for facts in store.month_facts(month):
                client.delete_item(
                    TableName=settings.reports_table,
                    Key={"month": {"S": month}, "item": {"S": f"case#{facts.tracking_no}"}},
                )
        assert store.month_facts("2025-10") == []

        # When the tables are brought up to date
        changes = ensure_tables(settings)

        # Then the case has its facts in the months it concerns and in every month it stayed open,
        # its marks from its history, and its identity keys, at the same version
        assert any("report facts" in change for change in changes), changes
        october = {f.tracking_no: f for f in store.month_facts("2025-10")}
        assert october[known.tracking_no].core.department == "ecology_environment"
        assert known.tracking_no in {f.tracking_no for f in store.month_facts("2026-11")}  # still open
        item = client.get_item(TableName=settings.cases_table, Key={"tracking_no": {"S": known.tracking_no}})[
            "Item"
        ]
        assert item["version"] == {"N": "2"}
        assert len(item["phone_key"]["S"]) == 32
        assert set(october[known.tracking_no].core.identity_keys) == {
            item["phone_key"]["S"],
            item["email_key"]["S"],
        }
        assert not [c for c in ensure_tables(settings) if "report facts" in c]
    finally:
        reset_app_state()
