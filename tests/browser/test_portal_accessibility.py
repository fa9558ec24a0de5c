"""Accessibility: axe-core finds no violation on any page, in either language, in every state a
person can bring the forms into; and a complaint can be filed with the keyboard alone.

axe-core comes from the npm registry (tests/support/axe.py); each run's results are written to
test-artifacts/axe/ for a person to read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect

from scripts.lib.stack import LocalStack
from tests.support import artifact_path, unavailable
from tests.support.axe import AxeUnavailableError, axe_script, describe_violations, run_axe
from tests.support.complaints import FiledComplaint, file_accepted_complaint, staff_action

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, ViewportSize

Screenshot = Callable[["Page", str], Path]

PAGES = (
    "",
    "submit/",
    "status/",
    "process/",
    "policy/",
    "stats/",
    "stats/data/",
    "faq/",
    "privacy/",
    "accessibility/",
)
LANGS = ("zh", "en")
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
TRACKING_NO = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")


@pytest.fixture(scope="module", autouse=True)
def axe_available() -> None:
    try:
        axe_script()
    except AxeUnavailableError as error:
        unavailable(str(error))


class AxeLog:
    """Collects the violations of every state checked by a test; writes them to test-artifacts/axe/."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.results: dict[str, list[dict[str, Any]]] = {}

    def check(self, page: Page, label: str) -> None:
        self.results[label] = run_axe(page)

    def failures(self) -> str:
        return "\n".join(
            f"== {label}\n{describe_violations(violations)}"
            for label, violations in self.results.items()
            if violations
        )

    def write(self) -> None:
        summary = {
            label: [{"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"])} for v in violations]
            for label, violations in self.results.items()
        }
        path = artifact_path("axe", f"{self.name}.json")
        path.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")


@pytest.fixture
def axe(request: pytest.FixtureRequest) -> Iterator[AxeLog]:
    log = AxeLog(re.sub(r"[^\w.-]+", "-", request.node.name))
    yield log
    log.write()


def url(stack: LocalStack, lang: str, path: str) -> str:
    return stack.portal_url + ("" if lang == "zh" else f"{lang}/") + path


@pytest.mark.parametrize("lang", LANGS)
def test_no_page_has_an_axe_violation(local_stack: LocalStack, page: Page, axe: AxeLog, lang: str) -> None:
    # When every page of the portal is opened in this language and checked by axe-core
    for path in PAGES:
        page.goto(url(local_stack, lang, path))
        axe.check(page, path or "home")

    # Then there is no violation anywhere
    assert len(axe.results) == len(PAGES)
    assert not axe.failures(), axe.failures()


@pytest.mark.parametrize("lang", LANGS)
def test_the_complaint_form_in_each_of_its_steps_has_no_axe_violation(
    local_stack: LocalStack, page: Page, axe: AxeLog, screenshot: Screenshot, lang: str
) -> None:
    page.goto(url(local_stack, lang, "submit/"))
    page.set_viewport_size(PHONE)
    screenshot(page, f"form-{lang}-phone")
    page.set_viewport_size(DESKTOP)

    # The form with the error summary and messages beside the fields (the API checked the answers)
    page.click("#complaint-submit")
    expect(page.locator("#error-summary")).to_be_visible()
    axe.check(page, "error summary")
    screenshot(page, f"errors-{lang}")

    # The form for an enterprise, with its claim amount showing
    page.check("#cf-complainant_type-enterprise")
    page.select_option("#cf-category", "compensation")
    expect(page.locator("#enterprise-details")).to_be_visible()
    axe.check(page, "enterprise and claim")
    page.check("#cf-complainant_type")
    page.select_option("#cf-category", "env_noise")

    # Check your answers
    page.fill("#cf-name", "张三")
    page.fill("#cf-phone", "13800138000")
    page.fill("#cf-subject", "工厂夜间噪音扰民")
    page.fill("#cf-description", "园区东路 8 号的工厂每晚 23 点后仍在作业。")
    page.check("#cf-consent")
    page.click("#complaint-submit")
    expect(page.locator("#check-answers")).to_be_visible()
    axe.check(page, "check answers")

    # The confirmation
    page.click("#confirm-submit")
    expect(page.locator("#confirmation")).to_be_visible()
    axe.check(page, "confirmation")
    screenshot(page, f"confirmation-{lang}")

    assert not axe.failures(), axe.failures()


