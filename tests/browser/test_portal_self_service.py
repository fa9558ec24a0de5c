"""Complainant self-service on the status page: the access code opens the complainant's own view
(decision, messages, their complaint) and a form per action they may take; the code only ever
travels in the X-Access-Code header."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect

from chalicelib.services.access_code_throttle import LIMITS
from scripts.lib.paths import REPO_ROOT
from scripts.lib.stack import LocalStack
from tests.support.complaints import (
    FiledComplaint,
    file_accepted_complaint,
    file_complaint,
    get_json,
    staff_action,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page, Request, ViewportSize

Screenshot = Callable[["Page", str], Path]

DATA_DIR = REPO_ROOT / "api" / "chalicelib" / "data"
# Wrong codes one client may try on one number before it waits.
CLIENT_CAP = next(limit.cap for limit in LIMITS if limit.scope == "client_case")
GLOSSARY: dict[str, Any] = json.loads((DATA_DIR / "glossary.json").read_text(encoding="utf-8"))
STRINGS_TEXT = {
    "zh": {"withdrawn": GLOSSARY["status"]["withdrawn"]["zh"], "beijing": "北京时间"},
    "en": {"withdrawn": GLOSSARY["status"]["withdrawn"]["en"], "beijing": "Beijing time"},
}
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


def status_page(stack: LocalStack, lang: str = "zh") -> str:
    return stack.portal_url + ("" if lang == "zh" else f"{lang}/") + "status/"


def responded(stack: LocalStack, *, decision: str = "upheld") -> FiledComplaint:
    filed = file_accepted_complaint(stack.api_url, stack.issuer)
    staff_action(
        stack.api_url,
        stack.issuer,
        filed.tracking_no,
        "respond",
        decision=decision,
        reasons="经现场核查，北侧一家化工企业夜间违规排放废气。",
        remedy="已责令该企业立即整改，两周内复查。",
    )
    return filed


def open_with_code(page: Page, stack: LocalStack, filed: FiledComplaint, lang: str = "zh") -> None:
    page.goto(status_page(stack, lang))
    page.fill("#tracking_no", filed.tracking_no)
    page.fill("#access_code", filed.access_code)
    page.click("#status-form button[type=submit]")
    expect(page.locator("#own")).to_be_visible()


def own_view(stack: LocalStack, filed: FiledComplaint) -> Any:
    return get_json(f"{stack.api_url}/complaints/{filed.tracking_no}", {"X-Access-Code": filed.access_code})


def test_the_tracking_number_alone_shows_the_public_progress_and_nothing_of_the_complaint(
    local_stack: LocalStack, page: Page
) -> None:
    # Given a filed complaint
    filed = file_complaint(local_stack.api_url, subject="北侧围墙外倾倒垃圾")

    # When only its tracking number is looked up
    page.goto(status_page(local_stack))
    expect(page.locator("#access_code")).to_be_visible()
    page.fill("#tracking_no", filed.tracking_no)
    page.click("#status-form button[type=submit]")

    # Then the public progress is shown with an invitation to use the access code, and no content
    expect(page.locator("#status-result")).to_be_visible()
    expect(page.locator("#public-only")).to_be_visible()
    expect(page.locator("#own")).to_be_hidden()
    expect(page.locator("#own-details")).to_be_hidden()
    expect(page.locator("#forget-code")).to_be_hidden()
    assert "北侧围墙外倾倒垃圾" not in page.locator("body").inner_text()


def test_with_the_access_code_the_complainant_sees_their_complaint_and_the_code_stays_out_of_urls(
    local_stack: LocalStack, page: Page
) -> None:
    # Given a complaint and every request the page makes
    filed = file_complaint(local_stack.api_url, subject="Strong smell at night")
    requests: list[Request] = []

    def remember(request: Request) -> None:
        requests.append(request)

    page.on("request", remember)

    # When the English status page is used with the tracking number and the access code
    open_with_code(page, local_stack, filed, "en")

    # Then the complainant's own view shows their complaint and the messages, in English
    expect(page.locator("#own-complaint")).to_contain_text("Strong smell at night")
    expect(page.locator("#own-complaint")).to_contain_text(GLOSSARY["field"]["subject"]["en"])
    expect(page.locator("#own-messages li").first).to_contain_text(GLOSSARY["action"]["submit"]["en"])
    expect(page.locator("#public-only")).to_be_hidden()
    expect(page.locator("#form-information")).to_be_visible()
    expect(page.locator("#form-withdraw")).to_be_visible()
    expect(page.locator("#form-feedback")).to_be_hidden()
    expect(page.locator("#form-review")).to_be_hidden()

    # And the code went in the X-Access-Code header of the lookup, never in any URL
    lookups = [r for r in requests if r.url.startswith(f"{local_stack.portal_api_url}/complaints/")]
    assert lookups, [r.url for r in requests]
    assert lookups[-1].headers.get("x-access-code") == filed.access_code
    assert lookups[-1].headers.get("accept-language") == "en"
    bare_code = filed.access_code.replace("-", "")
    for request in requests:
        assert bare_code not in request.url.replace("-", "").upper(), request.url
    assert bare_code not in page.url.replace("-", "").upper()

    # And it is kept only in this tab's sessionStorage, so a reload keeps the view
    stored = page.evaluate("() => JSON.stringify(window.sessionStorage)")
    assert filed.access_code in stored
    assert filed.access_code not in page.evaluate("() => JSON.stringify(window.localStorage)")
    assert filed.access_code not in page.evaluate("() => document.cookie")
    page.reload()
    expect(page.locator("#own")).to_be_visible()

    # When the complainant asks the page to forget the code
    page.click("#forget-code")

    # Then the page shows the public progress only and the code is gone from the tab
    expect(page.locator("#status-done")).to_be_visible()
    expect(page.locator("#public-only")).to_be_visible()
    expect(page.locator("#own")).to_be_hidden()
    expect(page.locator("#access_code")).to_have_value("")
    assert filed.access_code not in page.evaluate("() => JSON.stringify(window.sessionStorage)")


def test_information_added_online_reaches_the_case_and_is_shown_among_the_messages(
    local_stack: LocalStack, page: Page
) -> None:
    # Given an accepted complaint opened with its access code
    filed = file_accepted_complaint(local_stack.api_url, local_stack.issuer)
    open_with_code(page, local_stack, filed)

    # When the information form is sent empty
    page.click("#form-information button[type=submit]")

    # Then the field says what is missing, and nothing is sent
    expect(page.locator("#cf-message-error")).to_be_visible()
    expect(page.locator("#cf-message")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#cf-message")).to_be_focused()

    # When information is added
    page.fill("#cf-message", "补充：气味在凌晨两点最浓，附近居民都能闻到。")
    page.click("#form-information button[type=submit]")

    # Then the page confirms it, the message is listed, and the case holds it
    expect(page.locator("#status-done")).to_have_text("已收到您补充的材料。")
    expect(page.locator("#status-done")).to_be_focused()
    expect(page.locator("#own-messages")).to_contain_text("凌晨两点最浓")
    expect(page.locator("#cf-message")).to_have_value("")
    expect(page.locator("#cf-message-error")).to_be_hidden()
    messages = own_view(local_stack, filed)["messages"]
    assert messages[-1]["action"] == "add_information"
    assert messages[-1]["from"] == "complainant"
    assert "凌晨两点最浓" in messages[-1]["text"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_withdrawing_asks_for_confirmation_first(
    local_stack: LocalStack, page: Page, screenshot: Screenshot, lang: str
) -> None:
    # Given a complaint just received, opened with its access code
    filed = file_complaint(local_stack.api_url)
    open_with_code(page, local_stack, filed, lang)

    # When "withdraw" is chosen
    page.fill("#cf-reason", "问题已经自行解决。")
    page.click("#form-withdraw button[type=submit]")

    # Then the page asks once more, naming the complaint, and nothing is withdrawn yet
    confirm = page.locator("#withdraw-confirm")
    expect(confirm).to_be_visible()
    expect(page.locator("#withdraw-confirm-title")).to_contain_text(filed.tracking_no)
    expect(page.locator("#withdraw-confirm-title")).to_be_focused()
    screenshot(page, f"withdraw-confirm-{lang}")
    assert own_view(local_stack, filed)["status"] == "received"

    # When the person changes their mind, the first step comes back
    page.click("#withdraw-no")
    expect(confirm).to_be_hidden()
    expect(page.locator("#form-withdraw button[type=submit]")).to_be_focused()

    # When they withdraw and confirm
    page.click("#form-withdraw button[type=submit]")
    page.click("#withdraw-yes")

    # Then the complaint is withdrawn, with the reason, and nothing more can be done online
    expect(page.locator("#result-status")).to_have_text(STRINGS_TEXT[lang]["withdrawn"])
    expect(page.locator("#status-done")).to_be_visible()
    expect(page.locator("#own-no-actions")).to_be_visible()
    expect(page.locator("#form-withdraw")).to_be_hidden()
    view = own_view(local_stack, filed)
    assert view["status"] == "withdrawn"
    assert view["messages"][-1]["text"] == "问题已经自行解决。"
    assert view["allowed_actions"] == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_after_a_response_the_complainant_reads_the_decision_rates_it_and_asks_for_a_review(
    local_stack: LocalStack, page: Page, screenshot: Screenshot, lang: str
) -> None:
    # Given a complaint a supervisor has answered
    filed = responded(local_stack, decision="partly_upheld")

    # When the complainant opens it with the access code
    open_with_code(page, local_stack, filed, lang)

    # Then the decision, its reasons and remedy are shown, with how and until when to ask for a review
    decision = page.locator("#own-decision")
    expect(decision).to_be_visible()
    expect(page.locator("#own-decision-label")).to_have_text(GLOSSARY["decision"]["partly_upheld"][lang])
    expect(decision).to_contain_text("北侧一家化工企业夜间违规排放废气")
    expect(decision).to_contain_text("已责令该企业立即整改")
    expect(page.locator("#own-review-info")).to_contain_text(STRINGS_TEXT[lang]["beijing"])
    view = own_view(local_stack, filed)
    assert set(view["allowed_actions"]) == {"feedback", "request_review"}
    expect(page.locator("#form-feedback")).to_be_visible()
    expect(page.locator("#form-review")).to_be_visible()
    expect(page.locator("#form-withdraw")).to_be_hidden()
    expect(page.locator("#form-feedback-hint")).to_contain_text(STRINGS_TEXT[lang]["beijing"])
    # the four satisfaction levels come from the glossary
    labels = page.locator("#form-feedback .pf-radios__label").all_inner_texts()
    assert labels == [GLOSSARY["satisfaction"][code][lang] for code in GLOSSARY["satisfaction"]]
    screenshot(page, f"complainant-view-{lang}")
    page.set_viewport_size(PHONE)
    screenshot(page, f"complainant-view-{lang}-phone")
    page.set_viewport_size(DESKTOP)

    # When the outcome is rated without choosing a level, then with one
    page.click("#form-feedback button[type=submit]")
    expect(page.locator("#cf-satisfaction-error")).to_be_visible()
    page.locator('label[for="cf-satisfaction-basically_satisfied"]').click()
    page.fill("#cf-comment", "处理较及时，但整改还需跟进。")
    page.click("#form-feedback button[type=submit]")

    # Then the rating is recorded and shown, and cannot be given twice
    expect(page.locator("#status-done")).to_be_visible()
    expect(page.locator("#form-feedback")).to_be_hidden()
    expect(decision).to_contain_text(GLOSSARY["satisfaction"]["basically_satisfied"][lang])
    assert own_view(local_stack, filed)["rating"]["code"] == "basically_satisfied"

    # When a review is asked for
    page.fill("#cf-reasons", "整改后夜间仍有气味，请复查。")
    page.click("#form-review button[type=submit]")

    # Then the case is under review with its own deadline, and the page says so
    expect(page.locator("#result-status")).to_have_text(GLOSSARY["status"]["under_review"][lang])
    expect(page.locator("#own-review-info")).to_be_visible()
    expect(page.locator("#form-review")).to_be_hidden()
    expect(page.locator("#result-deadlines")).to_contain_text(GLOSSARY["deadline"]["review"][lang])
    view = own_view(local_stack, filed)
    assert view["status"] == "under_review"
    assert view["review_count"] == 1
    assert view["messages"][-1]["action"] == "request_review"
    screenshot(page, f"review-requested-{lang}")


def test_a_rejection_shows_its_reason_and_explanation(local_stack: LocalStack, page: Page) -> None:
    # Given a complaint that was not accepted
    filed = file_complaint(local_stack.api_url)
    staff_action(
        local_stack.api_url,
        local_stack.issuer,
        filed.tracking_no,
        "reject",
        reason_code="insufficient_information",
        explanation="未写明发生地点和涉及的企业，无法核实。",
    )

    # When the complainant opens it
    open_with_code(page, local_stack, filed, "en")

    # Then the decision says it was not accepted, why, and how to ask for a review
    expect(page.locator("#own-decision-label")).to_have_text(GLOSSARY["action"]["reject"]["en"])
    expect(page.locator("#own-decision")).to_contain_text("Not enough information to investigate")
    expect(page.locator("#own-decision")).to_contain_text("无法核实")
    expect(page.locator("#own-review-info")).to_contain_text("review")
    expect(page.locator("#form-review")).to_be_visible()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_wrong_access_code_is_reported_beside_the_field_and_repeated_ones_say_when_to_try_again(
    local_stack: LocalStack, page: Page, screenshot: Screenshot, lang: str
) -> None:
    # Given a complaint and a code that is not its own
    filed = file_complaint(local_stack.api_url)
    page.goto(status_page(local_stack, lang))
    page.fill("#tracking_no", filed.tracking_no)
    page.fill("#access_code", "AAAA-BBBB-CCCC-DDDD")

    # When it is looked up
    page.click("#status-form button[type=submit]")

    # Then the code field says it is wrong, keeps the focus, and nothing of the case is shown
    error = page.locator("#access_code-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("查询码不正确" if lang == "zh" else "access code is not correct")
    expect(page.locator("#access_code")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#access_code")).to_be_focused()
    expect(page.locator("#status-result")).to_be_hidden()
    screenshot(page, f"wrong-code-{lang}")

    # When wrong codes keep coming from this browser
    for _ in range(CLIENT_CAP):
        page.click("#status-form button[type=submit]")
        expect(page.locator("#status-loading")).to_have_text("")

    # Then the page says codes are refused for now and when to try again (Beijing time)
    expect(error).to_contain_text(STRINGS_TEXT[lang]["beijing"])
    expect(error).to_contain_text(re.compile(r"\d{2}:\d{2}"))

    # And from here even the right code is refused until then, while the public progress still works
    page.fill("#access_code", filed.access_code)
    page.click("#status-form button[type=submit]")
    expect(error).to_contain_text(STRINGS_TEXT[lang]["beijing"])
    page.fill("#access_code", "")
    page.click("#status-form button[type=submit]")
    expect(page.locator("#public-only")).to_be_visible()


def test_an_action_the_case_no_longer_allows_is_explained_and_the_latest_state_shown(
    local_stack: LocalStack, page: Page
) -> None:
    # Given a complaint opened while it could still be withdrawn
    filed = file_complaint(local_stack.api_url)
    open_with_code(page, local_stack, filed)
    expect(page.locator("#form-withdraw")).to_be_visible()

    # And answered by staff in the meantime
    staff_action(
        local_stack.api_url,
        local_stack.issuer,
        filed.tracking_no,
        "accept",
        category="env_odor",
        department="ecology_environment",
        priority="normal",
    )
    staff_action(
        local_stack.api_url,
        local_stack.issuer,
        filed.tracking_no,
        "respond",
        decision="upheld",
        reasons="属实。",
    )

    # When the complainant withdraws from the page they still have open
    page.click("#form-withdraw button[type=submit]")
    page.click("#withdraw-yes")

    # Then the API's explanation is shown and the page now shows the answered case
    notice = page.locator("#status-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(GLOSSARY["status"]["responded"]["zh"])
    expect(page.locator("#result-status")).to_have_text(GLOSSARY["status"]["responded"]["zh"])
    expect(page.locator("#form-withdraw")).to_be_hidden()
    expect(page.locator("#form-feedback")).to_be_visible()
    assert own_view(local_stack, filed)["status"] == "responded"


def test_without_javascript_the_access_code_field_is_not_offered_and_the_page_says_why(
    local_stack: LocalStack, page_nojs: Page
) -> None:
    # Given the status page without JavaScript
    page_nojs.goto(status_page(local_stack, "en"))

    # Then the access code field is not shown, could not be sent in a URL, and the page explains
    expect(page_nojs.locator("#group-access_code")).to_be_hidden()
    assert page_nojs.locator("#access_code").get_attribute("name") is None
    hint = page_nojs.locator("#status-nojs")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("JavaScript")
    expect(hint).to_contain_text("never in the page address")
