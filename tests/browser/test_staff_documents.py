"""The office's documents (issue 10), each printed to PDF by Chromium on A4 in Chinese and English:
the handling notice for a department (its number, dates and limits, the officer's summary, no
identity), the registration form for the complainant to check and sign (every field as registered),
and the receipt handed over right after registering (the number and the access code, what happens
next and by when). Page count and text are read from the PDF itself (pypdf)."""

from __future__ import annotations

import io
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from scripts.lib.stack import LocalStack
from tests.support.axe import describe_violations, run_axe

from .test_staff_console import PAYLOAD, accept_directly, console_url, sign_in, staff_call
from .test_staff_search import file_complaint, unique_phone

if TYPE_CHECKING:
    from playwright.sync_api import Page

A4_POINTS = (595, 842)  # 210 × 297 mm


def printed(page: Page) -> tuple[int, str]:
    """The page as Chromium prints it on A4: its number of pages and its text (spaces dropped)."""
    pdf = page.pdf(format="A4", print_background=False, prefer_css_page_size=True)
    reader = PdfReader(io.BytesIO(pdf))
    for sheet in reader.pages:
        size = (round(float(sheet.mediabox.width)), round(float(sheet.mediabox.height)))
        assert size == A4_POINTS, size
    # The CJK font maps some glyphs it shares with radicals to the radical (人 as U+2F08, 日 as
    # U+2F47): their compatibility decomposition is the character itself. A few map to a radical
    # without one (门 as U+2EDD) or to a traditional form (户 as 戶): the texts checked avoid them.
    text = unicodedata.normalize("NFKC", "".join(sheet.extract_text() for sheet in reader.pages))
    return len(reader.pages), "".join(text.split())


def squeezed(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_handling_notice_prints_on_one_a4_page_with_its_limits_and_no_identity(
    local_stack: LocalStack, page: Page, lang: str
) -> None:
    phone = unique_phone()
    number = file_complaint(local_stack, phone=phone, name="周十", subject="夜间噪音扰民")
    accept_directly(local_stack, number, "ecology_environment")
    sign_in(page, local_stack, local_stack.issuer.token(roles=["officer"], name="王专员"), lang=lang)
    page.goto(console_url(local_stack, lang) + "#case=" + number)
    page.locator("#sc-case-notice-link").click()
    notice = page.locator("#sc-doc-notice")
    expect(notice).to_be_visible()
    page.fill("#sc-doc-notice-summary", "请核实工地夜间施工许可。" + PAYLOAD)
    expect(page.locator("#sc-doc-notice-summary-text")).to_have_text("请核实工地夜间施工许可。" + PAYLOAD)
    report_due = notice.locator('[data-doc-row="report_due"] td').inner_text()
    respond_due = notice.locator('[data-doc-row="respond_due"] td').inner_text()
    assert report_due
    assert respond_due
    violations = run_axe(page)
    assert not violations, describe_violations(violations)

    pages, text = printed(page)
    assert pages == 1
    assert number in text
    assert squeezed(report_due) in text
    assert squeezed(respond_due) in text
    assert squeezed("请核实工地夜间施工许可。") in text
    assert "王专员" in text
    assert squeezed("投诉处理通知单" if lang == "zh" else "Complaint handling notice") in text
    # Nothing that identifies the complainant, nor the console around the document
    assert phone not in text
    assert "周十" not in text
    assert squeezed("查找投诉" if lang == "zh" else "Find a complaint") not in text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_registration_form_prints_every_field_for_the_complainant_to_sign(
    local_stack: LocalStack, page: Page, lang: str
) -> None:
    officer = local_stack.issuer.token(roles=["officer"], name="登记专员")
    phone = unique_phone()
    received = (datetime.now(UTC) - timedelta(hours=3)).isoformat()
    registered = staff_call(
        local_stack,
        officer,
        "POST",
        "/admin/complaints",
        {
            "channel": "visit",
            "received_at": received,
            "complainant_type": "individual",
            "name": "吴十一",
            "phone": phone,
            "category": "env_waste",
            "subject": "垃圾堆放",
            "description": "小区入口的垃圾三天没有清运，气味很大。",
            "location": "园区东路 8 号",
            "consent": True,
        },
    )
    number = registered["tracking_no"]
    sign_in(page, local_stack, officer, lang=lang)
    page.goto(console_url(local_stack, lang) + "#form=" + number)
    form = page.locator("#sc-doc-form")
    expect(form).to_be_visible()
    expect(form.locator('[data-doc-row="phone"] td')).to_have_text(phone)
    violations = run_axe(page)
    assert not violations, describe_violations(violations)

    pages, text = printed(page)
    assert pages == 1
    for shown in (
        number,
        phone,
        "吴十一",
        "垃圾堆放",
        "小区入口的垃圾三天没有清运，气味很大。",
        "园区东路8号",
        "登记专员",
    ):
        assert squeezed(shown) in text, shown
    assert squeezed("投诉登记表" if lang == "zh" else "Complaint registration form") in text


@pytest.mark.parametrize(
    ("lang", "gone"),
    [("zh", "回执只能在登记投诉后立即打印"), ("en", "A receipt can only be printed right after registering")],
)
def test_a_receipt_is_printed_right_after_registering_and_only_then(
    local_stack: LocalStack, page: Page, lang: str, gone: str
) -> None:
    sign_in(page, local_stack, local_stack.issuer.token(roles=["officer"], name="王专员"), lang=lang)
    page.click("#sc-nav-register")
    page.select_option("#sc-reg-channel", "visit")
    page.select_option("#sc-reg-category", "env_noise")
    page.fill("#sc-reg-name", "郑十二")
    page.fill("#sc-reg-phone", unique_phone())
    page.fill("#sc-reg-subject", "商铺音响扰民")
    page.fill("#sc-reg-description", "楼下商铺每天开着大音响，影响居民休息。")
    page.check("#sc-reg-consent")
    page.click("#sc-register-submit")
    expect(page.locator("#sc-register-done")).to_be_visible()
    number = page.locator("#sc-register-tracking-no").inner_text()
    code = page.locator("#sc-register-access-code").inner_text()

    page.click("#sc-register-receipt")
    receipt = page.locator("#sc-doc-receipt")
    expect(receipt).to_be_visible()
    assert code not in page.url
    expect(receipt.locator('[data-doc-row="access_code"] td')).to_have_text(code)
    expect(page.locator("#sc-doc-receipt-status-url")).to_contain_text("/status/")
    violations = run_axe(page)
    assert not violations, describe_violations(violations)
    pages, text = printed(page)
    assert pages == 1
    assert number in text
    assert code in text
    reply_due = receipt.locator('[data-doc-row="reply_due"] td').inner_text()
    assert squeezed(reply_due) in text
    assert "0571-80000000" in text
    assert squeezed("投诉回执" if lang == "zh" else "Complaint receipt") in text

    # Reloaded, the code is gone: the receipt says it can no longer be printed
    page.reload()
    expect(page.locator("#sc-document-unavailable")).to_contain_text(gone)
    expect(receipt).to_be_hidden()