def _look_up(page: Page, filed: FiledComplaint, code: str | None) -> None:
    page.fill("#tracking_no", filed.tracking_no)
    page.fill("#access_code", code or "")
    page.click("#status-form button[type=submit]")
    expect(page.locator("#status-loading")).to_have_text("")


@pytest.mark.parametrize("lang", LANGS)
def test_the_status_page_with_results_and_self_service_forms_has_no_axe_violation(
    local_stack: LocalStack, page: Page, axe: AxeLog, lang: str
) -> None:
    status = url(local_stack, lang, "status/")
    page.goto(status)

    # An empty lookup, and a number that does not exist
    page.click("#status-form button[type=submit]")
    expect(page.locator("#tracking_no-error")).to_be_visible()
    axe.check(page, "empty number")
    page.fill("#tracking_no", "0000-0000-0000")
    page.click("#status-form button[type=submit]")
    expect(page.locator("#status-loading")).to_have_text("")
    axe.check(page, "unknown or malformed number")

    # The public result, and a wrong access code
    filed = file_accepted_complaint(local_stack.api_url, local_stack.issuer)
    _look_up(page, filed, None)
    expect(page.locator("#public-only")).to_be_visible()
    axe.check(page, "public result")
    _look_up(page, filed, "AAAA-BBBB-CCCC-DDDD")
    expect(page.locator("#access_code-error")).to_be_visible()
    axe.check(page, "wrong access code")

    # The complainant's view with information and withdrawal forms, an error, the confirmation step
    _look_up(page, filed, filed.access_code)
    expect(page.locator("#form-information")).to_be_visible()
    axe.check(page, "own view: add information, withdraw")
    page.click("#form-information button[type=submit]")
    expect(page.locator("#cf-message-error")).to_be_visible()
    axe.check(page, "add information: error")
    page.fill("#cf-message", "补充：凌晨两点气味最浓。")
    page.click("#form-information button[type=submit]")
    expect(page.locator("#status-done")).to_be_visible()
    axe.check(page, "add information: done")
    page.click("#form-withdraw button[type=submit]")
    expect(page.locator("#withdraw-confirm")).to_be_visible()
    axe.check(page, "withdraw: confirmation step")

    # A decision with the rating and review forms, with an error, then under review
    staff_action(
        local_stack.api_url,
        local_stack.issuer,
        filed.tracking_no,
        "respond",
        decision="upheld",
        reasons="属实。",
    )
    page.goto(status + "?no=" + filed.tracking_no)
    expect(page.locator("#form-feedback")).to_be_visible()
    axe.check(page, "own view: decision, rate, review")
    page.click("#form-feedback button[type=submit]")
    expect(page.locator("#cf-satisfaction-error")).to_be_visible()
    axe.check(page, "rate: error")
    page.fill("#cf-reasons", "整改不到位。")
    page.click("#form-review button[type=submit]")
    expect(page.locator("#form-review")).to_be_hidden()
    axe.check(page, "under review")

    assert not axe.failures(), axe.failures()


