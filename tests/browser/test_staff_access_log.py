"""The access log's screens (issue 10), for supervisors: on a case's page, who saw its complainant;
and one staff member's entries between two days, searches shown by the kinds of identifier they
used. In Chinese and English, with axe on both."""

from __future__ import annotations

import urllib.parse
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from playwright.sync_api import expect

from scripts.lib.stack import LocalStack
from tests.support.axe import describe_violations, run_axe

from .test_staff_console import console_url, open_case, sign_in, staff_call
from .test_staff_search import file_complaint, unique_phone

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_a_supervisor_sees_who_viewed_a_case_and_what_one_officer_did(
    local_stack: LocalStack, page: Page
) -> None:
    # Given an officer who opened a case and searched by its complainant's phone number
    phone = unique_phone()
    number = file_complaint(local_stack, phone=phone, subject="路面塌陷")
    officer = local_stack.issuer.token(roles=["officer"], name="访问测试专员")
    staff_call(local_stack, officer, "GET", f"/admin/complaints/{number}")
    staff_call(local_stack, officer, "GET", "/admin/search?" + urllib.parse.urlencode({"q": phone}))

    # When a supervisor opens the case
    sign_in(page, local_stack, local_stack.issuer.token(roles=["supervisor"], name="张主管"))
    expect(page.locator("#sc-nav-access")).to_be_visible()
    open_case(page, number)

    # Then its access record lists the officer's view first, then the supervisor's own (the page's
    # other panels, loading meanwhile, may add the supervisor's look-ups after it)
    record = page.locator("#sc-case-access-table")
    expect(record).to_be_visible()
    first = record.locator("tbody tr").first
    expect(first).to_contain_text("访问测试专员")
    expect(first).to_contain_text("查看投诉人信息")
    expect(record.locator("tbody tr").nth(1)).to_contain_text("张主管")
    expect(record.locator("tbody tr", has_text="访问测试专员")).to_have_count(1)
    violations = run_axe(page)
    assert not violations, describe_violations(violations)

    # When they follow the officer's name
    first.locator("a").click()

    # Then the officer's entries of the last seven days are listed: the view, and the search by phone
    expect(page.locator("#sc-access")).to_be_visible()
    table = page.locator("#sc-access-table")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator('tr[data-purpose="case_view"]')).to_contain_text(number)
    expect(table.locator('tr[data-purpose="search"]')).to_contain_text("查找（按电话）")
    assert phone not in table.inner_text()
    expect(page.locator("#sc-access-caption")).to_contain_text("共 2 条记录")
    violations = run_axe(page)
    assert not violations, describe_violations(violations)

    # And a reload shows the same; days before the entries show none
    page.reload()
    expect(page.locator("#sc-access-table tbody tr")).to_have_count(2)
    last_week = (datetime.now(UTC) - timedelta(days=10)).date()
    page.fill("#sc-access-from", (last_week - timedelta(days=3)).isoformat())
    page.fill("#sc-access-to", last_week.isoformat())
    page.click("#sc-access-form button[type=submit]")
    expect(page.locator("#sc-access-caption")).to_have_text("没有记录。")
    expect(page.locator("#sc-access-table")).to_be_hidden()


def test_the_access_log_in_english_refuses_days_in_the_wrong_order(
    local_stack: LocalStack, page: Page
) -> None:
    sign_in(page, local_stack, local_stack.issuer.token(roles=["supervisor"], name="Zhang"), lang="en")
    page.goto(console_url(local_stack, "en") + "#access?staff_id=x&from=2026-12-05&to=2026-12-01")
    expect(page.locator("#sc-access-from-error")).to_contain_text("The first day must not be after the last.")
    page.fill("#sc-access-staff", "")
    page.click("#sc-access-form button[type=submit]")
    expect(page.locator("#sc-access-staff-error")).to_contain_text("Enter a staff account.")
    violations = run_axe(page)
    assert not violations, describe_violations(violations)


def test_the_access_log_is_not_offered_to_officers(local_stack: LocalStack, page: Page) -> None:
    sign_in(page, local_stack, local_stack.issuer.token(roles=["officer"], name="王专员"))
    expect(page.locator("#sc-nav-access")).to_be_hidden()
    number = file_complaint(local_stack, phone=unique_phone())
    open_case(page, number)
    expect(page.locator("#sc-case-access")).to_be_hidden()
