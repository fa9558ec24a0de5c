"""The staff console on a 390 px phone screen (issue 10): nothing scrolls sideways on any of its
screens (the queue, search results, a case, the access log, registration), and on a case's page the
actions come before the history, so an officer on a phone does not scroll past the whole history to
act."""

from __future__ import annotations

import urllib.parse
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from scripts.lib.stack import LocalStack

from .test_portal_narrow_screens import PHONE, Screenshot, Widths
from .test_staff_console import accept_directly, console_url, open_case, sign_in
from .test_staff_search import file_complaint, unique_phone

if TYPE_CHECKING:
    from playwright.sync_api import Page

LONG_SUBJECT = "园区东路十八号附近的工厂每天夜里排放刺鼻气味的黑烟已经持续两周" * 2


@pytest.fixture
def widths(screenshot: Screenshot) -> Widths:
    return Widths(screenshot)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_console_screen_fits_a_phone_and_a_cases_actions_come_first(
    local_stack: LocalStack, page: Page, widths: Widths, lang: str
) -> None:
    phone = unique_phone()
    number = file_complaint(
        local_stack, phone=phone, subject=LONG_SUBJECT, email=f"a.very.long.address.{phone}@example.org"
    )
    file_complaint(local_stack, phone=phone, subject="第二次投诉")
    accept_directly(local_stack, number, "ecology_environment")
    page.set_viewport_size(PHONE)
    sign_in(page, local_stack, local_stack.issuer.token(roles=["supervisor"], name="张主管"), lang=lang)

    page.goto(console_url(local_stack, lang) + "#queue?view=all")
    expect(page.locator("#sc-queue-table tbody tr").first).to_be_visible()
    widths.check(page, "queue")

    page.goto(console_url(local_stack, lang) + "#search=" + urllib.parse.quote(phone))
    expect(page.locator("#sc-search-table tbody tr")).to_have_count(2)
    widths.check(page, "search results")

    open_case(page, number)
    expect(page.locator("#sc-related li")).to_have_count(1)
    expect(page.locator("#sc-case-access-table")).to_be_visible()
    widths.check(page, "case")
    actions = page.locator("#sc-actions").bounding_box()
    history = page.locator("#sc-history").bounding_box()
    assert actions is not None
    assert history is not None
    assert actions["y"] < history["y"], "on a phone the actions come before the history"
    page.locator("#sc-action-note summary").click()
    widths.check(page, "case with an action open")

    page.goto(console_url(local_stack, lang) + "#access?staff_id=" + urllib.parse.quote("local-张主管"))
    expect(page.locator("#sc-access-table tbody tr").first).to_be_visible()
    widths.check(page, "access log")

    page.goto(console_url(local_stack, lang) + "#register")
    expect(page.locator("#sc-register")).to_be_visible()
    widths.check(page, "register")

    assert not widths.too_wide, widths.failures()
