"""Browser tier: the real local stack (as ``./scripts/serve`` runs it) and Chromium through Playwright.

Fixtures:
- ``local_stack`` (session): ``.portal_url`` (ends with '/'), ``.portal_url_at("127.0.0.1")`` (the
  same portal under another name), ``.portal_api_url`` (the API under the portal's origin, as the
  pages call it), ``.api_url`` (the API on its own port), ``.dynamodb_url``,
  ``.staff_console_url`` and ``.issuer`` (``.issuer.token(roles=[...], name=..., department=...)``
  mints a staff token its API accepts).
- ``browser`` (session): Debian's Chromium, headless.
- ``page`` (JavaScript on) and ``page_nojs`` (JavaScript off): a fresh context each; a failing
  test leaves a screenshot in test-artifacts/screenshots/.
- ``screenshot``: ``screenshot(page, "label")`` saves test-artifacts/screenshots/<test>-<label>.png.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from scripts.lib.stack import LocalStack, StackError
from tests.support import (
    ARTIFACTS_DIR,
    CHROMIUM_ARGS,
    chromium_executable,
    chromium_unavailable_reason,
    save_screenshot,
    start_test_stack,
    unavailable,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

DEFAULT_TIMEOUT_MS = 10_000

_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


def _failed(node: pytest.Item) -> bool:
    reports = node.stash.get(_REPORTS, {})
    return any(report.failed for report in reports.values())


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    try:
        stack = start_test_stack(
            site_dir=tmp_path_factory.mktemp("portal-site"),
            log_dir=ARTIFACTS_DIR / "logs" / "local-stack",
            staff_auth_dir=tmp_path_factory.mktemp("staff-auth"),
        )
    except StackError as error:
        pytest.fail(f"the local stack did not start: {error}", pytrace=False)
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    reason = chromium_unavailable_reason()
    if reason is not None:
        unavailable(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(chromium_executable()), args=list(CHROMIUM_ARGS)
        )
        try:
            yield chromium
        finally:
            chromium.close()


def _new_page(browser: Browser, request: pytest.FixtureRequest, *, javascript: bool) -> Iterator[Page]:
    context: BrowserContext = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=javascript
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        if _failed(request.node):
            try:
                save_screenshot(page, f"{request.node.name}-FAILED")
            except Exception as error:  # noqa: BLE001 - the test's own failure matters more
                print(f"could not save a failure screenshot: {error}")
        context.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page with JavaScript enabled, in a fresh browser context."""
    yield from _new_page(browser, request, javascript=True)


@pytest.fixture
def page_nojs(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page with JavaScript disabled: what the portal does without scripts."""
    yield from _new_page(browser, request, javascript=False)


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[[Page, str], Path]:
    """``screenshot(page, "label")`` -> test-artifacts/screenshots/<test name>-<label>.png."""

    def take(page: Page, label: str) -> Path:
        return save_screenshot(page, f"{request.node.name}-{label}")

    return take
