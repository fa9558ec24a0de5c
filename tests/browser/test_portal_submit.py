"""Filing a complaint through the portal's form, with and without JavaScript, in both languages."""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from playwright.sync_api import expect

from scripts.lib.paths import REPO_ROOT
from scripts.lib.portal_edge import API_PATH
from scripts.lib.stack import LocalStack
from tests.support.complaint_form import continue_and_confirm, fill_complaint

if TYPE_CHECKING:
    from playwright.sync_api import Page, Request, Route

Screenshot = Callable[["Page", str], Path]

DATA_DIR = REPO_ROOT / "api" / "chalicelib" / "data"
CATALOG: dict[str, Any] = json.loads((DATA_DIR / "catalog.json").read_text(encoding="utf-8"))
GLOSSARY: dict[str, Any] = json.loads((DATA_DIR / "glossary.json").read_text(encoding="utf-8"))
CATEGORY_LABELS = {c["code"]: c["label"] for c in CATALOG["categories"]}

TRACKING_NO = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")
ACCESS_CODE = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}(?:-[0-9A-HJKMNP-TV-Z]{4}){3}")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def submit_page(stack: LocalStack, lang: str = "zh") -> str:
    return stack.portal_url + ("" if lang == "zh" else f"{lang}/") + "submit/"


def test_filing_with_javascript_in_chinese_checks_answers_confirms_and_the_number_can_be_looked_up(
    local_stack: LocalStack, page: Page, screenshot: Screenshot
) -> None:
    # Given the Chinese complaint form
    page.goto(submit_page(local_stack))
    assert page.locator("html").get_attribute("lang") == "zh"
    screenshot(page, "form-zh")

    # When a complaint is filled in and the person continues
    fill_complaint(page)
    page.click("#complaint-submit")

    # Then the answers are summarised for checking, with a change link per answer
    check = page.locator("#check-answers")
    expect(check).to_be_visible()
    expect(page.locator("#complaint-form")).to_be_hidden()
    expect(check).to_contain_text("工厂夜间噪音扰民")
    expect(check).to_contain_text(CATEGORY_LABELS["env_noise"]["zh"])
    expect(check).to_contain_text("2026年11月20日")
    screenshot(page, "check-answers-zh")

    # And a change link goes back to that answer, which is kept
    page.locator('#check-list a[href="#cf-subject"]').click()
    expect(page.locator("#cf-subject")).to_be_focused()
    expect(page.locator("#cf-subject")).to_have_value("工厂夜间噪音扰民")

    # When the person continues again and confirms
    continue_and_confirm(page)

    # Then the confirmation shows the tracking number, the access code (once) and the status
    confirmation = page.locator("#confirmation")
    expect(confirmation).to_be_visible()
    tracking_no = page.locator("#done-tracking-no").inner_text().strip()
    access_code = page.locator("#done-access-code").inner_text().strip()
    assert TRACKING_NO.fullmatch(tracking_no), tracking_no
    assert ACCESS_CODE.fullmatch(access_code), access_code
    expect(page.locator("#done-status")).to_have_text(GLOSSARY["status"]["received"]["zh"])
    expect(page.locator("#done-reply-by")).to_contain_text("北京时间")
    expect(confirmation).to_contain_text("查询码只显示这一次")
    # and printing is offered as a button, without a keyboard shortcut a phone does not have
    expect(page.locator("#done-print")).to_be_visible()
    expect(page.locator("#done-print")).to_have_text("打印或保存本页")
    assert "Ctrl" not in confirmation.inner_text()
    screenshot(page, "confirmation-zh")

    # When the person follows the link to the status page
    page.click("#done-status-link")

    # Then the complaint is found under that number, in Chinese
    expect(page.locator("#status-result")).to_be_visible()
    expect(page.locator("#tracking_no")).to_have_value(tracking_no)
    expect(page.locator("#result-title")).to_contain_text(tracking_no)
    expect(page.locator("#result-status")).to_have_text(GLOSSARY["status"]["received"]["zh"])
    expect(page.locator("#result-category")).to_have_text(CATEGORY_LABELS["env_noise"]["zh"])
    expect(page.locator("#result-channel")).to_have_text(GLOSSARY["channel"]["web"]["zh"])
    expect(page.locator("#result-milestones li")).to_have_count(1)
    screenshot(page, "status-zh")


