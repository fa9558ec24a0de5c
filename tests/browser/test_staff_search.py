"""Search and a complainant's other complaints in the staff console, on the real local stack, in
Chinese and English (issue 10): the search box on every page, results that survive a reload, a
tracking number that goes straight to its case, the history panel, and axe on both screens."""

from __future__ import annotations

import json
import urllib.request
import uuid
from typing import TYPE_CHECKING, Any

from playwright.sync_api import expect

from scripts.lib.stack import LocalStack
from tests.support.axe import describe_violations, run_axe

from .test_staff_console import PAYLOAD, Screenshot, assert_not_executed, console_url, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page


def file_complaint(stack: LocalStack, **fields: Any) -> str:
    body = {
        "complainant_type": "individual",
        "name": "钱七",
        "category": "env_noise",
        "subject": "夜间施工噪音",
        "description": "工地每天晚上十一点后仍在施工。",
        "consent": True,
        **fields,
    }
    request = urllib.request.Request(
        f"{stack.api_url}/complaints",
        data=json.dumps(body).encode("utf-8"),
        headers={"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        number: str = json.loads(response.read())["tracking_no"]
    return number


def unique_phone() -> str:
    return "137" + str(uuid.uuid4().int)[:8]


def search_for(page: Page, text: str) -> None:
    page.fill("#sc-search-q", text)
    page.click("#sc-search-form button[type=submit]")


def search_results(page: Page, text: str) -> list[str]:
    """Search and wait for the answer; the numbers listed, in order."""
    search_for(page, text)
    # The caption is emptied when a search starts and says what was found once it is answered.
    expect(page.locator("#sc-search-caption")).not_to_have_text("")
    return result_numbers(page)


def result_numbers(page: Page) -> list[str]:
    rows = page.locator("#sc-search-table tbody tr")
    return [str(rows.nth(n).get_attribute("data-tracking-no")) for n in range(rows.count())]


def assert_no_axe_violation(page: Page) -> None:
    violations = run_axe(page)
    assert not violations, describe_violations(violations)


def test_an_officer_finds_a_phoned_complainants_cases_and_sees_their_history(
    local_stack: LocalStack, page: Page, screenshot: Screenshot
) -> None:
    phone = unique_phone()
    first = file_complaint(local_stack, phone=phone, subject="第一次投诉：" + PAYLOAD)
    second = file_complaint(local_stack, phone=phone, subject="第二次投诉")
    file_complaint(local_stack, phone=unique_phone(), subject="别人的投诉")
    sign_in(page, local_stack, local_stack.issuer.token(roles=["officer"], name="王专员"))

    # The number as a caller reads it out: +86 and dashes.
    assert search_results(page, f"+86 {phone[:3]}-{phone[3:7]}-{phone[7:]}") == [second, first]
    expect(page.locator("#sc-search-caption")).to_contain_text("找到 2 件投诉")
    expect(page.locator("#sc-search-table tbody tr").first.locator(".sc-search__matched")).to_have_text(
        "电话"
    )
    expect(page.locator("#sc-search-table")).to_contain_text(PAYLOAD)
    assert_not_executed(page)
    assert_no_axe_violation(page)
    screenshot(page, "search-zh")

    # The search is in the address: a reload shows the same results.
    page.reload()
    expect(page.locator("#sc-search-caption")).to_contain_text("找到 2 件投诉")
    assert result_numbers(page) == [second, first]

    # A tracking number typed in lower case with spaces goes straight to its case.
    search_for(page, second.replace("-", " ").lower())
    expect(page.locator("#sc-case-title")).to_contain_text(second)
    panel = page.locator("#sc-related")
    expect(panel).to_be_visible()
    expect(page.locator("#sc-related-status")).to_contain_text("共 1 件其他投诉")
    expect(panel.locator("li")).to_have_count(1)
    expect(panel.locator("li").first).to_have_attribute("data-tracking-no", first)
    expect(panel).to_contain_text("同一电话")
    expect(panel).to_contain_text(PAYLOAD)
    assert_not_executed(page)
    assert_no_axe_violation(page)
    screenshot(page, "case-history-zh")

    # From the history to the other case.
    panel.locator("a").first.click()
    expect(page.locator("#sc-case-title")).to_contain_text(first)
    expect(page.locator("#sc-related li").first).to_have_attribute("data-tracking-no", second)


def test_the_search_in_english_by_e_mail_and_its_refusals(
    local_stack: LocalStack, page: Page, screenshot: Screenshot
) -> None:
    mailbox = f"zhou.{uuid.uuid4().hex[:8]}@example.org"
    only = file_complaint(local_stack, email=mailbox, preferred_language="en", name="Zhou Ba")
    sign_in(page, local_stack, local_stack.issuer.token(roles=["officer"], name="Officer Wang"), lang="en")

    search_for(page, "   ")
    expect(page.locator("#sc-search-q-error")).to_have_text("Type what to search for.")
    expect(page.locator("#sc-search-q")).to_have_attribute("aria-invalid", "true")

    assert search_results(page, mailbox.upper()) == [only]
    expect(page.locator("#sc-search-caption")).to_have_text("1 found, newest first.")
    expect(page.locator("#sc-search-table .sc-search__matched")).to_have_text("e-mail")
    expect(page.locator("#sc-search-q-error")).to_be_hidden()
    assert_no_axe_violation(page)
    screenshot(page, "search-en")

    # A full name matches exactly, whatever its spacing and letter width; a part of it does not.
    assert only in search_results(page, "ＺＨＯＵ ＢＡ")
    search_for(page, "Zhou")
    expect(page.locator("#sc-search-caption")).to_have_text("No complaint matches.")

    # On the case page, with nothing else by the same person.
    page.goto(console_url(local_stack, "en") + "#case=" + only)
    expect(page.locator("#sc-related-status")).to_have_text(
        "No other complaints (by phone, e-mail and credit code)."
    )
    assert_no_axe_violation(page)
