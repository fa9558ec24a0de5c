"""Attachments in the browser (issue 12), in Chinese and English: a file added at the confirmation
step of filing and through "add information" goes straight to the local S3, is checked by the
processing job, is listed for the complainant and opened (downloaded) by staff, the opening logged."""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect

from scripts.lib.stack import LocalStack
from tests.support.complaint_form import continue_and_confirm, fill_complaint
from tests.support.complaints import file_accepted_complaint
from tests.support.jobs import run_stack_job
from tests.support.uploads import camera_jpeg

from .test_portal_self_service import open_with_code
from .test_staff_console import open_case, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\nstartxref\n9\n%%EOF\n"
TEXT = {
    "zh": {"received": "已接收", "uploaded": "已上传，正在检查", "open": "下载"},
    "en": {"received": "Received", "uploaded": "was uploaded and is being checked", "open": "Download"},
}


def _page_url(stack: LocalStack, lang: str, page: str) -> str:
    return stack.portal_url + ("" if lang == "zh" else f"{lang}/") + page + "/"


def _process(stack: LocalStack) -> dict[str, int]:
    outcome = run_stack_job(stack, "process_attachments", at=datetime.now(UTC))
    assert outcome.ok, outcome
    return dict(outcome.counts)


def _attach(page: Page, section: str, name: str, mime: str, data: bytes, lang: str) -> None:
    box = page.locator(section)
    expect(box).to_be_visible()
    box.locator('[data-role="attach-file"]').set_input_files({"name": name, "mimeType": mime, "buffer": data})
    box.locator('[data-role="attach-upload"]').click()
    expect(box.locator('[data-role="attach-status"]')).to_contain_text(TEXT[lang]["uploaded"])


def _access_log(stack: LocalStack, number: str) -> list[dict[str, Any]]:
    token = stack.issuer.token(roles=["supervisor"], name="日志主管")
    request = urllib.request.Request(
        f"{stack.api_url}/admin/complaints/{number}/access-log", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        items: list[dict[str, Any]] = json.loads(answer.read())["items"]
    return items


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_photo_attached_at_filing_is_checked_listed_and_opened_by_staff(
    local_stack: LocalStack, page: Page, lang: str
) -> None:
    # Given a complaint just filed, at its confirmation step
    page.goto(_page_url(local_stack, lang, "submit"))
    fill_complaint(page)
    continue_and_confirm(page)
    expect(page.locator("#confirmation")).to_be_visible()
    number = page.locator("#done-tracking-no").inner_text().strip()

    # When a photo is attached there, and the processing job has run
    _attach(page, "#done-attachments", "现场照片.jpg", "image/jpeg", camera_jpeg(), lang)
    assert _process(local_stack).get("ready", 0) >= 1

    # Then it is listed as received, under its name
    row = page.locator("#done-attachments li[data-state=ready]")
    expect(row).to_contain_text("现场照片.jpg")
    expect(row).to_contain_text(TEXT[lang]["received"])

    # And staff open it from the case page: a download, written to the access log
    token = local_stack.issuer.token(roles=["officer"], name="附件专员")
    sign_in(page, local_stack, token, lang)
    open_case(page, number)
    staff_row = page.locator("#sc-attachments li[data-state=ready]")
    expect(staff_row).to_contain_text("现场照片.jpg")
    with page.expect_download() as download:
        staff_row.locator("button").click()
    assert download.value.suggested_filename.endswith(".jpg")
    assert ("附件专员", "attachment_open") in [
        (e["staff_name"], e["purpose"]) for e in _access_log(local_stack, number)
    ]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_pdf_added_with_information_is_listed_and_the_complainant_downloads_it(
    local_stack: LocalStack, page: Page, lang: str
) -> None:
    # Given an accepted complaint opened on the status page with its access code
    filed = file_accepted_complaint(local_stack.api_url, local_stack.issuer)
    open_with_code(page, local_stack, filed, lang)

    # When a PDF is attached under "add information", and processed
    _attach(page, "#own-attachments", "receipt.pdf", "application/pdf", PDF, lang)
    _process(local_stack)

    # Then it is listed as received and downloads as it was sent
    row = page.locator("#own-attachments li[data-state=ready]")
    expect(row).to_contain_text("receipt.pdf")
    with page.expect_download() as download:
        row.locator("a").click()
    assert download.value.suggested_filename == "receipt.pdf"
    path = download.value.path()
    assert path.read_bytes() == PDF


def test_a_file_s3_refuses_is_reported_and_nothing_is_listed(local_stack: LocalStack, page: Page) -> None:
    # An HTML page sent as a photo is accepted by S3 (it is its declared type) and refused on checking.
    filed = file_accepted_complaint(local_stack.api_url, local_stack.issuer)
    open_with_code(page, local_stack, filed, "en")
    _attach(
        page, "#own-attachments", "photo.jpg", "image/jpeg", b"<html><script>alert(1)</script></html>", "en"
    )
    _process(local_stack)
    row = page.locator("#own-attachments li[data-state=refused]")
    expect(row).to_contain_text("was deleted")
    expect(page.locator("#own-attachments li[data-state=ready]")).to_have_count(0)


def test_without_javascript_the_status_page_offers_no_upload_it_cannot_send(
    local_stack: LocalStack, page_nojs: Page
) -> None:
    page_nojs.goto(_page_url(local_stack, "zh", "status"))
    expect(page_nojs.locator("#own-attachments")).to_be_hidden()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_without_javascript_a_file_goes_through_plain_forms_to_s3_and_back_to_the_portal(
    local_stack: LocalStack, page_nojs: Page, lang: str
) -> None:
    # Given an accepted complaint, and a browser that runs no script
    filed = file_accepted_complaint(local_stack.api_url, local_stack.issuer)
    page_nojs.goto(_page_url(local_stack, lang, "status"))
    expect(page_nojs.locator("#own-attachments")).to_be_hidden()

    # When the no-script form is sent with the number, the code and the kind of file
    form = page_nojs.locator("#nojs-upload")
    expect(form).to_be_visible()
    form.locator("#nojs-upload-no").fill(filed.tracking_no)
    form.locator("#nojs-upload-code").fill(filed.access_code)
    form.locator("#nojs-upload-type").select_option("application/pdf")
    form.locator("button[type=submit]").click()

    # Then the API's page offers the file input, whose form posts to the local S3
    expect(page_nojs.locator("input[type=file][name=file]")).to_be_visible()
    action = page_nojs.locator("form[enctype='multipart/form-data']").get_attribute("action") or ""
    assert local_stack.s3_url is not None
    assert action.startswith(local_stack.s3_url)
    page_nojs.locator("input[type=file]").set_input_files(
        {"name": "contract.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page_nojs.locator("button[type=submit]").click()

    # And S3 sends the browser back to the portal's page that says the file is being checked
    page_nojs.wait_for_url("**/attachment-received/**")
    expect(page_nojs.locator("h1")).to_have_text("文件已上传" if lang == "zh" else "File uploaded")
    _process(local_stack)
    listed = _own_files(local_stack, filed.tracking_no, filed.access_code)
    assert [(a["state"], a["content_type"]) for a in listed] == [("ready", "application/pdf")]


def _own_files(stack: LocalStack, number: str, code: str) -> list[dict[str, Any]]:
    request = urllib.request.Request(
        f"{stack.api_url}/complaints/{number}/attachments", headers={"X-Access-Code": code}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        items: list[dict[str, Any]] = json.loads(answer.read())["items"]
    return items