def test_filing_without_javascript_posts_the_plain_form_and_gets_the_api_confirmation_page(
    local_stack: LocalStack, page_nojs: Page, screenshot: Screenshot
) -> None:
    # Given the form in a browser without JavaScript
    page = page_nojs
    page.goto(submit_page(local_stack))
    form = page.locator("#complaint-form")
    assert form.get_attribute("method") == "post"
    assert form.get_attribute("action") == f"{API_PATH}/complaints?lang=zh"
    assert form.get_attribute("enctype") == "application/x-www-form-urlencoded"
    # the categories are in the static HTML, from catalog.json
    codes = page.locator("#cf-category option").evaluate_all("options => options.map(o => o.value)")
    assert codes == ["", *(c["code"] for c in CATALOG["categories"])]
    # the enterprise fields are visible, with a hint saying who fills them in
    expect(page.locator("#cf-organization")).to_be_visible()
    expect(page.locator("#enterprise-details-hint")).to_be_visible()
    # the submit button sends no field of its own
    assert page.locator("#complaint-submit").get_attribute("name") is None
    expect(page.locator("#complaint-submit")).to_have_text("提交投诉")

    # When the form is filled in and submitted
    fill_complaint(page)
    with page.expect_navigation():
        page.click("#complaint-submit")

    # Then the API answers with an HTML confirmation carrying a tracking number
    assert page.url.startswith(f"{local_stack.portal_api_url}/complaints")
    body = page.locator("body").inner_text()
    number = TRACKING_NO.search(body)
    assert number, body[:500]
    # in the portal's look and words: its header with the site's name linking home, no Ctrl+P
    home = page.locator("header a.header__home")
    expect(home).to_have_text("园区投诉服务平台")
    assert home.get_attribute("href") == local_stack.portal_url
    expect(page.locator("h1")).to_have_text("投诉已提交")
    assert "Ctrl" not in body
    assert "打印、保存本页" in body
    screenshot(page, "api-confirmation-zh")

    # When the person follows the link to the progress of the complaint
    with page.expect_navigation():
        page.get_by_role("link", name="查询办理进度").click()

    # Then its public status is shown, still without JavaScript
    expect(page.locator("h1")).to_have_text(f"投诉 {number.group(0)}")
    expect(page.locator("main")).to_contain_text(GLOSSARY["status"]["received"]["zh"])


def posts_to_the_api(page: Page, stack: LocalStack) -> list[Request]:
    """Every POST the page sends to the API, as it sends them."""
    posted: list[Request] = []

    def remember(request: Request) -> None:
        if request.method == "POST" and request.url.startswith(stack.portal_api_url):
            posted.append(request)

    page.on("request", remember)
    return posted


def test_an_empty_form_gets_the_error_summary_before_any_check_answers_step(
    local_stack: LocalStack, page: Page, screenshot: Screenshot
) -> None:
    # Given the complaint form, with nothing filled in
    posted = posts_to_the_api(page, local_stack)
    page.goto(submit_page(local_stack))

    # When the person continues
    page.click("#complaint-submit")

    # Then the API's own rules are applied first: an error summary at the top takes the focus,
    # the form stays, and there is no check-answers step
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(page.locator("#check-answers")).to_be_hidden()
    expect(page.locator("#complaint-form")).to_be_visible()
    assert summary.get_attribute("role") == "alert"
    hrefs = summary.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    # every field in error, in the order of the form
    assert hrefs == ["#cf-name", "#cf-phone", "#cf-category", "#cf-subject", "#cf-description", "#cf-consent"]
    # each message beside its field too, naming the field by the label it sits under
    expect(page.locator("#cf-description-error")).to_contain_text(
        page.locator('label[for="cf-description"]').inner_text()
    )
    expect(page.locator("#cf-subject")).to_have_attribute("aria-invalid", "true")
    assert page.title().startswith("错误")
    screenshot(page, "errors-before-check-zh")

    # And the only request was a dry run: nothing was filed
    assert [urllib.parse.urlsplit(r.url).query for r in posted] == ["dry_run=true"]
    assert posted[0].headers.get("idempotency-key") is None


def test_validation_errors_show_a_focused_summary_linking_to_each_field_and_keep_the_answers(
    local_stack: LocalStack, page: Page, screenshot: Screenshot
) -> None:
    # Given a complaint without a name, a way to contact, or consent
    page.goto(submit_page(local_stack))
    page.select_option("#cf-category", "env_noise")
    page.fill("#cf-subject", "工厂夜间噪音扰民")
    page.fill("#cf-description", "园区东路 8 号的工厂每晚 23 点后仍在作业，噪音很大。")

    # When the person continues
    page.click("#complaint-submit")

    # Then an error summary at the top takes focus and links to every field in error
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(page.locator("#check-answers")).to_be_hidden()
    hrefs = summary.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs == ["#cf-name", "#cf-phone", "#cf-consent"], hrefs
    # and each message is also beside its field, which is marked invalid
    for name in ("name", "phone", "consent"):
        expect(page.locator(f"#cf-{name}-error")).to_be_visible()
        expect(page.locator(f"#cf-{name}")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "errors-zh")

    # When a link of the summary is followed, its field gets the focus
    summary.locator('a[href="#cf-consent"]').click()
    expect(page.locator("#cf-consent")).to_be_focused()

    # And every answer given is still there
    expect(page.locator("#cf-category")).to_have_value("env_noise")
    expect(page.locator("#cf-subject")).to_have_value("工厂夜间噪音扰民")
    expect(page.locator("#cf-description")).to_have_value(re.compile("噪音很大"))

    # When the answers are corrected and the person continues
    page.fill("#cf-name", "张三")
    page.fill("#cf-phone", "13800138000")
    page.check("#cf-consent")
    page.click("#complaint-submit")

    # Then the answers are there to check, and no error of before is left above them or beside a field
    expect(page.locator("#check-answers")).to_be_visible()
    expect(summary).to_be_hidden()
    expect(page.locator(".pf-error-message:visible")).to_have_count(0)
    assert not page.title().startswith("错误")
    page.click("#confirm-submit")
    expect(page.locator("#confirmation")).to_be_visible()
    expect(summary).to_be_hidden()


