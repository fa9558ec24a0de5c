"""A handler's extension request approved by a supervisor, through the console (issue 10): the
request waits on the case with its reason (and in the queue's filter of waiting requests), the
supervisor approves it with a reason of their own,
and the time limit moves; in English, a declined request leaves it. axe on the case page with a
request waiting."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from playwright.sync_api import expect

from scripts.lib.stack import LocalStack
from tests.support.axe import describe_violations, run_axe

from .test_staff_console import GLOSSARY, accept_directly, act, open_case, sign_in
from .test_staff_search import file_complaint, unique_phone

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


def respond_due(page: Page, lang: str = "zh") -> str:
    row = page.locator("#sc-case-deadlines tbody tr", has_text=GLOSSARY["deadline"]["respond"][lang])
    return row.locator("td").first.inner_text().strip()


def test_a_handler_asks_and_a_supervisor_approves(
    local_stack: LocalStack, page: Page, browser: Browser
) -> None:
    number = file_complaint(local_stack, phone=unique_phone(), subject="河道油污")
    accept_directly(local_stack, number, "ecology_environment")
    handler = local_stack.issuer.token(roles=["handler"], name="李承办", department="ecology_environment")
    sign_in(page, local_stack, handler)
    open_case(page, number)
    before = respond_due(page)
    expect(page.locator("#sc-action-extend")).to_be_hidden()

    # The handler asks for the limit to move to 15 January next year, 17:30 Beijing time
    year = datetime.now().year + 1
    act(page, "request_extension", {"due_at": f"{year}-01-15T17:30", "reason": "需要第三方检测报告"})
    expect(page.locator("#sc-extension-request")).to_be_visible()
    expect(page.locator("#sc-extension-request-text")).to_contain_text("李承办 于")
    expect(page.locator("#sc-extension-request-text")).to_contain_text(f"{year}/01/15 17:30")
    expect(page.locator("#sc-extension-request-reason")).to_have_text("需要第三方检测报告")
    expect(page.locator("#sc-action-request_extension")).to_be_hidden()
    assert respond_due(page) == before

    # The supervisor, in their own browser, sees the request and approves it
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    supervisor_page = context.new_page()
    try:
        sign_in(supervisor_page, local_stack, local_stack.issuer.token(roles=["supervisor"], name="张主管"))
        # The queue's filter finds the waiting request; the address keeps the view
        supervisor_page.locator("#sc-filter-overdue").select_option("")
        supervisor_page.check("#sc-filter-extension")
        supervisor_page.click("#sc-filters button[type=submit]")
        expect(
            supervisor_page.locator(f'#sc-queue-table tbody tr[data-tracking-no="{number}"]')
        ).to_be_visible()
        assert "extension=waiting" in supervisor_page.url
        supervisor_page.reload()
        expect(supervisor_page.locator("#sc-filter-extension")).to_be_checked()
        expect(
            supervisor_page.locator(f'#sc-queue-table tbody tr[data-tracking-no="{number}"]')
        ).to_be_visible()
        open_case(supervisor_page, number)
        expect(supervisor_page.locator("#sc-extension-request-reason")).to_have_text("需要第三方检测报告")
        violations = run_axe(supervisor_page)
        assert not violations, describe_violations(violations)
        act(supervisor_page, "approve_extension", {"reason": "检测需要时间，已同意延期"})
        expect(supervisor_page.locator("#sc-extension-request")).to_be_hidden()
        expect(
            supervisor_page.locator(
                "#sc-case-deadlines tbody tr", has_text=GLOSSARY["deadline"]["respond"]["zh"]
            )
            .locator("td")
            .first
        ).to_have_text(f"{year}/01/15 17:30")
        approval = supervisor_page.locator('#sc-history li[data-action="approve_extension"]')
        expect(approval).to_contain_text("检测需要时间，已同意延期")
        expect(approval).to_contain_text("李承办")
    finally:
        context.close()


def test_a_declined_request_in_english_leaves_the_limit(local_stack: LocalStack, page: Page) -> None:
    number = file_complaint(local_stack, phone=unique_phone(), subject="Oil on the river")
    accept_directly(local_stack, number, "ecology_environment")
    officer = local_stack.issuer.token(roles=["officer"], name="Officer Wang")
    sign_in(page, local_stack, officer, lang="en")
    open_case(page, number)
    before = respond_due(page, "en")
    year = datetime.now().year + 1
    act(page, "request_extension", {"due_at": f"{year}-01-10T12:00", "reason": "Waiting for the lab"})
    expect(page.locator("#sc-extension-request-text")).to_contain_text("Officer Wang asked on")
    sign_in(page, local_stack, local_stack.issuer.token(roles=["supervisor"], name="Zhang"), lang="en")
    open_case(page, number)
    act(page, "decline_extension", {"reason": "Keep to the limit"})
    expect(page.locator("#sc-extension-request")).to_be_hidden()
    assert respond_due(page, "en") == before
    expect(page.locator('#sc-history li[data-action="decline_extension"]')).to_contain_text(
        "Keep to the limit"
    )
