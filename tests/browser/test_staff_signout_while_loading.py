"""Signing out of the staff console while its queue is still loading: the queue's late answer must
not wipe the "signed out" message (it did, under load, in the full browser run)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from playwright.sync_api import expect

from scripts.lib.stack import LocalStack

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route


def test_signing_out_while_the_queue_loads_keeps_the_signed_out_message(
    local_stack: LocalStack, page: Page
) -> None:
    # Given the console opening with a good token, its queue's answer held back
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    page.route(re.compile(r"/admin/complaints\?"), hold)
    token = local_stack.issuer.token(roles=["officer"], name="王专员")
    page.goto(local_stack.portal_url + "staff/#token=" + token)
    expect(page.locator("#sc-signout")).to_be_visible()
    for _ in range(50):  # the held request reaches the route handler between Playwright calls
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the queue was not requested"

    # When the person signs out before the queue has come, and then it comes
    page.click("#sc-signout")
    notice = page.locator("#sc-notice")
    expect(notice).to_contain_text("已退出登录")
    with page.expect_response(re.compile(r"/admin/complaints\?")) as answer:
        held[0].continue_()
    answer.value.finished()
    # the page reads the body and handles it a few tasks later: give it those
    page.evaluate("() => new Promise(resolve => setTimeout(resolve, 300))")

    # Then the sign-in panel still says the person signed out
    assert page.locator("#sc-signin").is_visible()
    assert notice.is_visible()
    assert "已退出登录" in notice.inner_text()
