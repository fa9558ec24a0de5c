"""No page is wider than a 390 px phone screen: every portal page in both languages, the complaint
form in each of its states, the status page with its results, and the API's own HTML pages (the
answers a browser without JavaScript gets). A page wider than its screen scrolls sideways, and a
long tracking number or access code then hides past the edge."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from scripts.lib.stack import LocalStack
from tests.support.complaints import file_accepted_complaint, staff_action

if TYPE_CHECKING:
    from playwright.sync_api import Page, ViewportSize

Screenshot = Callable[["Page", str], Path]

PHONE: ViewportSize = {"width": 390, "height": 844}
PAGES = ("", "submit/", "status/", "process/", "policy/", "faq/", "privacy/", "accessibility/", "staff/")
LANGS = ("zh", "en")

# The page's width, and the elements whose right edge is past the screen's (for the message).
_MEASURE = """() => {
  const width = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
  const screen = document.documentElement.clientWidth;
  const past = [];
  for (const node of document.querySelectorAll("body *")) {
    const box = node.getBoundingClientRect();
    if (box.width > 0 && box.right > screen + 0.5) {
      past.push(`${node.tagName.toLowerCase()}#${node.id}.${String(node.className).trim()} → ${Math.round(box.right)}px`);
    }
  }
  return [width, past.slice(0, 6)];
}"""


class Widths:
    """The width of each state a test brings a page into, at the phone's viewport."""

    def __init__(self, screenshot: Screenshot) -> None:
        self.screenshot = screenshot
        self.too_wide: dict[str, tuple[int, list[str]]] = {}
        self.checked: list[str] = []

    def check(self, page: Page, label: str) -> None:
        width, past = page.evaluate(_MEASURE)
        self.checked.append(label)
        if width > PHONE["width"]:
            self.too_wide[label] = (width, past)
            self.screenshot(page, "too-wide-" + "".join(ch if ch.isalnum() else "-" for ch in label))

    def failures(self) -> str:
        return "\n".join(
            f"{label}: {width}px wide; past the edge: {', '.join(past) or '(nothing visible)'}"
            for label, (width, past) in self.too_wide.items()
        )


@pytest.fixture
def widths(screenshot: Screenshot) -> Widths:
    return Widths(screenshot)


def url(stack: LocalStack, lang: str, path: str) -> str:
    return stack.portal_url + ("" if lang == "zh" else f"{lang}/") + path


@pytest.mark.parametrize("lang", LANGS)
def test_every_portal_page_fits_a_phone_screen(
    local_stack: LocalStack, page: Page, widths: Widths, lang: str
) -> None:
    # Given a phone's screen
    page.set_viewport_size(PHONE)

    # When every page of the portal (the staff console's sign-in included) is opened
    for path in PAGES:
        page.goto(url(local_stack, lang, path))
        widths.check(page, path or "home")

    # Then none is wider than the screen
    assert widths.checked == [path or "home" for path in PAGES]
    assert not widths.too_wide, widths.failures()


