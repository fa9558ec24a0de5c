"""The callbacks worklist (issue 10): responded cases whose call back is due, earliest first, the
contact shown only on request (each reveal in the access log), and the call back recorded in place,
as a satisfaction level or as "could not reach them" with when to call again. Chinese and English,
with axe."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from playwright.sync_api import expect

from scripts.lib.stack import LocalStack
from tests.support.axe import describe_violations, run_axe

from .test_staff_console import (
    PAYLOAD,
    accept_directly,
    assert_not_executed,
    console_url,
    sign_in,
    staff_call,
)
from .test_staff_search import file_complaint, unique_phone

if TYPE_CHECKING:
    from playwright.sync_api import Page

BEIJING_OFFSET = timedelta(hours=8)


def responded_case(stack: LocalStack, **fields: Any) -> str:
    """A complaint accepted and responded to: its call back is due."""
    number = file_complaint(stack, **fields)
    accept_directly(stack, number, "ecology_environment")
    officer = stack.issuer.token(roles=["officer"], name="王专员")
    case = staff_call(stack, officer, "GET", f"/admin/complaints/{number}")
    staff_call(
        stack,
        officer,
        "POST",
        f"/admin/complaints/{number}/actions",
        {"action": "respond", "expected_version": case["version"], "decision": "upheld", "reasons": "已整改"},
    )
    return number


def access_purposes(stack: LocalStack, number: str) -> list[str]:
    supervisor = stack.issuer.token(roles=["supervisor"], name="张主管")
    log = staff_call(stack, supervisor, "GET", f"/admin/complaints/{number}/access-log")
    return [entry["purpose"] for entry in log["items"]]


def test_an_officer_calls_back_from_the_worklist(local_stack: LocalStack, page: Page) -> None:
    phone = unique_phone()
    number = responded_case(local_stack, phone=phone, subject="污水直排 " + PAYLOAD, name="孙九")
    sign_in(page, local_stack, local_stack.issuer.token(roles=["officer"], name="回访专员"))

    page.click("#sc-nav-callbacks")
    entry = page.locator(f'#sc-callbacks-list li[data-tracking-no="{number}"]')
    expect(entry).to_be_visible()
    expect(entry.locator(".sc-callback__subject")).to_have_text("污水直排 " + PAYLOAD)
    assert_not_executed(page)
    # No identity until asked for, and no reveal logged yet
    assert phone not in entry.inner_text()
    assert "contact" not in access_purposes(local_stack, number)
    violations = run_axe(page)
    assert not violations, describe_violations(violations)

    entry.get_by_role("button", name="显示联系方式").click()
    expect(entry.locator(".sc-callback__contact-phone")).to_have_text(phone)
    expect(entry.locator(".sc-callback__contact-name")).to_have_text("孙九")
    assert "contact" in access_purposes(local_stack, number)

    # Nobody answers: call again tomorrow at ten
    entry.locator("summary").click()
    tomorrow = (datetime.now(UTC) + BEIJING_OFFSET + timedelta(days=1)).date()
    entry.locator('input[name="retry_at"]').fill(f"{tomorrow.isoformat()}T10:00")
    entry.get_by_role("button", name="登记再次回访").click()
    expect(page.locator("#sc-callbacks-status")).to_contain_text(f"已登记投诉 {number} 的回访")
    entry = page.locator(f'#sc-callbacks-list li[data-tracking-no="{number}"]')
    expect(entry.locator(".sc-callback__due")).to_contain_text(
        f"{tomorrow.month:02d}/{tomorrow.day:02d} 10:00"
    )
    case = staff_call(
        local_stack,
        local_stack.issuer.token(roles=["officer"], name="王专员"),
        "GET",
        f"/admin/complaints/{number}",
    )
    assert case["history"][-1]["action"] == "callback_unreachable"

    # The next call gets through: satisfied
    entry.locator('select[name="satisfaction"]').first.select_option("satisfied")
    entry.locator('textarea[name="comment"]').first.fill("已电话回访，投诉人表示满意")
    entry.get_by_role("button", name="记录回访").click()
    expect(page.locator(f'#sc-callbacks-list li[data-tracking-no="{number}"]')).to_have_count(0)
    case = staff_call(
        local_stack,
        local_stack.issuer.token(roles=["officer"], name="王专员"),
        "GET",
        f"/admin/complaints/{number}",
    )
    assert case["callback_satisfaction"]["code"] == "satisfied"


def test_the_worklist_in_english_says_what_is_missing(local_stack: LocalStack, page: Page) -> None:
    number = responded_case(local_stack, phone=unique_phone(), subject="Smoke at night")
    sign_in(page, local_stack, local_stack.issuer.token(roles=["supervisor"], name="Zhang"), lang="en")
    page.goto(console_url(local_stack, "en") + "#callbacks")
    entry = page.locator(f'#sc-callbacks-list li[data-tracking-no="{number}"]')
    expect(entry).to_be_visible()
    entry.get_by_role("button", name="Record the call back").click()
    expect(entry.locator('[data-field="satisfaction"] .pf-error-message')).to_be_visible()
    entry.locator("summary").click()
    entry.get_by_role("button", name="Record when to call again").click()
    expect(entry.locator('[data-field="retry_at"] .pf-error-message')).to_be_visible()
    violations = run_axe(page)
    assert not violations, describe_violations(violations)


def test_the_worklist_is_not_offered_to_handlers(local_stack: LocalStack, page: Page) -> None:
    token = local_stack.issuer.token(roles=["handler"], name="周承办", department="ecology_environment")
    sign_in(page, local_stack, token)
    expect(page.locator("#sc-nav-callbacks")).to_be_hidden()
