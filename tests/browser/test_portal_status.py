"""Looking a complaint up on the status page, and the bilingual pages around it."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect

from chalicelib.domain.tracking import check_symbol, format_code
from scripts.lib.paths import REPO_ROOT
from scripts.lib.portal_edge import API_PATH
from scripts.lib.stack import LocalStack

if TYPE_CHECKING:
    from playwright.sync_api import Page

Screenshot = Callable[["Page", str], Path]

DATA_DIR = REPO_ROOT / "api" / "chalicelib" / "data"
CATALOG: dict[str, Any] = json.loads((DATA_DIR / "catalog.json").read_text(encoding="utf-8"))
GLOSSARY: dict[str, Any] = json.loads((DATA_DIR / "glossary.json").read_text(encoding="utf-8"))
PAGES = ("", "submit/", "status/", "process/", "policy/", "faq/", "privacy/", "accessibility/")


def file_complaint(stack: LocalStack) -> str:
    """File a complaint straight through the API; return its tracking number."""
    body = {
        "complainant_type": "individual",
        "name": "李四",
        "phone": "13800138000",
        "category": "env_odor",
        "subject": "夜间刺鼻气味",
        "description": "每天夜里园区北侧有很重的刺鼻气味，持续一个多月。",
        "consent": True,
    }
    request = urllib.request.Request(
        f"{stack.api_url}/complaints",
        data=json.dumps(body).encode("utf-8"),
        headers={"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
        tracking_no: str = json.loads(response.read())["tracking_no"]
    return tracking_no


def status_page(stack: LocalStack, lang: str = "zh") -> str:
    return stack.portal_url + ("" if lang == "zh" else f"{lang}/") + "status/"


def test_a_number_typed_loosely_in_the_address_is_looked_up_on_load(
    local_stack: LocalStack, page: Page
) -> None:
    # Given a filed complaint and its number typed in lower case with spaces
    tracking_no = file_complaint(local_stack)
    loose = tracking_no.replace("-", " ").lower()

    # When the status page is opened with ?no=<that>
    page.goto(status_page(local_stack) + "?no=" + urllib.parse.quote(loose))

    # Then the no-JavaScript hint is gone, the form is prefilled and the complaint is shown
    expect(page.locator("#status-nojs")).to_be_hidden()
    expect(page.locator("#tracking_no")).to_have_value(loose)
    expect(page.locator("#status-result")).to_be_visible()
    expect(page.locator("#result-title")).to_contain_text(tracking_no)
    expect(page.locator("#result-status")).to_have_text(GLOSSARY["status"]["received"]["zh"])
    expect(page.locator("#result-category")).to_have_text(
        next(c["label"]["zh"] for c in CATALOG["categories"] if c["code"] == "env_odor")
    )
    expect(page.locator("#result-deadlines tbody tr").first).to_be_visible()
    expect(page.locator("#result-deadlines")).to_contain_text("北京时间")
    expect(page.locator("#result-milestones li").first).to_contain_text(GLOSSARY["status"]["received"]["zh"])
    # And the result heading takes the focus, so screen readers announce it
    expect(page.locator("#result-title")).to_be_focused()


def test_a_well_formed_number_that_does_not_exist_says_so(local_stack: LocalStack, page: Page) -> None:
    # Given a number with a valid check symbol that no complaint has
    body = "00000000000"
    unknown = format_code(body + check_symbol(body))
    page.goto(status_page(local_stack))

    # When it is looked up
    page.fill("#tracking_no", unknown)
    page.click("#status-form button[type=submit]")

    # Then the page says there is no complaint with that number, and shows no result
    notice = page.locator("#status-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(unknown)
    expect(notice).to_contain_text("没有找到")
    expect(page.locator("#status-result")).to_be_hidden()


def test_a_malformed_number_asks_the_person_to_check_it(local_stack: LocalStack, page: Page) -> None:
    # Given the English status page
    page.goto(status_page(local_stack, "en"))

    # When something that cannot be a tracking number is looked up
    page.fill("#tracking_no", "ABC")
    page.click("#status-form button[type=submit]")

    # Then the field shows an error and keeps the focus
    error = page.locator("#tracking_no-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Check the tracking number")
    expect(page.locator("#tracking_no")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#tracking_no")).to_be_focused()
    expect(page.locator("#status-result")).to_be_hidden()


def test_without_javascript_the_status_page_explains_how_else_to_check(
    local_stack: LocalStack, page_nojs: Page
) -> None:
    # Given a browser without JavaScript
    page_nojs.goto(status_page(local_stack) + "?no=7K3M-9QX2-HD4P")

    # Then the lookup form is a plain GET to the API's status page, in the page's language, with the
    # number only (the access code field is not shown and has no name)
    form = page_nojs.locator("#status-form")
    assert (form.get_attribute("method") or "").lower() == "get"
    assert form.get_attribute("action") == f"{API_PATH}/status-page"
    assert page_nojs.locator("#tracking_no").get_attribute("name") == "no"
    assert page_nojs.locator('#status-form input[type="hidden"][name="lang"]').get_attribute("value") == "zh"
    expect(page_nojs.locator("#access_code")).to_be_hidden()
    assert page_nojs.locator("#access_code").get_attribute("name") is None
    # and the page says what works without JavaScript and what else to do
    expect(page_nojs.locator("#status-nojs")).to_be_visible()
    expect(page_nojs.locator("#status-nojs")).to_contain_text("JavaScript")
    expect(page_nojs.locator("#status-nojs")).to_contain_text("公开的办理进度")
    expect(page_nojs.locator("#status-result")).to_be_hidden()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_without_javascript_a_number_typed_loosely_is_looked_up_on_the_apis_status_page(
    local_stack: LocalStack, page_nojs: Page, screenshot: Screenshot, lang: str
) -> None:
    # Given a filed complaint, and its number typed in lower case with spaces, O for 0 and L for 1
    tracking_no = file_complaint(local_stack)
    loose = tracking_no.replace("-", " ").lower().replace("0", "o").replace("1", "l")
    page = page_nojs
    page.goto(status_page(local_stack, lang))

    # When it is looked up with the page's form, without JavaScript
    page.fill("#tracking_no", loose)
    with page.expect_navigation():
        page.click("#status-form button[type=submit]")

    # Then the API answers with the public status as a page in the portal's look and language
    assert page.url.startswith(f"{local_stack.portal_api_url}/status-page?")
    assert page.locator("html").get_attribute("lang") == ("zh-CN" if lang == "zh" else "en")
    expect(page.locator("header a.header__home")).to_have_text(
        "园区投诉服务平台" if lang == "zh" else "Industrial Park Complaint Portal"
    )
    title = ("投诉 {no}" if lang == "zh" else "Complaint {no}").format(no=tracking_no)
    expect(page.locator("h1")).to_have_text(title)
    main = page.locator("main")
    expect(main).to_contain_text(GLOSSARY["status"]["received"][lang])
    expect(main).to_contain_text(
        next(c["label"][lang] for c in CATALOG["categories"] if c["code"] == "env_odor")
    )
    expect(main).to_contain_text(GLOSSARY["channel"]["web"][lang])
    expect(main).to_contain_text(GLOSSARY["deadline"]["decide"][lang])
    expect(main).to_contain_text("北京时间" if lang == "zh" else "Beijing time")
    # and nothing personal or written by the complainant
    for private in ("李四", "13800138000", "夜间刺鼻气味", "每天夜里"):
        expect(main).not_to_contain_text(private)
    # and a link to the full status page, for the complainant's own view with JavaScript
    more = page.locator("main a", has_text="打开查询页面" if lang == "zh" else "open the status page")
    assert more.get_attribute("href") == status_page(local_stack, lang) + "?no=" + tracking_no
    screenshot(page, f"nojs-status-{lang}")

    # When a number that does not exist is looked up from that page
    body = "00000000000"
    unknown = format_code(body + check_symbol(body))
    page.fill("#no", unknown)
    with page.expect_navigation():
        page.click("main button[type=submit]")

    # Then the page says so, in the portal's words, and offers the form again
    expect(page.locator("main [role=alert]")).to_contain_text(unknown)
    expect(page.locator("main [role=alert]")).to_contain_text("没有找到" if lang == "zh" else "no complaint")
    expect(page.locator("#no")).to_have_value(unknown)

    # And a mistyped number is marked on the field, with a summary linking to it
    page.fill("#no", "ABC")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    expect(page.locator("#no-error")).to_be_visible()
    expect(page.locator("#no")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".error-summary a")).to_have_attribute("href", "#no")
    screenshot(page, f"nojs-status-error-{lang}")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_is_built_in_both_languages_with_a_switcher_to_the_other(
    local_stack: LocalStack, page: Page, lang: str
) -> None:
    other = "en" if lang == "zh" else "zh"
    prefix = "" if lang == "zh" else "en/"
    for path in PAGES:
        # When each page is opened in this language
        response = page.goto(local_stack.portal_url + prefix + path)

        # Then it is served in this language, with every placeholder filled in
        assert response is not None
        assert response.status == 200, path
        assert page.locator("html").get_attribute("lang") == lang, path
        text = page.locator("body").inner_text()
        assert "{{" not in text, path
        assert page.locator("h1").first.inner_text().strip(), path
        # and a language switcher points at the same page in the other language
        switch = page.locator(f'a.md-select__link[hreflang="{other}"]')
        assert switch.count() == 1, path
        target = page.evaluate("href => new URL(href, location.href).pathname", switch.get_attribute("href"))
        assert target == "/" + ("" if other == "zh" else "en/") + path, (path, target)
        # and the API base is in the page for scripts
        meta = page.locator('meta[name="portal-api-base"]')
        assert meta.get_attribute("content") == API_PATH, path


def test_the_language_switcher_opens_the_english_status_page(
    local_stack: LocalStack, page: Page, screenshot: Screenshot
) -> None:
    # Given the Chinese status page
    page.goto(status_page(local_stack))
    screenshot(page, "status-form-zh")

    # When English is chosen in the switcher
    page.locator("header .md-select").hover()
    page.locator('a.md-select__link[hreflang="en"]').click()

    # Then the English status page is shown
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator('label[for="tracking_no"]')).to_have_text("Tracking number")
    screenshot(page, "status-form-en")


def test_policy_pages_show_the_time_limits_from_policy_json(local_stack: LocalStack, page: Page) -> None:
    policy: dict[str, Any] = json.loads((DATA_DIR / "policy.json").read_text(encoding="utf-8"))
    decide = policy["time_limits"]["decide"]["working_days"]
    review = policy["time_limits"]["review"]["working_days"]
    # When the policy page is opened in both languages
    page.goto(local_stack.portal_url + "policy/")
    zh = page.locator("article").inner_text().replace("\xa0", " ")
    page.goto(local_stack.portal_url + "en/policy/")
    en = page.locator("article").inner_text().replace("\xa0", " ")

    # Then the time limits are the ones policy.json holds, with their labels
    assert f"{decide} 个工作日" in zh
    assert f"{review} 个工作日" in zh
    assert policy["time_limits"]["decide"]["label"]["zh"] in zh
    assert f"{decide} working day" in en
    assert policy["time_limits"]["review"]["label"]["en"] in en