@pytest.mark.parametrize("lang", LANGS)
def test_the_complaint_form_fits_a_phone_screen_in_each_of_its_states(
    local_stack: LocalStack, page: Page, widths: Widths, lang: str
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(url(local_stack, lang, "submit/"))
    widths.check(page, "empty form")

    # The error summary and the messages beside the fields
    page.click("#complaint-submit")
    expect(page.locator("#error-summary")).to_be_visible()
    widths.check(page, "errors")

    # An enterprise's claim, with a long credit code and amount
    page.check("#cf-complainant_type-enterprise")
    page.select_option("#cf-category", "compensation")
    page.fill("#cf-organization", "园区某某新材料科技股份有限公司" * 3)
    page.fill("#cf-credit_code", "91350100M000100Y43")
    page.fill("#cf-claim_amount", "99999999.99")
    widths.check(page, "enterprise and claim")

    # Check your answers, with long unbroken answers
    page.check("#cf-complainant_type")
    page.select_option("#cf-category", "env_noise")
    page.fill("#cf-name", "张三")
    page.fill("#cf-phone", "13800138000")
    page.fill("#cf-email", "a.very.long.address.without.any.break@subdomain.example-company.com.cn")
    page.fill("#cf-subject", "工厂夜间噪音扰民")
    page.fill("#cf-description", "NOISE" * 40)
    page.check("#cf-consent")
    page.click("#complaint-submit")
    expect(page.locator("#check-answers")).to_be_visible()
    widths.check(page, "check answers")

    # The confirmation, with the tracking number and the access code
    page.click("#confirm-submit")
    expect(page.locator("#confirmation")).to_be_visible()
    widths.check(page, "confirmation")

    assert not widths.too_wide, widths.failures()


@pytest.mark.parametrize("lang", LANGS)
def test_the_status_page_fits_a_phone_screen_with_its_results(
    local_stack: LocalStack, page: Page, widths: Widths, lang: str
) -> None:
    page.set_viewport_size(PHONE)
    status = url(local_stack, lang, "status/")
    filed = file_accepted_complaint(local_stack.api_url, local_stack.issuer)
    staff_action(
        local_stack.api_url,
        local_stack.issuer,
        filed.tracking_no,
        "respond",
        decision="partly_upheld",
        reasons="经现场核查，北侧一家化工企业夜间违规排放废气。" * 3,
        remedy="已责令该企业立即整改，两周内复查。",
    )

    # The public result (deadlines table, history)
    page.goto(status + "?no=" + filed.tracking_no)
    expect(page.locator("#status-result")).to_be_visible()
    widths.check(page, "public result")

    # A number of no complaint
    page.fill("#tracking_no", "0000-0000-0000")
    page.click("#status-form button[type=submit]")
    expect(page.locator("#status-notice")).to_be_visible()
    widths.check(page, "no such complaint")

    # The complainant's own view: the decision, the forms, the messages, their complaint
    page.fill("#tracking_no", filed.tracking_no)
    page.fill("#access_code", filed.access_code)
    page.click("#status-form button[type=submit]")
    expect(page.locator("#own")).to_be_visible()
    widths.check(page, "own view")

    # A rating sent without a choice: the form's error
    page.click("#form-feedback button[type=submit]")
    expect(page.locator("#cf-satisfaction-error")).to_be_visible()
    widths.check(page, "rating: error")

    assert not widths.too_wide, widths.failures()


@pytest.mark.parametrize("lang", LANGS)
def test_the_api_pages_a_browser_without_javascript_gets_fit_a_phone_screen(
    local_stack: LocalStack, page_nojs: Page, widths: Widths, lang: str
) -> None:
    page = page_nojs
    page.set_viewport_size(PHONE)

    # The confirmation of the plain form post (a long access code)
    page.goto(url(local_stack, lang, "submit/"))
    page.fill("#cf-name", "张三")
    page.fill("#cf-phone", "13800138000")
    page.select_option("#cf-category", "env_noise")
    page.fill("#cf-subject", "工厂夜间噪音扰民")
    page.fill("#cf-description", "园区东路 8 号的工厂每晚 23 点后仍在作业，噪音很大。")
    page.check("#cf-consent")
    with page.expect_navigation():
        page.click("#complaint-submit")
    assert page.url.startswith(local_stack.portal_api_url)
    widths.check(page, "confirmation page")

    # The error page of a form post with mistakes
    page.goto(url(local_stack, lang, "submit/"))
    with page.expect_navigation():
        page.click("#complaint-submit")
    widths.check(page, "error page")

    # The public status page (an accepted case: more time limits, longer names), and its error page
    filed = file_accepted_complaint(local_stack.api_url, local_stack.issuer)
    page.goto(url(local_stack, lang, "status/"))
    page.fill("#tracking_no", filed.tracking_no)
    with page.expect_navigation():
        page.click("#status-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text(filed.tracking_no)
    widths.check(page, "status page")
    page.fill("#no", "not-a-number")
    with page.expect_navigation():
        page.click("button[type=submit]")
    widths.check(page, "status page: error")

    assert not widths.too_wide, widths.failures()
