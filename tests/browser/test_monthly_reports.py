"""The console's Reports page and the public statistics in Chromium against the real local stack
(issue 9, acceptance 5): in Chinese and English, with their charts and each chart's table, no axe
violation, no break of the Content-Security-Policy, a workbook to download, and a print layout
that fits A4.

The stack's tables get a month with known answers (October 2025, tests/support/report_month.py),
built through the services in this process against the stack's DynamoDB Local, and the monthly job
run as on Monday 3 November 2025 (the month frozen, its statistics published).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import openpyxl
import pytest
from playwright.sync_api import expect

from scripts.lib.stack import LocalStack, api_environment
from tests.support import artifact_path, unavailable
from tests.support.api_client import reset_app_state
from tests.support.axe import AxeUnavailableError, axe_script, describe_violations, run_axe
from tests.support.report_month import MONTH, build_october

if TYPE_CHECKING:
    from playwright.sync_api import Page

Screenshot = Callable[["Page", str], Path]

LANGS = ("zh", "en")
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""
# An A4 page's width at 96 dpi less the print margins of assets/css/reports.css (12 mm each side).
A4_CONTENT_PX = round((210 - 24) / 25.4 * 96)


@pytest.fixture(scope="module")
def october(local_stack: LocalStack) -> LocalStack:
    if local_stack.dynamodb_url is None:
        unavailable("the local stack runs without DynamoDB Local: no month to seed")
    from chalicelib.jobs.registry import job_named
    from chalicelib.settings import get_settings
    from chalicelib.storage import attempt_counter_for, report_store_for, repository_for

    with pytest.MonkeyPatch.context() as patch:
        for name, value in api_environment(local_stack.config).items():
            patch.setenv(name, value)
        reset_app_state()
        try:
            settings = get_settings()
            build_october(repository_for(settings), report_store_for(settings), attempt_counter_for(settings))
            job_named("monthly_report").run(datetime(2025, 11, 3, 1, tzinfo=UTC))
        finally:
            reset_app_state()
    return local_stack


@pytest.fixture(scope="module", autouse=True)
def axe_available() -> None:
    try:
        axe_script()
    except AxeUnavailableError as error:
        unavailable(str(error))


def base(stack: LocalStack, lang: str) -> str:
    return stack.portal_url + ("" if lang == "zh" else f"{lang}/")


def open_reports(page: Page, stack: LocalStack, lang: str, query: str = f"?month={MONTH}") -> None:
    page.add_init_script(RECORD_VIOLATIONS)
    token = stack.issuer.token(roles=["officer"], name="王专员")
    page.goto(base(stack, lang) + "staff/#token=" + token)  # the console keeps the token for the tab
    expect(page.locator("#sc-nav-reports")).to_be_visible()
    page.click("#sc-nav-reports")
    page.wait_for_url("**/staff/reports/")
    page.goto(base(stack, lang) + "staff/reports/" + query)
    expect(page.locator("#rp-report")).to_be_visible()


@pytest.mark.parametrize("lang", LANGS)
def test_the_reports_page_shows_the_month_with_its_charts_and_tables_and_no_axe_violation(
    october: LocalStack, page: Page, screenshot: Screenshot, lang: str
) -> None:
    open_reports(page, october, lang)
    title = "2025年10月客户投诉情况及处理月报" if lang == "zh" else "Monthly complaint report: October 2025"
    expect(page.locator("#rp-title")).to_have_text(title)
    # The frozen snapshot, as management received it
    expect(page.locator("#rp-meta")).to_contain_text("已冻结" if lang == "zh" else "Frozen")
    charts = page.locator(".rp-chart")
    expect(charts).to_have_count(4)
    for n in range(4):
        chart = charts.nth(n)
        expect(chart.locator("svg[role=img] title")).to_have_count(1)
        expect(chart.locator("table caption")).to_have_count(1)
        assert chart.locator("table tbody tr").count() >= 4
    # Received by category: its table holds the month's 3 quality complaints
    quality = "产品与服务质量" if lang == "zh" else "Product or service quality"
    expect(charts.nth(0).locator("tbody tr", has_text=quality).locator("td")).to_have_text("3")
    # The summary and every section, each figure beside the previous month and a year before
    expect(page.locator("#rp-summary tbody tr")).to_have_count(15)
    assert page.locator("#rp-sections .rp-section").count() == 9
    screenshot(page, f"reports-{lang}")
    violations = run_axe(page)
    assert not violations, describe_violations(violations)
    assert page.evaluate("() => window.__cspViolations") == []


def test_the_workbook_downloads_from_the_page(october: LocalStack, page: Page) -> None:
    open_reports(page, october, "en")
    with page.expect_download() as download:
        page.click("#rp-xlsx")
    path = download.value.path()
    assert download.value.suggested_filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))
    assert book.worksheets[0]["A1"].value == "Monthly complaint report: October 2025"


def test_the_report_prints_on_a4_without_the_controls(october: LocalStack, page: Page) -> None:
    open_reports(page, october, "zh")
    page.set_viewport_size({"width": A4_CONTENT_PX, "height": 1100})
    page.emulate_media(media="print")
    assert page.locator("#rp-form").is_hidden()
    assert page.locator("#rp-xlsx").is_hidden()
    assert page.locator(".md-header").is_hidden()
    # Nothing is wider than the paper: no table or chart runs off the page.
    widest = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('#rp-report *')].map(e => e.getBoundingClientRect().right))"
    )
    assert widest <= A4_CONTENT_PX + 1, widest
    pdf = page.pdf(format="A4")
    assert pdf[:4] == b"%PDF"
    artifact_path("reports", "monthly-report-zh.pdf").write_bytes(pdf)


def test_a_handler_is_told_the_reports_are_for_officers_and_supervisors(
    october: LocalStack, page: Page
) -> None:
    token = october.issuer.token(roles=["handler"], name="李承办", department="ecology_environment")
    page.goto(base(october, "zh") + "staff/#token=" + token)
    expect(page.locator("#sc-nav-reports")).to_be_visible()
    page.goto(base(october, "zh") + f"staff/reports/?month={MONTH}")
    expect(page.locator("#rp-notice")).to_contain_text("角色")


def test_without_a_sign_in_the_page_sends_people_to_the_console(october: LocalStack, page: Page) -> None:
    page.goto(base(october, "en") + "staff/reports/")
    expect(page.locator("#rp-signin")).to_be_visible()
    expect(page.locator("#rp-signin a")).to_have_attribute("href", "../")


@pytest.mark.parametrize("lang", LANGS)
def test_the_public_statistics_page_shows_the_months_with_a_chart_and_no_axe_violation(
    october: LocalStack, page: Page, screenshot: Screenshot, lang: str
) -> None:
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(base(october, lang) + "stats/")
    expect(page.locator("#st-result")).to_be_visible()
    expect(page.locator("#st-chart svg[role=img]")).to_have_count(1)
    months = page.locator("#st-months tbody tr")
    expect(months).to_have_count(1)
    expect(months.first.locator("td").first).to_have_text("12")
    # No category below five is shown as a number; staff conduct has no row of its own.
    categories = page.locator("#st-categories tbody tr")
    for n in range(categories.count()):
        text = categories.nth(n).locator("td").first.evaluate("cell => cell.firstChild.textContent")
        assert text in ("<5", "x") or int(text) >= 5, text
    assert "工作人员作风" not in page.locator("#st-categories").inner_text()
    screenshot(page, f"statistics-{lang}")
    nav = page.locator(".md-nav").first
    expect(nav).to_contain_text("公开统计" if lang == "zh" else "Statistics")
    violations = run_axe(page)
    assert not violations, describe_violations(violations)
    assert page.evaluate("() => window.__cspViolations") == []
    page.goto(base(october, lang) + "stats/data/")
    violations = run_axe(page)
    assert not violations, describe_violations(violations)
