"""The staff queue as a daily tool (issue 10): the view each role opens on, real pages with a total,
and filters, order and page kept in the address so that a reload (or a link) shows the same page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from playwright.sync_api import expect

from scripts.lib.stack import LocalStack
from tests.support.axe import describe_violations, run_axe

from .test_staff_console import accept_directly, sign_in, staff_call
from .test_staff_search import file_complaint, unique_phone

if TYPE_CHECKING:
    from playwright.sync_api import Page

DEPARTMENT = "emergency_management"  # no other browser test routes cases there
CASES = 51  # one more than a page


def test_pages_filters_and_order_survive_a_reload_and_each_role_opens_on_its_view(
    local_stack: LocalStack, page: Page
) -> None:
    # Given 51 more cases routed to one department (other tests on this stack may have routed some)
    officer_token = local_stack.issuer.token(roles=["officer"], name="王专员")
    before = staff_call(
        local_stack, officer_token, "GET", f"/admin/complaints?department={DEPARTMENT}&total=true"
    )
    total = before["total"] + CASES
    pages = -(-total // 50)
    numbers = [
        file_complaint(
            local_stack, category="safety_hazard", subject=f"消防通道被占用第{n}号", phone=unique_phone()
        )
        for n in range(CASES)
    ]
    for number in numbers:
        accept_directly(local_stack, number, DEPARTMENT)

    # When an officer signs in, the queue opens on what waits for their decision
    sign_in(page, local_stack, local_stack.issuer.token(roles=["officer"], name="王专员"))
    expect(page.locator("#sc-queue-caption")).to_contain_text("等待决定是否受理的投诉（投诉专员的默认视图）")
    expect(page.locator("#sc-filter-status")).to_have_value("received")

    # When they ask for the department's cases, latest due first
    page.select_option("#sc-filter-status", "")
    page.select_option("#sc-filter-department", DEPARTMENT)
    page.select_option("#sc-filter-order", "desc")
    page.click("#sc-filters button[type=submit]")

    # Then the first page holds 50 of them, and says how many there are
    expect(page.locator("#sc-queue-caption")).to_contain_text(f"共 {total} 件")
    expect(page.locator("#sc-queue-page")).to_have_text(f"第 1 页，共 {pages} 页")
    expect(page.locator("#sc-queue-table tbody tr")).to_have_count(50)
    expect(page.locator("#sc-queue-previous")).to_be_hidden()
    first_page = page.locator("#sc-queue-table tbody tr").first.get_attribute("data-tracking-no")
    assert "department=emergency_management" in page.url
    assert "order=desc" in page.url
    violations = run_axe(page)
    assert not violations, describe_violations(violations)

    # When the next page is opened and the page reloaded
    page.click("#sc-queue-next")
    expect(page.locator("#sc-queue-page")).to_have_text(f"第 2 页，共 {pages} 页")
    page.reload()

    # Then it is still the second page of the same view, with its filters in the form
    expect(page.locator("#sc-queue-page")).to_have_text(f"第 2 页，共 {pages} 页")
    expect(page.locator("#sc-queue-table tbody tr")).to_have_count(min(50, total - 50))
    expect(page.locator("#sc-filter-department")).to_have_value(DEPARTMENT)
    expect(page.locator("#sc-filter-order")).to_have_value("desc")
    expect(page.locator("#sc-filter-status")).to_have_value("")
    if pages == 2:
        expect(page.locator("#sc-queue-next")).to_be_hidden()
    last = page.locator("#sc-queue-table tbody tr").first.get_attribute("data-tracking-no")
    assert last != first_page

    # And "previous" goes back to the first page
    page.click("#sc-queue-previous")
    expect(page.locator("#sc-queue-page")).to_have_text(f"第 1 页，共 {pages} 页")
    expect(page.locator("#sc-queue-table tbody tr").first).to_have_attribute(
        "data-tracking-no", str(first_page)
    )

    # And "clear filters" shows every open case, not the officer's default view
    page.click("#sc-filters-reset")
    expect(page.locator("#sc-queue-caption")).to_contain_text("未办结的投诉")
    expect(page.locator("#sc-filter-status")).to_have_value("")


def test_a_handler_opens_on_their_departments_cases_in_english(local_stack: LocalStack, page: Page) -> None:
    number = file_complaint(
        local_stack, category="safety_hazard", subject="Blocked fire exit", phone=unique_phone()
    )
    accept_directly(local_stack, number, DEPARTMENT)
    token = local_stack.issuer.token(roles=["handler"], name="Handler Zhou", department=DEPARTMENT)
    sign_in(page, local_stack, token, lang="en")
    expect(page.locator("#sc-queue-caption")).to_contain_text("Your department's complaints.")
    expect(page.locator(f'#sc-queue-table tr[data-tracking-no="{number}"]')).to_have_count(1)
    expect(page.locator("#sc-queue-caption")).to_contain_text("in all.")