def test_errors_of_the_submission_itself_are_gone_once_the_corrected_answers_reach_check_answers(
    local_stack: LocalStack, page: Page
) -> None:
    # Given a submission the API refuses at the last step (the dry run had passed)
    refused: list[str] = []

    def refuse_the_first_submission(route: Route) -> None:
        if route.request.method == "POST" and not refused:
            refused.append(route.request.url)
            route.fulfill(
                status=400,
                content_type="application/json",
                body=json.dumps(
                    {
                        "error": {
                            "code": "validation_failed",
                            "message": "提交的信息有误，请按提示修改后重新提交。",
                            "fields": {"subject": "请填写投诉标题。"},
                        }
                    },
                    ensure_ascii=False,
                ),
            )
        else:
            route.continue_()

    page.route(f"{local_stack.portal_api_url}/complaints", refuse_the_first_submission)
    page.goto(submit_page(local_stack))
    fill_complaint(page)
    continue_and_confirm(page)
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(page.locator("#cf-subject-error")).to_be_visible()

    # When the person continues again
    page.click("#complaint-submit")

    # Then the old error summary and field message are not shown above the answers to check
    expect(page.locator("#check-answers")).to_be_visible()
    expect(summary).to_be_hidden()
    expect(page.locator("#cf-subject-error")).to_be_hidden()
    assert refused == [f"{local_stack.portal_api_url}/complaints"]


def test_continuing_without_a_connection_says_so_and_stays_on_the_form(
    local_stack: LocalStack, page: Page
) -> None:
    # Given a connection that fails when the answers are sent to be checked
    page.route(re.compile(r"/complaints\?dry_run=true$"), lambda route: route.abort("internetdisconnected"))
    page.goto(submit_page(local_stack))
    fill_complaint(page)

    # When the person continues
    page.click("#complaint-submit")

    # Then they are told, on the form, with their answers kept: nothing pretends to be checked
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("暂时无法连接投诉系统")
    expect(page.locator("#check-answers")).to_be_hidden()
    expect(page.locator("#cf-subject")).to_have_value("工厂夜间噪音扰民")
    expect(page.locator("#complaint-submit")).to_be_enabled()


def test_a_script_typed_into_the_form_is_shown_as_text_and_never_runs(
    local_stack: LocalStack, page: Page
) -> None:
    # Given answers that are markup meant to run scripts
    subject = '<img src=x onerror="window.__xss=1">'
    description = '<script>window.__xss=2</script><svg onload="window.__xss=3"></svg> 夜间噪音'
    page.goto(submit_page(local_stack))
    fill_complaint(page, subject=subject, description=description)

    # When they are checked and the complaint is filed
    page.click("#complaint-submit")
    check = page.locator("#check-answers")

    # Then they are shown literally, as text, and nothing ran
    expect(check).to_contain_text(subject)
    expect(check).to_contain_text("<script>window.__xss=2</script>")
    assert check.locator("img, script, svg").count() == 0
    page.click("#confirm-submit")
    expect(page.locator("#confirmation")).to_be_visible()
    assert page.evaluate("window.__xss") is None