@pytest.fixture
def page_past_csp(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page that may inject axe-core into the API's pages, whose policy admits no script at all."""
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_the_api_pages_a_browser_without_javascript_gets_have_no_axe_violation(
    local_stack: LocalStack, page_past_csp: Page, axe: AxeLog, screenshot: Screenshot, lang: str
) -> None:
    page = page_past_csp

    # The confirmation and the error page of the form's plain post (form.submit() skips the script)
    page.goto(url(local_stack, lang, "submit/"))
    page.fill("#cf-name", "张三")
    page.fill("#cf-phone", "13800138000")
    page.select_option("#cf-category", "env_noise")
    page.fill("#cf-subject", "工厂夜间噪音扰民")
    page.fill("#cf-description", "园区东路 8 号的工厂每晚 23 点后仍在作业。")
    page.check("#cf-consent")
    with page.expect_navigation():
        page.evaluate("document.getElementById('complaint-form').submit()")
    expect(page.locator(".panel h1")).to_be_visible()
    axe.check(page, "confirmation page")
    page.goto(url(local_stack, lang, "submit/"))
    with page.expect_navigation():
        page.evaluate("document.getElementById('complaint-form').submit()")
    expect(page.locator(".error-summary")).to_be_visible()
    axe.check(page, "error page")

    # The public status page, a mistyped number and a number of no case
    filed = file_accepted_complaint(local_stack.api_url, local_stack.issuer)
    status = f"{local_stack.api_url}/status-page?lang={lang}&no="
    page.goto(status + filed.tracking_no)
    expect(page.locator("table")).to_be_visible()
    axe.check(page, "status page")
    screenshot(page, f"api-status-page-{lang}")
    page.goto(status + "ABC")
    expect(page.locator("#no-error")).to_be_visible()
    axe.check(page, "status page: mistyped number")
    page.goto(status + "0000-0000-0000")
    expect(page.locator("main [role=alert]")).to_be_visible()
    axe.check(page, "status page: no such case")

    assert not axe.failures(), axe.failures()


def _tab_to(page: Page, selector: str, *, limit: int = 80) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def _focused(page: Page, selector: str) -> bool:
    result: bool = page.evaluate("s => document.activeElement.matches(s)", selector)
    return result


def test_a_complaint_can_be_filed_with_the_keyboard_alone(
    local_stack: LocalStack, page: Page, screenshot: Screenshot
) -> None:
    # Given the complaint form, used with nothing but the keyboard
    page.goto(url(local_stack, "zh", "submit/"))

    # The complainant type is a radio group: the arrows move between the choices
    _tab_to(page, "#cf-complainant_type")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#cf-complainant_type-enterprise")).to_be_checked()
    expect(page.locator("#enterprise-details")).to_be_visible()
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#cf-complainant_type")).to_be_checked()
    expect(page.locator("#enterprise-details")).to_be_hidden()

    # Text is typed into each field reached with Tab
    _tab_to(page, "#cf-name")
    page.keyboard.type("王五")
    _tab_to(page, "#cf-phone")
    page.keyboard.type("139 0000 1111")

    # The category is chosen with the arrow keys
    _tab_to(page, "#cf-category")
    for _ in range(10):
        if page.locator("#cf-category").input_value() == "env_noise":
            break
        page.keyboard.press("ArrowDown")
    expect(page.locator("#cf-category")).to_have_value("env_noise")

    _tab_to(page, "#cf-subject")
    page.keyboard.type("工厂夜间噪音扰民")
    _tab_to(page, "#cf-description")
    page.keyboard.type("园区东路 8 号的工厂每晚 23 点后仍在作业，噪音很大。")

    # Consent is given with the space bar
    _tab_to(page, "#cf-consent")
    page.keyboard.press("Space")
    expect(page.locator("#cf-consent")).to_be_checked()

    # Continue with Enter: the answers to check, with the focus on their heading
    _tab_to(page, "#complaint-submit")
    page.keyboard.press("Enter")
    expect(page.locator("#check-answers")).to_be_visible()
    expect(page.locator("#check-title")).to_be_focused()
    expect(page.locator("#check-list")).to_contain_text("王五")

    # Confirm with Enter: the confirmation, with the focus on its heading
    _tab_to(page, "#confirm-submit")
    page.keyboard.press("Enter")
    expect(page.locator("#confirmation")).to_be_visible()
    expect(page.locator("#done-title")).to_be_focused()
    assert TRACKING_NO.fullmatch(page.locator("#done-tracking-no").inner_text().strip())
    screenshot(page, "keyboard-confirmation-zh")

    # And the links onwards are reachable with Tab too
    _tab_to(page, "#done-status-link")
    assert _focused(page, "#done-status-link")
