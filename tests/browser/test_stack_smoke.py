"""The browser tier's harness works: the real stack starts, the portal loads, the API answers."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from scripts.lib.stack import LocalStack

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_api_meta_answers_200_with_json(local_stack: LocalStack) -> None:
    # Given the stack started as ./scripts/serve starts it
    # When the API's metadata endpoint is asked
    with urllib.request.urlopen(f"{local_stack.api_url}/meta", timeout=10) as response:
        status = response.status
        body = json.loads(response.read())
    # Then it answers 200 with a JSON object
    assert status == 200
    assert isinstance(body, dict)


def test_portal_home_page_loads_in_chromium(
    local_stack: LocalStack, page: Page, screenshot: Callable[[Page, str], Path]
) -> None:
    # Given the built portal served by the stack
    # When Chromium opens its home page
    response = page.goto(local_stack.portal_url)
    # Then the page is served and rendered with a title
    assert response is not None
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/html")
    page.wait_for_load_state("load")
    assert page.title().strip() != ""
    assert screenshot(page, "home").stat().st_size > 0