def test_a_retry_after_a_lost_answer_reuses_the_idempotency_key_and_files_one_complaint(
    local_stack: LocalStack, page: Page
) -> None:
    # Given a connection that loses the API's answer to the first submission
    keys: list[str] = []
    filed: list[str] = []

    def lose_first_answer(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        keys.append(route.request.headers.get("idempotency-key", ""))
        if len(filed) == 0:
            response = route.fetch()  # the API files the complaint...
            filed.append(response.json()["tracking_no"])
            route.abort("connectionreset")  # ...but the browser never hears back
        else:
            route.continue_()

    page.route(f"{local_stack.portal_api_url}/complaints", lose_first_answer)
    page.goto(submit_page(local_stack))
    fill_complaint(page)

    # When the person submits, sees the error, and submits again
    continue_and_confirm(page)
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#cf-subject")).to_have_value("工厂夜间噪音扰民")
    continue_and_confirm(page)

    # Then both attempts carried the same key, and the confirmation is the first filing's
    expect(page.locator("#confirmation")).to_be_visible()
    assert len(keys) == 2
    assert keys[0] == keys[1]
    assert UUID.fullmatch(keys[0]), keys[0]
    expect(page.locator("#done-tracking-no")).to_have_text(filed[0])


def test_english_form_is_complete_and_files_in_english(
    local_stack: LocalStack, page: Page, screenshot: Screenshot
) -> None:
    # Given the English form
    posted: list[Request] = []

    def remember_posts(request: Request) -> None:
        if request.method == "POST" and request.url.startswith(local_stack.portal_api_url):
            posted.append(request)

    page.on("request", remember_posts)
    page.goto(submit_page(local_stack, "en"))
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.locator("#page-intro h1")).to_have_text("Submit a complaint")
    expect(page.locator('label[for="cf-subject"]')).to_have_text(GLOSSARY["field"]["subject"]["en"])
    labels = page.locator("#cf-category option").evaluate_all(
        "options => options.map(o => o.textContent.trim())"
    )
    assert labels[1:] == [c["label"]["en"] for c in CATALOG["categories"]]
    assert page.locator("#complaint-form").get_attribute("action") == f"{API_PATH}/complaints?lang=en"
    expect(page.locator("#cf-preferred_language")).to_have_value("en")
    screenshot(page, "form-en")

    # When a complaint is filed with JavaScript
    fill_complaint(
        page,
        subject="Noise from a factory at night",
        description="The factory at 8 East Park Road works after 11 pm every night and is very loud.",
    )
    continue_and_confirm(page)

    # Then the API was asked in English, as JSON, with an idempotency key
    expect(page.locator("#confirmation")).to_be_visible()
    expect(page.locator("#done-title")).to_have_text("Complaint submitted")
    expect(page.locator("#done-status")).to_have_text(GLOSSARY["status"]["received"]["en"])
    expect(page.locator("#done-reply-by")).to_contain_text("Beijing time")
    headers = posted[-1].headers
    assert headers["accept-language"] == "en"
    assert headers["content-type"] == "application/json"
    assert UUID.fullmatch(headers["idempotency-key"])
    body = json.loads(posted[-1].post_data or "{}")
    assert body["anonymous"] is False
    assert body["consent"] is True
    assert "organization" not in body
    assert "email" not in body  # empty answers are left out
    screenshot(page, "confirmation-en")

    # When the status page is opened from the confirmation
    page.click("#done-status-link")

    # Then it is the English status page showing the complaint
    expect(page.locator("#status-result")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.locator("#result-category")).to_have_text(CATEGORY_LABELS["env_noise"]["en"])
    expect(page.locator("#result-status")).to_have_text(GLOSSARY["status"]["received"]["en"])
    screenshot(page, "status-en")


def test_conditional_parts_follow_the_answers_and_anonymous_complaints_send_no_identity(
    local_stack: LocalStack, page: Page
) -> None:
    # Given the form with JavaScript: an individual, not anonymous, no category chosen
    page.goto(submit_page(local_stack))
    expect(page.locator("#enterprise-details")).to_be_hidden()
    expect(page.locator("#group-claim_amount")).to_be_hidden()
    expect(page.locator("#enterprise-details-hint")).to_be_hidden()  # the no-JS hint

    # When the person files as an enterprise and chooses a compensation claim
    page.check("#cf-complainant_type-enterprise")
    page.select_option("#cf-category", "compensation")

    # Then the enterprise fields and the amount appear
    expect(page.locator("#cf-organization")).to_be_visible()
    expect(page.locator("#cf-credit_code")).to_be_visible()
    expect(page.locator("#cf-claim_amount")).to_be_visible()

    # When the person chooses to stay anonymous
    page.check("#cf-anonymous")

    # Then no identity is asked for, and none is in the check-your-answers list
    expect(page.locator("#contact-details")).to_be_hidden()
    expect(page.locator("#enterprise-details")).to_be_hidden()
    page.fill("#cf-claim_amount", "1200")
    page.fill("#cf-subject", "维修费用索赔")
    page.fill("#cf-description", "园区道路井盖缺失，车辆夜间驶过时轮胎损坏，要求赔偿维修费用。")
    page.check("#cf-consent")
    page.click("#complaint-submit")
    expect(page.locator("#check-answers")).to_be_visible()
    rows = page.locator("#check-list a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert "#cf-name" not in rows
    assert "#cf-organization" not in rows
    assert "#cf-claim_amount" in rows
