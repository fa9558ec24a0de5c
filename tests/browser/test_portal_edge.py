"""The portal's origin as a browser meets it: the API under /api (so the portal works under any name
for the machine, 127.0.0.1 included), a Content-Security-Policy that no page breaks, no frame of
another site, and no request for a sitemap.xml that does not exist."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from scripts.lib.portal_edge import API_PATH, content_security_policy
from scripts.lib.stack import LocalStack
from tests.support.complaint_form import continue_and_confirm, fill_complaint
from tests.support.complaints import FiledComplaint, file_accepted_complaint

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page, Request, Response

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
TRACKING_NO = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")

# Registered before any script of the page runs; the policy does not apply to it.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


@dataclass
class OriginWatch:
    """What a page did that the portal's origin must never see: policy violations (as events and as
    console errors), requests for sitemap.xml, and files that were not there."""

    page: Page
    violations: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    documents: list[Response] = field(default_factory=list)

    def start(self) -> OriginWatch:
        self.page.add_init_script(RECORD_VIOLATIONS)
        self.page.on("console", self._on_console)
        self.page.on("request", self._on_request)
        self.page.on("response", self._on_response)
        return self

    def _on_console(self, message: ConsoleMessage) -> None:
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text or "CORS" in text:
            self.console.append(f"{message.type}: {text}")

    def _on_request(self, request: Request) -> None:
        if "sitemap" in request.url:
            self.sitemaps.append(request.url)

    def _on_response(self, response: Response) -> None:
        path = urlsplit(response.url).path
        if response.request.resource_type == "document" and not path.startswith(API_PATH + "/"):
            self.documents.append(response)
        elif response.status == 404 and not path.startswith(API_PATH + "/"):
            self.missing.append(response.url)

    def collect(self, where: str) -> None:
        """The violations the page reported so far (call before leaving it)."""
        found: list[str] = self.page.evaluate("() => window.__cspViolations.splice(0)")
        self.violations.extend(f"{where}: {violation}" for violation in found)

    def assert_clean(self) -> None:
        assert not self.violations, self.violations
        assert not self.console, self.console
        assert not self.sitemaps, self.sitemaps
        assert not self.missing, self.missing

    def assert_every_page_had_the_policy(self, upload_origin: str = "") -> None:
        assert self.documents
        policy = content_security_policy(upload_origin=upload_origin)
        for response in self.documents:
            assert response.header_value("content-security-policy") == policy, response.url
            assert response.header_value("x-frame-options") == "DENY", response.url


def look_up(page: Page, filed: FiledComplaint, code: str | None) -> None:
    page.fill("#tracking_no", filed.tracking_no)
    page.fill("#access_code", code or "")
    page.click("#status-form button[type=submit]")
    expect(page.locator("#status-loading")).to_have_text("")


# ------------------------------------------------------------------ the portal under another name


def test_a_complaint_is_filed_and_looked_up_with_the_portal_opened_at_127_0_0_1(
    local_stack: LocalStack, page: Page, screenshot: Screenshot
) -> None:
    # Given the portal opened under 127.0.0.1 rather than localhost
    watch = OriginWatch(page).start()
    portal = local_stack.portal_url_at("127.0.0.1")
    calls: list[str] = []
    page.on("request", lambda request: calls.append(request.url) if "/complaints" in request.url else None)
    page.goto(portal + "submit/")

    # When a complaint is filled in, checked and confirmed
    fill_complaint(page)
    continue_and_confirm(page)

    # Then it is filed: a tracking number, no "cannot reach the system"
    expect(page.locator("#confirmation")).to_be_visible()
    tracking_no = page.locator("#done-tracking-no").inner_text().strip()
    assert TRACKING_NO.fullmatch(tracking_no), tracking_no
    expect(page.locator("#error-summary")).to_be_hidden()
    screenshot(page, "confirmation-127")
    watch.collect("confirmation")

    # And the status page finds it, still under 127.0.0.1
    page.click("#done-status-link")
    expect(page.locator("#status-result")).to_be_visible()
    expect(page.locator("#result-title")).to_contain_text(tracking_no)
    assert page.url.startswith(portal)
    watch.collect("status")

    # And every call went to the portal's own origin
    assert calls
    assert all(url.startswith(portal.rstrip("/") + API_PATH + "/") for url in calls), calls
    watch.assert_clean()


def test_without_javascript_the_form_posts_to_the_api_on_the_portals_own_origin_at_127_0_0_1(
    local_stack: LocalStack, page_nojs: Page
) -> None:
    # Given the form at 127.0.0.1 in a browser without JavaScript
    portal = local_stack.portal_url_at("127.0.0.1")
    page_nojs.goto(portal + "submit/")

    # When it is filled in and sent
    fill_complaint(page_nojs)
    with page_nojs.expect_navigation():
        page_nojs.click("#complaint-submit")

    # Then the API's confirmation page shows the tracking number, on the portal's origin
    assert page_nojs.url.startswith(f"{portal.rstrip('/')}{API_PATH}/complaints"), page_nojs.url
    assert TRACKING_NO.search(page_nojs.locator("body").inner_text())


# ------------------------------------------------------------------ the policy on every page


def _page_url(stack: LocalStack, lang: str, path: str) -> str:
    return stack.portal_url + ("" if lang == "zh" else "en/") + path


@pytest.mark.parametrize("lang", LANGS)
def test_no_page_breaks_the_content_security_policy_or_asks_for_a_sitemap(
    local_stack: LocalStack, page: Page, lang: str
) -> None:
    watch = OriginWatch(page).start()

    # Every page of the site, and the page for a missing one
    for path in PAGES:
        page.goto(_page_url(local_stack, lang, path))
        expect(page.locator("h1").first).to_be_visible()
        watch.collect(path or "home")
    assert page.goto(_page_url(local_stack, lang, "no-such-page/")).status == 404  # type: ignore[union-attr]
    watch.collect("404")
    watch.missing.clear()  # that one was asked for

    # The status page without a result, with the public result, and with the complainant's view
    filed = file_accepted_complaint(local_stack.api_url, local_stack.issuer)
    page.goto(_page_url(local_stack, lang, "status/"))
    page.click("#status-form button[type=submit]")
    expect(page.locator("#tracking_no-error")).to_be_visible()
    look_up(page, filed, None)
    expect(page.locator("#public-only")).to_be_visible()
    look_up(page, filed, filed.access_code)
    expect(page.locator("#form-information")).to_be_visible()
    watch.collect("status with results")

    # The submit page: the API's errors, checking the answers, the confirmation
    page.goto(_page_url(local_stack, lang, "submit/"))
    page.click("#complaint-submit")
    expect(page.locator("#error-summary")).to_be_visible()
    fill_complaint(page)
    continue_and_confirm(page)
    expect(page.locator("#confirmation")).to_be_visible()
    watch.collect("submit")

    # The staff console, signed in, with the queue and a case open
    token = local_stack.issuer.token(roles=["supervisor"], name="张主管")
    page.goto(_page_url(local_stack, lang, "staff/") + "#token=" + token)
    expect(page.locator("#sc-queue")).to_be_visible()
    page.evaluate("no => { location.hash = 'case=' + no; }", filed.tracking_no)
    expect(page.locator("#sc-case-title")).to_contain_text(filed.tracking_no)
    watch.collect("staff console")

    # Its Reports page, with the month's charts drawn
    page.goto(_page_url(local_stack, lang, "staff/reports/"))
    expect(page.locator("#rp-report svg").first).to_be_visible()
    watch.collect("reports")

    watch.assert_clean()
    # The pages post attachments to the stack's S3: its origin is in connect-src and form-action.
    watch.assert_every_page_had_the_policy(local_stack.s3_url or "")

    # And the watch does see a violation: an inline script the policy does not list is refused
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';"
        " document.head.appendChild(s); }"
    )
    expect(page.locator("html")).to_be_visible()
    page.wait_for_function("() => window.__cspViolations.length > 0")
    assert page.evaluate("() => window.__ran") is None
    watch.collect("deliberate")
    assert any("script-src" in violation for violation in watch.violations), watch.violations


@pytest.fixture
def framing_site(local_stack: LocalStack) -> Iterator[str]:
    """Another origin on this machine whose page frames the staff console. A real server: the
    browser refuses a page Playwright makes up (no address) any frame of a local one."""
    page = f'<!doctype html><title>elsewhere</title><iframe src="{local_stack.staff_console_url}"></iframe>'
    body = page.encode("utf-8")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_another_site_cannot_show_the_staff_console_in_a_frame(
    local_stack: LocalStack, page: Page, framing_site: str
) -> None:
    console = local_stack.staff_console_url
    refused: list[str] = []
    page.on("requestfailed", lambda request: refused.append(request.url) if request.url == console else None)

    # When a page of another site that frames the staff console is opened
    page.goto(framing_site)
    page.wait_for_load_state("load")

    # Then the browser refused the console its frame: it never ran there
    [frame] = [f for f in page.frames if f is not page.main_frame]
    expect(page.frame_locator("iframe").locator("#sc-console")).to_have_count(0)
    assert frame.url != console
    assert refused == [console]
